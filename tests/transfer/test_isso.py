"""The Isso database parser, on its own (records out) and through the import pipeline."""

import hashlib
import sqlite3
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentsvc.transfer import isso
from commentsvc.transfer.records import ArticleRecord, CommentRecord, Skipped
from tests.transfer import isso_db

KILNS = "/2026/03/10/brick-kilns/"
SMOG = "/ur/lahore-smog/"


@pytest.fixture
def isso_file(tmp_path):
    return isso_db.build(tmp_path / "comments.db")


def by_id(items) -> dict[str, CommentRecord]:
    return {r.source_id: r for r in items if isinstance(r, CommentRecord)}


# ---- records ------------------------------------------------------------------------


def test_threads_become_articles_first(isso_file):
    items = list(isso.parse(isso_file))
    articles = [r for r in items if isinstance(r, ArticleRecord)]
    assert items[: len(articles)] == articles
    assert articles == [
        ArticleRecord(source_id=KILNS, url=KILNS, title="Punjab brick-kiln modernisation"),
        ArticleRecord(source_id=SMOG, url=SMOG, title="لاہور میں سموگ: شہری کیا کریں؟"),
        ArticleRecord(source_id="/2026/01/quiet-week/", url="/2026/01/quiet-week/", title=None),
    ]


def test_a_comment_row_becomes_a_record_field_by_field(isso_file):
    comments = by_id(isso.parse(isso_file))
    assert comments["1"] == CommentRecord(
        source_id="1",
        article_source_id=KILNS,
        parent_source_id=None,
        author_name="Amina Qureshi",
        author_email="amina@example.org",
        author_url="https://amina.example",
        # Isso's Markdown source, as stored: the sanitiser renders it like any comment.
        body="Zigzag firing **halves** the smoke.\n\n<script>alert('kiln')</script>",
        created_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        status="approved",
        remote_addr="203.0.113.0",
        extra={"isso_notification": False},
    )
    urdu = comments["3"]
    assert (urdu.author_name, urdu.body) == ("عمران خان", isso_db.URDU_THANKS)
    assert (urdu.parent_source_id, urdu.status, urdu.author_url) == ("2", "pending", None)
    assert urdu.remote_addr == "2001:db8::"
    guest = comments["8"]
    assert (guest.author_name, guest.author_email, guest.author_url) == ("Anonymous", "", None)
    assert guest.article_source_id == SMOG


def test_modes_map_to_ours_and_deleted_rows_without_replies_are_skipped(isso_file):
    items = list(isso.parse(isso_file))
    comments = by_id(items)
    assert {sid: (c.status, c.removed) for sid, c in comments.items()} == {
        "1": ("approved", False),
        "2": ("approved", False),
        "3": ("pending", False),
        "4": ("approved", False),
        "5": ("rejected", True),
        "6": ("approved", False),
        "8": ("approved", False),
        "9": ("pending", False),
        "13": ("approved", False),
        "14": ("approved", False),
    }
    assert sorted((s.source_id, s.reason) for s in items if isinstance(s, Skipped)) == [
        ("10", isso.THREAD_UNKNOWN),
        ("11", isso.DELETED_NO_REPLIES),  # its only reply is deleted too
        ("12", isso.DELETED_NO_REPLIES),
        ("7", isso.DELETED_NO_REPLIES),
    ]
    placeholder = comments["5"]
    assert (placeholder.author_email, placeholder.body, placeholder.remote_addr) == ("", "", None)
    assert "regret@example.org" not in repr(items)


def test_votes_are_left_behind_and_modified_kept_in_extra(isso_file):
    isso_db.add_raw(isso_file, "UPDATE comments SET modified = ?, likes = 9 WHERE id = 4",
                    (isso_db.epoch("2026-03-11 08:30:00"),))  # fmt: skip
    record = by_id(isso.parse(isso_file))["4"]
    assert record.extra == {"isso_notification": False, "modified_at": "2026-03-11T08:30:00+00:00"}
    assert "likes" not in repr(record) and "voters" not in repr(record)


def test_text_that_is_not_utf8_skips_its_row_only(isso_file):
    isso_db.add_raw(
        isso_file,
        "INSERT INTO comments (id, tid, created, mode, text, voters)"
        " VALUES (20, 1, 1773133200.5, 1, CAST(x'6869ff' AS TEXT), x'00')",
    )
    items = list(isso.parse(isso_file))
    assert Skipped("20", isso.NOT_UTF8) in items
    assert len(by_id(items)) == 10


def test_rows_are_read_in_batches_with_the_same_result(isso_file, monkeypatch):
    whole = list(isso.parse(isso_file))
    monkeypatch.setattr(isso, "BATCH", 2)
    assert list(isso.parse(isso_file)) == whole


def test_the_database_is_opened_read_only(isso_file):
    before = hashlib.sha256(isso_file.read_bytes()).hexdigest()
    list(isso.parse(isso_file))
    assert hashlib.sha256(isso_file.read_bytes()).hexdigest() == before
    connection = isso._open(isso_file)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("DELETE FROM comments")
    connection.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"not a database at all" * 100, "not an SQLite database")],
)
def test_what_is_not_an_isso_database_is_refused(tmp_path, content, message):
    path = tmp_path / "isso.db"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(isso.NotAnIssoDatabase, match=message):
        next(isso.parse(path))
    assert path.exists() == (content is not None)  # mode=ro creates nothing


def test_an_sqlite_file_without_isso_tables_is_refused(tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(isso.NotAnIssoDatabase, match="no Isso `threads` and `comments`"):
        next(isso.parse(path))


# ---- deleted comments, any shape ----------------------------------------------------


@st.composite
def forests(draw):
    size = draw(st.integers(1, 12))
    parents = [None] + [draw(st.none() | st.integers(1, i)) for i in range(1, size)]
    modes = draw(st.lists(st.sampled_from([1, 2, 4]), min_size=size, max_size=size))
    return parents, modes


@settings(max_examples=60, deadline=None)
@given(forest=forests())
def test_deleted_rows_are_placeholders_exactly_when_a_kept_row_hangs_below(
    forest, tmp_path_factory
):
    parents, modes = forest
    rows = [
        (i + 1, 1, parents[i], "2026-03-10 09:00:00", modes[i], None, "t", "a", None, None, 0)
        for i in range(len(parents))
    ]
    path = isso_db.build(tmp_path_factory.mktemp("forest") / "isso.db", comments=rows)

    def has_kept_below(cid):
        children = [i + 1 for i, p in enumerate(parents) if p == cid]
        return any(modes[c - 1] != 4 or has_kept_below(c) for c in children)

    kept = {str(i + 1) for i, m in enumerate(modes) if m != 4 or has_kept_below(i + 1)}
    comments = by_id(isso.parse(path))
    assert set(comments) == kept
    assert {sid for sid, c in comments.items() if c.removed} == {
        sid for sid in kept if modes[int(sid) - 1] == 4
    }


# ---- through the import pipeline ----------------------------------------------------

# source id -> (parent's source id, depth, status, removed)
STORED = {
    "1": (None, 1, "approved", False),
    "2": ("1", 2, "approved", False),
    "3": ("2", 3, "pending", False),
    "4": ("3", 4, "approved", False),
    "5": (None, 1, "rejected", True),
    "6": ("5", 2, "approved", False),
    "8": (None, 1, "approved", False),
    "9": ("8", 2, "pending", False),
    "13": ("14", 2, "approved", False),
    "14": (None, 1, "approved", False),
}


def import_db(session, path, **options):
    from commentsvc.services import importing

    return importing.import_records(
        session, isso.parse(path), source="isso", thread_depth=5, **options
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
        .where(Comment.source == "isso")
    ).all()
    return {c.source_id: (c, parent_sid, article_id) for c, parent_sid, article_id in rows}


def test_the_database_imports_with_every_status_and_reply_chain(db_session, isso_file):
    summary = import_db(db_session, isso_file)

    assert summary.articles_created == 3
    assert dict(summary.comments) == {"approved": 7, "pending": 2, "rejected": 1}
    assert (summary.replies, summary.removed, summary.orphans_made_top_level) == (6, 1, 0)
    assert dict(summary.skipped) == {isso.DELETED_NO_REPLIES: 3, isso.THREAD_UNKNOWN: 1}
    rows = stored(db_session)
    assert {
        sid: (parent, c.depth, c.status.value, c.erased_at is not None)
        for sid, (c, parent, _) in rows.items()
    } == STORED
    assert {sid: article for sid, (_, _, article) in rows.items()} == {
        sid: "ur/lahore-smog" if sid in {"8", "9"} else "2026/03/10/brick-kilns" for sid in STORED
    }
    assert rows["4"][0].root_id == rows["1"][0].id


def test_imported_rows_keep_their_data_and_are_sanitised(db_session, isso_file):
    from sqlalchemy import select

    from commentsvc.models import ModerationEvent

    import_db(db_session, isso_file)
    rows = stored(db_session)
    first = rows["1"][0]
    assert (first.author_name, first.author_email, first.author_url, first.remote_addr) == (
        "Amina Qureshi",
        "amina@example.org",
        "https://amina.example",
        "203.0.113.0",
    )
    assert first.created_at == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert first.body == isso_db.COMMENTS[0][6]  # the Markdown source, as Isso kept it
    assert "<script>" not in first.html
    guest = rows["8"][0]
    assert (guest.author_name, guest.author_email) == ("Anonymous", "")
    assert isso_db.URDU_ADVICE in guest.html
    (event,) = db_session.scalars(
        select(ModerationEvent).where(ModerationEvent.comment_id == first.id)
    ).all()
    assert (event.action, event.reason) == ("import", "imported from Isso, comment 1")
    assert event.details == {"source": "isso", "source_id": "1", "isso_notification": False}


def test_a_second_import_changes_nothing(db_session, isso_file):
    from tests.helpers import row_counts

    import_db(db_session, isso_file)
    before = {sid: (c.id, c.status, c.depth) for sid, (c, _, _) in stored(db_session).items()}
    counts = row_counts(db_session)
    again = import_db(db_session, isso_file)
    assert (again.already_imported, again.stored, again.articles_found) == (len(STORED), 0, 3)
    assert row_counts(db_session) == counts
    after = {sid: (c.id, c.status, c.depth) for sid, (c, _, _) in stored(db_session).items()}
    assert after == before


def test_a_file_that_is_not_isso_imports_nothing(db_session, tmp_path):
    from tests.helpers import row_counts

    path = tmp_path / "notes.db"
    path.write_text("just notes\n" * 50)
    counts = row_counts(db_session)
    with pytest.raises(isso.NotAnIssoDatabase):
        import_db(db_session, path)
    assert row_counts(db_session) == counts


def test_the_public_thread_shows_what_isso_showed(db_session, client, isso_file):
    import_db(db_session, isso_file)
    ours = {c.id: sid for sid, (c, _, _) in stored(db_session).items()}
    response = client.get("/api/v1/articles/2026/03/10/brick-kilns/comments")
    assert response.status_code == 200
    body = response.get_json()

    def shape(nodes):
        return [(ours[n["id"]], n["removed"], shape(n["replies"])) for n in nodes]

    assert body["count"] == 6  # approved: 1, 2, 4, 6, 13, 14
    # The pending 3 shows as a placeholder for the approved 4 below it, like the
    # deleted 5 for 6: the conversation keeps its shape, nothing unapproved is shown.
    assert sorted(shape(body["comments"])) == sorted(
        [
            ("1", False, [("2", False, [("3", True, [("4", False, [])])])]),
            ("5", True, [("6", False, [])]),
            ("14", False, [("13", False, [])]),
        ]
    )
    text = response.get_data(as_text=True)
    for hidden in ("amina@example.org", "203.0.113.0", "regret@example.org", isso_db.URDU_THANKS):
        assert hidden not in text
    smog = client.get("/api/v1/articles/ur/lahore-smog/comments").get_json()
    assert [(c["author"]["name"], c["replies"]) for c in smog["comments"]] == [("Anonymous", [])]


# ---- from the command line ----------------------------------------------------------


def test_flask_import_isso_prints_the_summary(runner, db_session, isso_file):
    result = runner.invoke(args=["import", "isso", str(isso_file)])
    assert result.exit_code == 0, result.output
    lines = dict(line.rsplit(None, 1) for line in result.stdout.splitlines()[2:])
    assert (lines["articles created"], lines["comments pending"]) == ("3", "2")
    assert lines[f"skipped: {isso.DELETED_NO_REPLIES}"] == "3"
    assert len(stored(db_session)) == len(STORED)


def test_flask_import_isso_refuses_other_files(runner, db_session, tmp_path):
    from tests.helpers import row_counts

    path = tmp_path / "export.xml"
    path.write_text("<rss/>")
    counts = row_counts(db_session)
    result = runner.invoke(args=["import", "isso", str(path)])
    assert result.exit_code == 1
    assert "not an SQLite database" in result.output and "Nothing was imported." in result.output
    assert row_counts(db_session) == counts
