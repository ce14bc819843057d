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


# ---- through the import pipeline ----------------------------------------------------

KILNS = "2026/03/10/brick-kilns"

# source id -> (parent's source id, depth, status, removed) as the site had them
STORED = {
    "1001": (None, 1, "approved", False),
    "1002": ("1001", 2, "approved", False),
    "1003": ("1002", 3, "approved", False),
    "1004": ("1003", 4, "approved", False),
    "1005": (None, 1, "spam", False),
    "1006": (None, 1, "rejected", True),
    "1007": ("1006", 2, "approved", False),
    "1011": (None, 1, "rejected", True),
    "1009": ("1011", 2, "rejected", True),
    "1010": ("1009", 3, "approved", False),
    "1012": (None, 1, "spam", False),
    "2001": (None, 1, "approved", False),
    "2002": ("2001", 2, "approved", False),
}


def import_export(session, path=EXPORT, **options):
    from commentsvc.services import importing

    return importing.import_records(
        session, disqus.parse(path), source="disqus", thread_depth=5, **options
    )


def stored(session) -> dict:
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from commentsvc.models import Article, Comment

    parent = aliased(Comment)
    rows = session.execute(
        select(Comment, parent.source_id, Article.article_id)
        .join(Article, Article.id == Comment.article_pk)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(Comment.source == "disqus")
    ).all()
    return {c.source_id: (c, parent_sid, article_id) for c, parent_sid, article_id in rows}


def test_the_export_imports_with_every_status_and_reply_chain(db_session):
    summary = import_export(db_session)

    assert (summary.articles_created, summary.articles_found) == (3, 0)
    assert dict(summary.comments) == {"approved": 8, "spam": 2, "rejected": 3}
    assert (summary.replies, summary.removed, summary.orphans_made_top_level) == (7, 3, 0)
    assert dict(summary.skipped) == {
        disqus.DELETED_NO_REPLIES: 1,
        disqus.NO_DATE: 1,
        disqus.THREAD_DELETED: 1,
        disqus.THREAD_UNKNOWN: 1,
        disqus.NO_ID: 1,
    }
    rows = stored(db_session)
    assert {
        sid: (parent, c.depth, c.status.value, c.erased_at is not None)
        for sid, (c, parent, _) in rows.items()
    } == STORED
    assert {sid: article for sid, (_, _, article) in rows.items()} == {
        **{sid: KILNS for sid in STORED if sid.startswith("1")},
        "2001": "ur/lahore-smog",
        "2002": "ur/lahore-smog",
    }
    # A chain shares its root: 1004's root is 1001, 1010's is the deleted 1011.
    assert rows["1004"][0].root_id == rows["1001"][0].id
    assert rows["1010"][0].root_id == rows["1011"][0].id


def test_imported_comments_keep_their_data_and_are_sanitised(db_session):
    from sqlalchemy import select

    from commentsvc.models import ModerationEvent

    import_export(db_session)
    rows = stored(db_session)
    first = rows["1001"][0]
    assert (first.author_name, first.author_email, first.remote_addr) == (
        "Amina Qureshi",
        "amina@example.org",
        "203.0.113.5",
    )
    assert first.created_at == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert "<script>" in first.body and "<script>" not in first.html  # raw kept, HTML safe
    assert "<b>halves</b>" in first.html
    urdu = rows["1003"][0]
    assert urdu.author_name == "عمران خان" and "بہت شکریہ" in urdu.html
    placeholder = rows["1006"][0]
    assert (placeholder.author_name, placeholder.author_email, placeholder.body) == ("", "", "")
    assert placeholder.remote_addr is None
    events = db_session.scalars(
        select(ModerationEvent).where(ModerationEvent.comment_id == first.id)
    ).all()
    assert [(e.action, e.reason) for e in events] == [
        ("import", "imported from Disqus, comment 1001")
    ]
    assert events[0].details == {
        "source": "disqus",
        "source_id": "1001",
        "disqus_username": "aminaq",
    }


def test_closed_threads_stay_closed(db_session):
    from sqlalchemy import select

    from commentsvc.models import Article

    import_export(db_session)
    articles = {a.article_id: a for a in db_session.scalars(select(Article))}
    assert articles["ur/lahore-smog"].comments_open is False
    assert articles[KILNS].comments_open is True
    assert articles[KILNS].title == "Punjab brick-kiln modernisation"
    assert articles[KILNS].url == "https://news.example/2026/03/10/brick-kilns/"


def test_a_second_import_changes_nothing(db_session):
    from tests.helpers import row_counts

    import_export(db_session)
    before = {sid: (c.id, c.status, c.depth) for sid, (c, _, _) in stored(db_session).items()}
    counts = row_counts(db_session)
    again = import_export(db_session)
    assert again.already_imported == len(STORED)
    assert (again.stored, again.articles_created, again.articles_found) == (0, 0, 3)
    assert row_counts(db_session) == counts
    after = {sid: (c.id, c.status, c.depth) for sid, (c, _, _) in stored(db_session).items()}
    assert after == before


@pytest.mark.parametrize("killed_after", [4, 9, 12, 16])
def test_an_import_killed_halfway_and_rerun_ends_as_one_import(db_session, killed_after):
    from sqlalchemy import func, select

    from commentsvc.models import ModerationEvent
    from commentsvc.services import importing

    def killed():
        for n, item in enumerate(disqus.parse(EXPORT)):
            if n == killed_after:
                raise KeyboardInterrupt
            yield item

    with pytest.raises(KeyboardInterrupt):
        importing.import_records(db_session, killed(), source="disqus", batch_size=2)
    assert len(stored(db_session)) < len(STORED)
    import_export(db_session, batch_size=2)

    rows = stored(db_session)
    assert {
        sid: (parent, c.depth, c.status.value, c.erased_at is not None)
        for sid, (c, parent, _) in rows.items()
    } == STORED
    events = db_session.execute(
        select(ModerationEvent.comment_id, func.count()).group_by(ModerationEvent.comment_id)
    ).all()
    assert sorted(events) == sorted((c.id, 1) for c, _, _ in rows.values())


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_files_import_nothing(db_session, path):
    from tests.helpers import row_counts

    counts = row_counts(db_session)
    with pytest.raises(UnsafeXML):
        import_export(db_session, path)
    assert row_counts(db_session) == counts


def test_the_public_thread_shows_what_the_site_showed(db_session, client):
    import_export(db_session)
    ours = {c.id: sid for sid, (c, _, _) in stored(db_session).items()}
    response = client.get(f"/api/v1/articles/{KILNS}/comments")
    assert response.status_code == 200
    body = response.get_json()

    def shape(nodes):
        return [(ours[n["id"]], n["removed"], shape(n["replies"])) for n in nodes]

    assert body["article_id"] == KILNS
    assert body["count"] == 6  # approved, readable comments
    assert shape(body["comments"]) == [
        ("1001", False, [("1002", False, [("1003", False, [("1004", False, [])])])]),
        ("1006", True, [("1007", False, [])]),
        ("1011", True, [("1009", True, [("1010", False, [])])]),
    ]
    text = response.get_data(as_text=True)
    for hidden in ("Cheap bricks", "amina@example.org", "203.0.113.5", "I regret"):
        assert hidden not in text
    urdu = client.get("/api/v1/articles/ur/lahore-smog/comments").get_json()
    assert [(c["author"]["name"], len(c["replies"])) for c in urdu["comments"]] == [("مہمان", 1)]
    assert urdu["comments_open"] is False


def test_the_site_identifier_can_be_the_article_id(db_session, client):
    import_export(db_session, article_id_from="slug")
    body = client.get("/api/v1/articles/pk-2026-03-10-brick-kilns/comments").get_json()
    assert body["count"] == 6
    assert {a for _, (_, _, a) in stored(db_session).items()} == {
        "pk-2026-03-10-brick-kilns",
        "ur-lahore-smog",
    }


# ---- from the command line ----------------------------------------------------------


def test_flask_import_disqus_prints_the_summary(runner, db_session):
    result = runner.invoke(args=["import", "disqus", str(EXPORT)])
    assert result.exit_code == 0, result.output
    lines = dict(line.rsplit(None, 1) for line in result.stdout.splitlines()[2:])
    assert lines["articles created"] == "3"
    assert (lines["comments approved"], lines["comments spam"]) == ("8", "2")
    assert lines[f"skipped: {disqus.THREAD_DELETED}"] == "1"
    assert len(stored(db_session)) == len(STORED)


def test_flask_import_disqus_dry_run_writes_nothing(runner, db_session):
    from tests.helpers import row_counts

    counts = row_counts(db_session)
    result = runner.invoke(args=["import", "disqus", "--dry-run", str(EXPORT)])
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written" in result.stdout
    assert row_counts(db_session) == counts


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_flask_import_refuses_hostile_files(runner, db_session, path):
    from tests.helpers import row_counts

    counts = row_counts(db_session)
    result = runner.invoke(args=["import", "disqus", str(path)])
    assert result.exit_code == 1
    assert "refused, the file declares a DTD" in result.output
    assert "Nothing was imported." in result.output
    assert row_counts(db_session) == counts
