import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentsvc.sanitize import ALLOWED_TAGS, SANITIZER_VERSION, excerpt, render

REL = "nofollow ugc noopener"
ALLOWED_ATTRS = {
    "a": {"href", "title", "rel"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "del": {"datetime"},
    "q": {"cite"},
}
URI_ATTRS = {"href", "cite"}
URL_JUNK = re.compile(r"[\s\x00-\x20\x7f-\xa0\u200b-\u200f\u2028-\u202e\u2060\ufeff]+")
RAW_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.oddities = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_comment(self, data):
        self.oddities.append(("comment", data))

    def handle_decl(self, decl):
        self.oddities.append(("decl", decl))

    def unknown_decl(self, data):
        self.oddities.append(("decl", data))

    def handle_pi(self, data):
        self.oddities.append(("pi", data))


def start_tags(html):
    parser = _Collector()
    parser.feed(html)
    parser.close()
    assert not parser.oddities, parser.oddities
    return parser.tags


def assert_safe(html):
    # Every raw "<" must open or close an allowed tag; all other "<" must have been escaped.
    for i in (m.start() for m in re.finditer("<", html)):
        m = RAW_TAG.match(html, i)
        assert m and m.group(2) in ALLOWED_TAGS, f"raw < at {i}: {html[i : i + 40]!r}"
    for tag, attrs in start_tags(html):
        assert tag in ALLOWED_TAGS, tag
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"duplicate attributes on {tag}: {names}"
        for name, value in attrs:
            assert not name.startswith("on"), name
            assert name in ALLOWED_ATTRS.get(tag, set()), f"{tag}[{name}]"
            if name in URI_ATTRS:
                # Relative, fragment and protocol-relative URLs are deliberately rejected too.
                normalised = URL_JUNK.sub("", value or "").lower()
                assert re.match(r"(https?|mailto):", normalised), f"{tag}[{name}]={value!r}"
        if tag == "a":
            assert dict(attrs).get("rel") == REL, attrs


def test_public_constants():
    assert isinstance(SANITIZER_VERSION, int) and SANITIZER_VERSION >= 1
    assert isinstance(ALLOWED_TAGS, frozenset)
    wordpress = {"a", "abbr", "b", "blockquote", "cite", "code", "del", "em", "i", "q", "s"}
    blocks = {"strike", "strong", "p", "br", "ul", "ol", "li", "pre"}
    assert wordpress | blocks == ALLOWED_TAGS


# --- allowed tags and attributes ---------------------------------------------------------

ALLOWED_CASES = [
    ('<a href="https://example.org/x" title="t">x</a>', "a", {"href", "title", "rel"}),
    ('<abbr title="HyperText">HTML</abbr>', "abbr", {"title"}),
    ("<b>x</b>", "b", set()),
    ('<blockquote cite="https://example.org/q">x</blockquote>', "blockquote", {"cite"}),
    ("<cite>x</cite>", "cite", set()),
    ("<code>x</code>", "code", set()),
    ('<del datetime="2024-01-01">x</del>', "del", {"datetime"}),
    ("<em>x</em>", "em", set()),
    ("<i>x</i>", "i", set()),
    ('<q cite="http://example.org/q">x</q>', "q", {"cite"}),
    ("<s>x</s>", "s", set()),
    ("<strike>x</strike>", "strike", set()),
    ("<strong>x</strong>", "strong", set()),
    ("<p>x</p>", "p", set()),
    ("a<br>b", "br", set()),
    ("<ul><li>x</li></ul>", "ul", set()),
    ("<ol><li>x</li></ol>", "ol", set()),
    ("<ul><li>x</li></ul>", "li", set()),
    ("<pre>x</pre>", "pre", set()),
]


@pytest.mark.parametrize(("body", "tag", "attrs"), ALLOWED_CASES, ids=lambda v: str(v)[:30])
def test_allowed_tags_keep_allowed_attributes(body, tag, attrs):
    out = render(body)
    found = [dict(a) for t, a in start_tags(out) if t == tag]
    assert found, out
    assert set(found[0]) == attrs
    assert_safe(out)


@pytest.mark.parametrize("tag", ["a", "b", "blockquote", "p", "br", "li", "pre", "abbr", "q"])
@pytest.mark.parametrize("attr", ["onclick", "style", "class", "id"])
def test_disallowed_attributes_are_removed(tag, attr):
    href = ' href="https://example.org"' if tag == "a" else ""
    out = render(f'<ul><li><{tag}{href} {attr}="alert(1)">x</{tag}></li></ul>')
    assert attr not in out
    assert_safe(out)


# --- disallowed tags are shown, not executed or dropped ----------------------------------

DISALLOWED = [
    "script",
    "style",
    "iframe",
    "img",
    "svg",
    "math",
    "object",
    "embed",
    "form",
    "input",
    "textarea",
    "meta",
    "link",
    "base",
    "video",
    "audio",
    "details",
    "marquee",
    "table",
]


@pytest.mark.parametrize("tag", DISALLOWED)
def test_disallowed_tags_are_escaped_with_their_content(tag):
    out = render(f'<{tag} title="t">payload-{tag}</{tag}>')
    assert f'&lt;{tag} title="t"&gt;payload-{tag}&lt;/{tag}&gt;' in out
    assert_safe(out)


def test_script_is_visible_text():
    assert render("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


# --- hostile corpus ----------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt >alert(1)</sCrIpT >",
    "<script\n>alert(1)</script\n>",
    "<script/src=//evil.example/x.js></script>",
    "< script>alert(1)</ script>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "\x00<script>\x00alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 '
    'onerror=alert(1)&gt;">',
    "<select><template><style><img src=x onerror=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
    '&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="\x00javascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a/href="javascript:alert(1)">x</a>',
    '<a href="javascript:alert(1)"',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="http://x" onmouseover="alert(1)">x</a>',
    "<a href=http://x.org onmouseover=alert(1)//>x</a>",
    '<a href="http://x.org"\nonclick=alert(1)>x</a>',
    "<a href='x\" onclick=\"alert(1)'>x</a>",
    '<a href="http://x.org" title=\'a" onclick="alert(1)\'>x</a>',
    '<abbr title="&quot; onmouseover=&quot;alert(1)">x</abbr>',
    '<a href="https://x.org" rel="dofollow" target="_blank">x</a>',
    '<a href="//evil.example/x">protocol-relative</a>',
    '<a href="/relative">relative</a><a href="#frag">fragment</a>',
    "<a href='mailto:a@b.org?body=<script>'>mail</a>",
    "<b>unclosed <i>tags <a href='http://x.org'>link",
    "<a href='http://a.org'>outer <a href='http://b.org'>inner</a></a>",
    "<b><i>mis</b>nested</i>",
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version='1.0'?><script>alert(1)</script>",
    "<!DOCTYPE html><script>alert(1)</script>",
    "<style>@import 'http://evil.example/x.css';</style>",
    '<q cite="javascript:alert(1)">q</q>',
    '<blockquote cite="data:text/html,<script>alert(1)</script>">q</blockquote>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    "<textarea></textarea><script>alert(1)</script>",
    "<title></title><img src=x onerror=alert(1)>",
    "<iframe><p title='</iframe><img src=x onerror=alert(1)>'></iframe>",
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    "<link rel=stylesheet href=http://evil.example/x.css>",
    "<input onfocus=alert(1) autofocus>",
    '<video><source onerror="alert(1)"></video><audio src=x onerror=alert(1)>',
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<div onclick="alert(1)">x</div>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<b style="width: expression(alert(1))">x</b>',
    '<a href="http://x.org/\u202egnp.exe">\u202etxt.exe</a>',
    'java\u200bscript:alert(1) <a href="java\u200bscript:alert(1)">x</a>',
    '<a href="\ufeffjavascript:alert(1)">x</a>',
    "<pre><script>alert(1)</script>\n\n<img src=x onerror=alert(1)></pre>",
    '<code><a href="javascript:alert(1)">x</a></code>',
    '<li><a href="javascript:alert(1)">x</a>',
    "www.example.org/<script>alert(1)</script>",
    'http://x.org/"onmouseover="alert(1)',
    "http://x.org/?a=<script>alert(1)</script>",
    "https://x.org/a'onmouseover='alert(1)",
    "<b>a\n\n<a href='http://x.org' onclick=x>b\n\nc</a>\n\nd</b>",
    ("<b>" + "A" * 1000 + "</b>\n\n") * 100 + "<script>" * 500 + "http://x.org " * 500,
]


@pytest.mark.parametrize("body", HOSTILE, ids=[f"h{i:02d}" for i in range(len(HOSTILE))])
def test_hostile_corpus_is_safe(body):
    assert_safe(render(body))


def test_hostile_corpus_is_big_enough():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize(
    ("body", "visible"),
    [
        ("<SCRIPT>alert(1)</SCRIPT>", "&lt;SCRIPT&gt;alert(1)&lt;/SCRIPT&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("<svg onload=alert(1)>", "&lt;svg onload=alert(1)&gt;"),
        ("<style>@import 'x';</style>", "&lt;style&gt;@import 'x';&lt;/style&gt;"),
        ("<textarea><script>x</script></textarea>", "&lt;textarea&gt;&lt;script&gt;x"),
    ],
)
def test_hostile_markup_stays_visible(body, visible):
    assert visible in render(body)


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "&#106;avascript:alert(1)",
        "java&#x09;script:alert(1)",
        "JaVaScRiPt:alert(1)",
        "\x00javascript:alert(1)",
        "  javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "/relative",
        "#frag",
        "//evil.example/",
        "ftp://example.org/",
    ],
)
def test_unsafe_or_relative_hrefs_are_dropped_but_link_text_kept(href):
    assert render(f'<a href="{href}">text</a>') == f'<p><a rel="{REL}">text</a></p>'


@pytest.mark.parametrize("attr_tag", ["q", "blockquote"])
@pytest.mark.parametrize("cite", ["javascript:alert(1)", "data:text/html,x", "/relative"])
def test_unsafe_cite_is_dropped(attr_tag, cite):
    out = render(f'<{attr_tag} cite="{cite}">x</{attr_tag}>')
    assert "cite=" not in out
    assert "x" in out


def test_mailto_and_absolute_links_are_kept():
    out = render('<a href="mailto:a@b.org">m</a> <a href="HTTPS://x.org/">h</a>')
    assert [dict(a)["href"] for t, a in start_tags(out) if t == "a"] == [
        "mailto:a@b.org",
        "HTTPS://x.org/",
    ]


@pytest.mark.parametrize(
    ("raw", "html"),
    [
        # An HTML comment would hide the rest of the text (to the end when unclosed).
        ("before <!-- rest", "<p>before &lt;!-- rest</p>"),
        ("before<!-- secret -->after", "<p>before&lt;!-- secret --&gt;after</p>"),
        ("a <!DOCTYPE html> b", "<p>a &lt;!DOCTYPE html&gt; b</p>"),
        ("a <![CDATA[x]]> b", "<p>a &lt;![CDATA[x]]&gt; b</p>"),
        ("a <?php echo 1; ?> b", "<p>a &lt;?php echo 1; ?&gt; b</p>"),
    ],
)
def test_markup_declarations_are_kept_as_text(raw, html):
    assert render(raw) == html


@pytest.mark.parametrize(
    ("raw", "html"),
    [
        ("<code>a < b && c > d</code>", "<p><code>a &lt; b &amp;&amp; c &gt; d</code></p>"),
        ("<pre>if a < b && c > d:</pre>", "<pre>if a &lt; b &amp;&amp; c &gt; d:</pre>"),
        ("<pre><code>x &lt; y</code></pre>", "<pre><code>x &lt; y</code></pre>"),
        ("<code>&amp;lt;</code>", "<p><code>&amp;lt;</code></p>"),
    ],
)
def test_code_is_escaped_once(raw, html):
    # What a reader sees inside <code> is what the commenter typed.
    assert render(raw) == html


def test_nested_links_are_flattened():
    out = render("<a href='http://a.org'>1<a href='http://b.org'>2</a></a>")
    assert out.count("<a ") == 2 and "<a><a" not in out
    assert_safe(out)


# --- entities --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("&lt;b&gt;", "<p>&lt;b&gt;</p>"),
        ("&amp;lt;", "<p>&amp;lt;</p>"),
        ("Tom & Jerry", "<p>Tom &amp; Jerry</p>"),
        ("&copy; &#60; &#x3C;", "<p>&copy; &#60; &#x3C;</p>"),
        ("a < b > c", "<p>a &lt; b &gt; c</p>"),
    ],
)
def test_entities_are_not_double_escaped(body, expected):
    assert render(body) == expected


# --- property test ---------------------------------------------------------------------

FRAGMENTS = [
    "<",
    ">",
    "</",
    "/>",
    '"',
    "'",
    "=",
    "&",
    "#",
    ";",
    "/",
    ":",
    "\n",
    "\n\n",
    " ",
    "\t",
    "\x00",
    "&#",
    "&#x",
    "&lt;",
    "&amp;",
    "&quot;",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<!",
    "script",
    "img",
    "svg",
    "a",
    "b",
    "p",
    "pre",
    "code",
    "style",
    "iframe",
    "math",
    "ul",
    "li",
    "href",
    "onerror",
    "onload",
    "src",
    "style",
    "cite",
    "title",
    "rel",
    "xlink:href",
    "javascript",
    "data",
    "vbscript",
    "http",
    "https",
    "mailto",
    "://",
    "www.",
    "x.org",
    "alert(1)",
    "106",
    "x6A",
    "09",
    "\u200b",
    "\u202e",
]
ALPHABET = "<>\"'=&#;/:\n \tabcjhpsvx1()."
hostile_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=ALPHABET, max_size=4)),
    max_size=60,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(hostile_text)
def test_property_output_is_always_safe(body):
    assert_safe(render(body))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_property_arbitrary_unicode_never_raises(body):
    assert_safe(render(body))


# --- paragraphs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
        ("a\nb", "<p>a<br>b</p>"),
        ("a\r\nb\rc", "<p>a<br>b<br>c</p>"),
        ("  \n padded \n\n", "<p>padded</p>"),
        ("a\n\n\n\nb", "<p>a</p>\n<p>b</p>"),
        ("<p>x</p><p>y</p>", "<p>x</p>\n<p>y</p>"),
        ("text <pre>code</pre> more", "<p>text</p>\n<pre>code</pre>\n<p>more</p>"),
    ],
)
def test_paragraphs(body, expected):
    assert render(body) == expected


def test_pre_keeps_newlines_and_gets_no_br():
    out = render("intro\n\n<pre>line1\nline2\n\nline4</pre>\n\noutro")
    assert "<pre>line1\nline2\n\nline4</pre>" in out
    assert "<br>" not in out[out.index("<pre>") : out.index("</pre>")]
    assert out.startswith("<p>intro</p>") and out.endswith("<p>outro</p>")


@pytest.mark.parametrize(
    "body",
    ["<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "intro\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>"],
)
def test_list_block_is_not_wrapped_and_has_no_br(body):
    out = render(body)
    assert "<p><ul>" not in out and "<br>" not in out
    assert re.search(r"<ul>\s*<li>a</li>\s*<li>b</li>\s*</ul>", out)


def test_blockquote_gets_inner_paragraphs():
    out = render('<blockquote cite="https://x.org">q1\nq2\n\nq3</blockquote>')
    assert re.fullmatch(
        r'<blockquote cite="https://x.org">\s*<p>q1<br>q2</p>\s*<p>q3</p>\s*</blockquote>', out
    )


def test_formatting_split_by_blank_line_is_rebalanced():
    out = render("<b>one\n\ntwo</b>")
    assert "<p><b>one</b></p>" in out and "<p><b>two</b></p>" in out


def test_empty_input():
    assert render("") == ""
    assert render(" \r\n\t ") == ""


# --- linkify -----------------------------------------------------------------------------


def test_bare_url_is_linkified_with_escaped_ampersand():
    out = render("see https://example.org/x?a=1&b=2 now")
    href = "https://example.org/x?a=1&amp;b=2"
    assert out == f'<p>see <a href="{href}" rel="{REL}">{href}</a> now</p>'


def test_www_url_is_linkified():
    out = render("go to www.example.org")
    assert f'<a href="http://www.example.org" rel="{REL}">www.example.org</a>' in out


@pytest.mark.parametrize(
    "body",
    [
        "<code>https://x.org</code>",
        "<pre>https://x.org</pre>",
        "<pre><code>https://x.org</code></pre>",
        "mail me@example.org",
        "see setup.py or example.org",
        "ftp://example.org/file",
    ],
)
def test_not_linkified(body):
    assert "<a" not in render(body)


def test_user_rel_and_target_are_replaced():
    out = render('<a href="https://x.org" rel="dofollow" target="_blank">x</a>')
    assert out == f'<p><a href="https://x.org" rel="{REL}">x</a></p>'


# --- determinism and threads -------------------------------------------------------------


def test_deterministic_across_threads():
    bodies = [f"<b>{i}</b> https://x.org/{i}\n\n<pre>{i}\n</pre> &amp;lt;" for i in range(50)]
    expected = [render(b) for b in bodies]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(4):
            assert list(pool.map(render, bodies)) == expected


# --- excerpt -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "length", "expected"),
    [
        ("<p>Hello <b>world</b></p>", 140, "Hello world"),
        ("<p>a &amp; b &lt;c&gt; &copy;</p>", 140, "a & b <c> ©"),
        ("<p>one</p>\n<p>two<br>three</p>", 140, "one two three"),
        ("<p>  lots \n\n of   space </p>", 140, "lots of space"),
        ("one two three four", 9, "one two…"),
        ("one two three four", 8, "one two…"),
        ("one two three four", 18, "one two three four"),
        ("abcdefghij", 5, "abcd…"),
    ],
)
def test_excerpt(html, length, expected):
    assert excerpt(html, length) == expected


def test_excerpt_of_rendered_comment():
    html = render("Hello <b>world</b>, &amp; <i>friends</i>!\n\nSecond  para &lt;tag&gt;")
    assert excerpt(html) == "Hello world, & friends! Second para <tag>"
    short = excerpt(html, 30)
    assert short == "Hello world, & friends!…" and len(short) <= 30


# Plain text skips bleach (sanitize._plain): it must come out exactly as bleach makes it.
PLAIN_PIECES = st.sampled_from(
    [
        *("word", "x.py", "node.md", "example.com", "http", "www", "@", "x@y.org", ":", "/"),
        *(" ", "  ", "\n", "\n\n", "\t", ".", ",", "'", '"', "=", ";", "(", ")", "*", "`"),
        *("é", "😀", "ß", "\u0301", "\u00a0", "\u2028", "\u200b", "\x0b", "\x85", "://", "www."),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PLAIN_PIECES | st.text(max_size=3), max_size=30).map("".join))
def test_plain_text_renders_as_bleach_renders_it(text):
    from commentsvc import sanitize

    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    assert render(text) == sanitize._sanitised(normalised)


@pytest.mark.parametrize("text", ["Round comment 12, held for review.", "a\n\nb\nc", "x: y @z"])
def test_common_plain_text_takes_the_short_way(text):
    from commentsvc import sanitize

    assert sanitize._plain(text)
