"""The Disqus export parser, on its own (records out) and through the import pipeline."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentsvc.transfer import disqus
from commentsvc.transfer.records import ArticleRecord, CommentRecord, Skipped
from commentsvc.transfer.safexml import MalformedXML, UnsafeXML

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "disqus.xml"
HOSTILE = [FIXTURES / "disqus_billion_laughs.xml", FIXTURES / "disqus_xxe.xml"]


def records(path=EXPORT) -> list:
    return list(disqus.parse(path))


def by_id(items) -> dict[str, CommentRecord]:
    return {r.source_id: r for r in items if isinstance(r, CommentRecord)}


# ---- records ------------------------------------------------------------------------


def test_articles_come_first_and_deleted_threads_are_left_out():
    items = records()
    kinds = [type(r) for r in items]
    first_comment = kinds.index(CommentRecord)
    assert set(kinds[:first_comment]) == {ArticleRecord}
    assert ArticleRecord not in kinds[first_comment:]
    assert [a.source_id for a in items[:first_comment]] == ["100", "200", "400"]


def test_a_thread_becomes_an_article_record():
    articles = {r.source_id: r for r in records() if isinstance(r, ArticleRecord)}
    assert articles["100"] == ArticleRecord(
        source_id="100",
        url="https://news.example/2026/03/10/brick-kilns/",
        title="Punjab brick-kiln modernisation",
        slug="pk-2026-03-10-brick-kilns",
        comments_open=True,
        published_at=datetime(2026, 3, 10, 8, 0, tzinfo=UTC),
    )
    assert articles["200"].title == "لاہور میں سموگ: شہری کیا کریں؟"
    assert articles["200"].comments_open is False  # isClosed
    assert articles["400"].slug is None  # an empty <id/>


def test_a_post_becomes_a_comment_record_field_by_field():
    comments = by_id(records())
    assert comments["1002"] == CommentRecord(
        source_id="1002",
        article_source_id="100",
        parent_source_id="1001",
        author_name="Bilal",
        author_email="bilal@example.org",
        author_url=None,
        # CDATA kept as written, including a "]]>" split across two sections
        body='<p>See <a href="https://example.com/kilns" rel="nofollow">the study</a>;'
        " a ]]> b &amp; c</p>",
        created_at=datetime(2026, 3, 10, 10, 0, tzinfo=UTC),
        status="approved",
        remote_addr="203.0.113.6",
        extra={"disqus_username": "bilal"},
    )
    urdu = comments["1003"]
    assert urdu.author_name == "عمران خان"
    assert urdu.body == "<p>بہت شکریہ، یہ معلومات مفید ہیں۔ 🙏</p>"  # noqa: RUF001
    assert urdu.remote_addr == "2001:db8::7"
    assert urdu.parent_source_id == "1002"
    # Escaped text arrives unescaped: the sanitiser sees what the commenter typed.
    assert comments["1004"].body == "**Markdown-looking** _text_ <stays> as written"


def test_guests_and_odd_authors():
    comments = by_id(records())
    guest = comments["2001"]
    assert (guest.author_name, guest.author_email) == ("مہمان", "")
    assert guest.extra == {"disqus_anonymous": True}
    # The documented sample's createdAt has no zone: Disqus means UTC.
    assert guest.created_at == datetime(2026, 2, 1, 5, 30, tzinfo=UTC)
    # Its thread is named by the site's identifier, not by dsq:id.
    assert guest.article_source_id == "200"
    sara = comments["2002"]
    assert sara.author_name == "sara_k"  # no name: the username
    assert sara.remote_addr is None  # an empty <ipAddress/>


def test_statuses_map_to_ours():
    items = records()
    comments = by_id(items)
    assert {sid: (c.status, c.removed) for sid, c in comments.items()} == {
        "1001": ("approved", False),
        "1002": ("approved", False),
        "1003": ("approved", False),
        "1004": ("approved", False),
        "1005": ("spam", False),
        "1006": ("rejected", True),
        "1007": ("approved", False),
        "1009": ("rejected", True),
        "1010": ("approved", False),
        "1011": ("rejected", True),
        "1012": ("spam", False),  # spam a moderator also deleted: still spam
        "2001": ("approved", False),
        "2002": ("approved", False),
    }
    assert sorted((s.source_id, s.reason) for s in items if isinstance(s, Skipped)) == [
        ("1008", disqus.DELETED_NO_REPLIES),
        ("1014", disqus.NO_DATE),
        ("3001", disqus.THREAD_DELETED),
        ("9001", disqus.THREAD_UNKNOWN),
        ("legacy-7", disqus.NO_ID),
    ]


def test_a_deleted_post_keeps_only_its_place():
    comments = by_id(records())
    placeholder = comments["1006"]
    assert (placeholder.author_name, placeholder.author_email, placeholder.body) == ("", "", "")
    assert placeholder.remote_addr is None and placeholder.extra == {}
    assert placeholder.created_at == datetime(2026, 3, 10, 9, 15, tzinfo=UTC)
    text = repr(records())
    for gone in ("regret@example.org", "I regret", "203.0.113.9", "gone@example.org"):
        assert gone not in text


def test_a_chain_of_deleted_posts_under_a_reply_listed_first():
    items = [r for r in records() if isinstance(r, CommentRecord)]
    order = [r.source_id for r in items]
    # 1010 (kept) names 1009 (deleted, later in the file), which names 1011 (deleted,
    # earlier and held back): both become placeholders once the chain is known.
    assert order.index("1010") < order.index("1009") < order.index("1011")
    assert by_id(items)["1009"].parent_source_id == "1011"


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_files_are_refused_before_anything_is_read(path):
    with pytest.raises(UnsafeXML, match="refused, the file declares a DTD") as refused:
        disqus.parse(path)
    assert "root:" not in str(refused.value)  # nothing of /etc/passwd


def test_a_truncated_file_is_malformed(tmp_path):
    cut = tmp_path / "cut.xml"
    cut.write_bytes(EXPORT.read_bytes()[:3000])
    with pytest.raises(MalformedXML, match="not well-formed"):
        disqus.parse(cut)


# ---- deleted posts, any shape and order ---------------------------------------------

POST = """<post dsq:id="{id}"><message>m{id}</message>
<createdAt>2026-01-01T00:00:{s:02d}Z</createdAt><isDeleted>{deleted}</isDeleted><isSpam>false</isSpam><author><name>n</name></author>
<thread dsq:id="1"/>{parent}</post>"""


@st.composite
def forests(draw):
    size = draw(st.integers(1, 12))
    parents = [None] + [draw(st.none() | st.integers(0, i - 1)) for i in range(1, size)]
    deleted = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    order = draw(st.permutations(range(size)))
    return parents, deleted, order


@settings(max_examples=60, deadline=None)
@given(forest=forests())
def test_deleted_posts_are_placeholders_exactly_when_a_kept_post_hangs_below(
    forest, tmp_path_factory
):
    parents, deleted, order = forest
    posts = "".join(
        POST.format(
            id=i,
            s=i,
            deleted=str(deleted[i]).lower(),
            parent="" if parents[i] is None else f'<parent dsq:id="{parents[i]}"/>',
        )
        for i in order
    )
    path = tmp_path_factory.mktemp("forest") / "export.xml"
    path.write_text(
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        '<thread dsq:id="1"><link>https://x.example/a/</link><isDeleted>false</isDeleted>'
        f"</thread>{posts}</disqus>"
    )
    items = records(path)

    def has_kept_below(i):
        children = [c for c, p in enumerate(parents) if p == i]
        return any(not deleted[c] or has_kept_below(c) for c in children)

    expected = {str(i) for i in range(len(parents)) if not deleted[i] or has_kept_below(i)}
    comments = by_id(items)
    assert set(comments) == expected
    assert {s.source_id for s in items if isinstance(s, Skipped)} == {
        str(i) for i in range(len(parents))
    } - expected
    assert {sid for sid, c in comments.items() if c.removed} == {
        sid for sid in expected if deleted[int(sid)]
    }
    # Every kept record's parent is kept too, so no reply is left hanging.
    assert all(c.parent_source_id in (None, *comments) for c in comments.values())
