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
