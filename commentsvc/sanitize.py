"""Turn commenters' raw text into safe HTML.

This is the only module that imports bleach, so the whole sanitising policy lives here.
Rendered HTML is stored alongside SANITIZER_VERSION so stored comments can be re-rendered
when the policy changes.
"""

from __future__ import annotations

import re
import threading
from html import unescape
from html.parser import HTMLParser

from bleach.html5lib_shim import Filter
from bleach.linkifier import Linker, LinkifyFilter, build_url_re
from bleach.sanitizer import Cleaner

SANITIZER_VERSION = 2

# The WordPress commenter allowlist plus the block tags needed for paragraphs, lists and code.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {"a", "abbr", "b", "blockquote", "cite", "code", "del", "em", "i", "q", "s", "strike"}
    | {"strong", "p", "br", "ul", "ol", "li", "pre"}
)
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "blockquote": frozenset({"cite"}),
    "del": frozenset({"datetime"}),
    "q": frozenset({"cite"}),
}
ALLOWED_PROTOCOLS: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_URI_ATTRIBUTES = frozenset({"href", "cite"})
_URL_JUNK = re.compile(r"[\s\x00-\x20\x7f-\xa0`]+")
_ABSOLUTE_URL = re.compile(r"^(?:https?|mailto):")
# Only these explicit forms are linkified: bare "setup.py" or "node.md" would otherwise
# become links because .py and .md are country TLDs.
_LINKIFY_TEXT = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
_URL_RE = build_url_re(protocols={"http", "https"})
# "<!" and "<?" open comments, doctypes and processing instructions, which an HTML parser
# drops up to the next ">" (or to the end): a commenter's "before <!-- rest" lost "rest".
# Nothing a commenter may write starts that way, so they are text like any other "<".
_MARKUP_DECLARATION = re.compile(r"<(?=[!?])")

# Plain text needs no bleach pass (see `_plain`): none of these, and nothing a link could be.
_PLAIN_SPECIAL = re.compile(r"[<>&]")
_LINK_HINT = re.compile(r"://|www\.", re.IGNORECASE)

_PRE = re.compile(r"(<pre>.*?</pre>)", re.DOTALL)
_USER_P = re.compile(r"</?p>")
_CONTAINER = re.compile(r"</?(?:ul|ol|blockquote)\b[^>]*>")
_BLOCK = r"</?(?:ul|ol|li|blockquote)\b[^>]*>"
_HAS_BLOCK = re.compile(_BLOCK)
_AFTER_BLOCK = re.compile(rf"({_BLOCK})[ \t]*\n\s*")
_BEFORE_BLOCK = re.compile(rf"\s*\n[ \t]*(?={_BLOCK})")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_NEWLINE = re.compile(r"[ \t]*\n[ \t]*")


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name in _URI_ATTRIBUTES:
        # bleach also lets relative and "#fragment" URLs through; a comment has no business
        # pointing at our own pages (e.g. GET-triggered actions), so only absolute ones pass.
        return bool(_ABSOLUTE_URL.match(_URL_JUNK.sub("", unescape(value)).lower()))
    return True


class _NormaliseAttributes(Filter):
    """Force one rel on every link, whatever the commenter or an HTML re-parse produced, and
    flatten newlines in attribute values so the paragraph step only ever sees text newlines."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag"):
                attrs = {k: re.sub(r"\s", " ", v) for k, v in token["data"].items()}
                if token["name"] == "a":
                    attrs[(None, "rel")] = LINK_REL
                token = {**token, "data": attrs}
            yield token


class _LinkifySkippingEntities(LinkifyFilter):
    """bleach's LinkifyFilter, minus its double escaping inside skipped tags.

    Outside <pre> and <code> it turns "&lt;" into an entity token, which the serializer
    writes back as is; inside them it passes the text on untouched, and the serializer
    then escapes the "&" of "&lt;", so `a < b` in <code> showed as "a &lt; b".
    """

    def __iter__(self):
        skipping = None
        for token in super().__iter__():
            kind = token["type"]
            if kind in ("StartTag", "EmptyTag") and skipping is None:
                if token["name"] in self.skip_tags:
                    skipping = token["name"]
            elif kind == "EndTag" and token["name"] == skipping:
                skipping = None
            elif kind == "Characters" and skipping is not None:
                yield from self.extract_entities(token)
                continue
            yield token


class _Linker(Linker):
    def linkify(self, text: str) -> str:
        dom = self.parser.parseFragment(text)
        filtered = _LinkifySkippingEntities(
            source=self.walker(dom),
            callbacks=self.callbacks,
            skip_tags=self.skip_tags,
            parse_email=self.parse_email,
            url_re=self.url_re,
            email_re=self.email_re,
        )
        return self.serializer.render(filtered)


def _linkify_callback(attrs: dict, new: bool = False) -> dict | None:
    if new and not _LINKIFY_TEXT.match(attrs.get("_text", "")):
        return None
    return attrs


def _cleaner() -> Cleaner:
    return Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=False,
        strip_comments=True,
        filters=[_NormaliseAttributes],
    )


# bleach cleaners and linkers hold parser state and are documented as not thread-safe.
_local = threading.local()


def _pipeline() -> tuple[Cleaner, Linker, Cleaner]:
    if not hasattr(_local, "pipeline"):
        # Linkify runs as its own pass, not as a LinkifyFilter inside the first Cleaner:
        # there it re-reads already-decoded text as markup, turning a typed "&amp;lt;" into "<".
        linker = _Linker(
            callbacks=[_linkify_callback],
            skip_tags={"pre", "code"},
            parse_email=False,
            url_re=_URL_RE,
            # bleach's default tag list lacks <strike>, which would be escaped here.
            recognized_tags=ALLOWED_TAGS,
        )
        _local.pipeline = (_cleaner(), linker, _cleaner())
    return _local.pipeline


def _paragraph(chunk: str) -> str:
    chunk = chunk.strip()
    # Newlines hugging block tags are layout, not line breaks: <br> between <li>s is invalid.
    chunk = _NEWLINE.sub("<br>", _BEFORE_BLOCK.sub("", _AFTER_BLOCK.sub(r"\1", chunk)))
    return chunk if _HAS_BLOCK.search(chunk) else f"<p>{chunk}</p>"


def _paragraphs(cleaned: str) -> str:
    """wpautop-style: blank lines separate paragraphs, block tags stand on their own."""
    blocks: list[str] = []
    for segment in _PRE.split(cleaned):
        if segment.startswith("<pre>"):
            blocks.append(segment)
            continue
        # A commenter's own <p> is just a paragraph break; re-deriving it avoids <p> in <p>.
        segment = _USER_P.sub("\n\n", segment)
        segment = _CONTAINER.sub(lambda m: f"\n\n{m.group()}\n\n", segment)
        blocks.extend(_paragraph(c) for c in _BLANK_LINE.split(segment) if c.strip())
    return "\n".join(blocks)


def _plain(text: str) -> bool:
    """Whether bleach would hand `text` back unchanged: no markup, entity or link in it.

    Most comments are such plain text, and the three bleach passes cost far more than
    the paragraph step, which is all that changes them. Any character the HTML parser
    could treat specially (control, non-printing or unusual whitespace) takes bleach's way.
    """
    return (
        _PLAIN_SPECIAL.search(text) is None
        and text.replace("\n", "").replace("\t", "").isprintable()
        and _LINK_HINT.search(text) is None
    )


def render(body: str) -> str:
    """Turn a commenter's raw text into safe HTML."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    return _paragraphs(text) if _plain(text) else _sanitised(text)


def _sanitised(text: str) -> str:
    text = _MARKUP_DECLARATION.sub("&lt;", text)
    if not text:
        return ""
    clean, linker, reclean = _pipeline()
    # The last pass re-balances tags the paragraph split cut in half (e.g. <b> across a blank
    # line) and re-checks everything linkify added; bleach leaves existing entities alone,
    # so nothing is escaped twice.
    return reclean.clean(_paragraphs(linker.linkify(clean.clean(text))))


class _TextExtractor(HTMLParser):
    _BREAKS = frozenset({"br", "p", "li", "ul", "ol", "blockquote", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        # Without a space here "a<br>b" would excerpt as "ab".
        if tag in self._BREAKS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def excerpt(html: str, length: int = 140) -> str:
    """Plain-text excerpt of rendered HTML; the result is text, so escape it when displaying."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = " ".join("".join(extractor.parts).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if text[length - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"
