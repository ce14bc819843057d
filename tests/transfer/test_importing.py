"""The import pipeline on plain records: batches, idempotence, late parents, orphans, dry run."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from commentsvc.models import Article, Comment, ModerationEvent
from commentsvc.services import importing
from commentsvc.transfer.records import ArticleRecord, CommentRecord, Skipped

T0 = datetime(2020, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=5, minutes=45)))


def article(sid="p1", url="https://blog.example/2020/05/hello-world/"):
    return ArticleRecord(source_id=sid, url=url, title="Hello world")


def comment(sid, parent=None, status="approved", minutes=0, **kw):
    values = dict(
        source_id=sid,
        article_source_id="p1",
        parent_source_id=parent,
        author_name=f"Author {sid}",
        author_email=f"a{sid}@example.org",
        author_url=None,
        body=f"Comment <b>{sid}</b>",
        created_at=T0 + timedelta(minutes=minutes),
        status=status,
    )
    values.update(kw)
    return CommentRecord(**values)


def state(session):
    rows = session.execute(
        select(
            Comment.source_id,
            Comment.depth,
            Comment.status,
            Comment.created_at,
            Comment.parent_id,
            Comment.erased_at,
        ).order_by(Comment.source_id)
    ).all()
    events = session.scalar(select(func.count()).select_from(ModerationEvent))
    return rows, events


def records():
    # "5" replies to "4", which comes later in the file; "9" replies to nothing known.
    return [
        article(),
        comment("1"),
        comment("2", parent="1", minutes=1),
        comment("3", parent="2", minutes=2, status="pending"),
        comment("5", parent="4", minutes=4),
        comment("4", parent="3", minutes=3, status="spam"),
        comment("6", parent="5", minutes=5, status="rejected"),
        comment("7", removed=True, minutes=6),
        comment("8", parent="7", minutes=7),
        comment("9", parent="404", minutes=8),
        Skipped("10", "pingback skipped"),
    ]


@pytest.mark.parametrize("batch_size", [1, 3, 500])
def test_import_nests_counts_and_audits(db_session, batch_size):
    summary = importing.import_records(
        db_session, records(), source="wordpress", batch_size=batch_size, thread_depth=5
    )

    assert summary.articles_created == 1
    assert dict(summary.comments) == {"approved": 5, "pending": 1, "spam": 1, "rejected": 2}
    assert summary.replies == 6
    assert summary.orphans_made_top_level == 1
    assert summary.deeper_than_limit == 1  # "6" sits at depth 6
    assert summary.removed == 1
    assert summary.skipped == {"pingback skipped": 1}
    art = db_session.scalar(select(Article))
    assert art.article_id == "2020/05/hello-world"
    assert art.approved_count == 5
    by_sid = {c.source_id: c for c in db_session.scalars(select(Comment))}
    assert by_sid["5"].parent_id == by_sid["4"].id
    assert [by_sid[s].depth for s in "123456"] == [1, 2, 3, 4, 5, 6]
    assert by_sid["6"].root_id == by_sid["1"].id
    assert by_sid["3"].created_at == T0 + timedelta(minutes=2)
    assert by_sid["3"].created_at.utcoffset() == timedelta(0)
    assert by_sid["1"].html == "<p>Comment <b>1</b></p>" and by_sid["1"].body == "Comment <b>1</b>"
    assert by_sid["7"].erased_at is not None and by_sid["7"].author_email == ""
    assert by_sid["9"].parent_id is None
    event = db_session.scalar(
        select(ModerationEvent).where(ModerationEvent.comment_id == by_sid["4"].id)
    )
    assert event.action == "import" and event.actor_label == "import"
    assert event.reason == "imported from WordPress, comment 4"
    assert db_session.scalar(select(func.count()).select_from(ModerationEvent)) == 9


def test_a_second_import_changes_nothing(db_session):
    importing.import_records(db_session, records(), source="wordpress", batch_size=2)
    before = state(db_session)
    version = db_session.scalar(select(Article.version))

    summary = importing.import_records(db_session, records(), source="wordpress", batch_size=2)

    assert summary.stored == 0 and summary.already_imported == 9
    assert state(db_session) == before
    assert db_session.scalar(select(Article.version)) == version


def test_an_import_stopped_after_a_batch_resumes_without_duplicates(db_session):
    def failing():
        for n, item in enumerate(records()):
            if n == 5:
                raise RuntimeError("killed")
            yield item

    with pytest.raises(RuntimeError):
        importing.import_records(db_session, failing(), source="wordpress", batch_size=2)
    assert 0 < db_session.scalar(select(func.count()).select_from(Comment)) < 9

    importing.import_records(db_session, records(), source="wordpress", batch_size=2)
    resumed = state(db_session)
    db_session.execute(ModerationEvent.__table__.delete())
    db_session.execute(Comment.__table__.delete())
    importing.import_records(db_session, records(), source="wordpress", batch_size=2)

    # Same rows (ids aside); the parents point where they did.
    assert [r[:4] for r in state(db_session)[0]] == [r[:4] for r in resumed[0]]
    assert state(db_session)[1] == resumed[1]


def test_a_dry_run_writes_nothing(db_session):
    summary = importing.import_records(db_session, records(), source="wordpress", dry_run=True)

    assert summary.dry_run and summary.stored == 9 and summary.replies == 6
    assert db_session.scalar(select(func.count()).select_from(Comment)) == 0
    assert db_session.scalar(select(func.count()).select_from(Article)) == 0


@pytest.mark.parametrize(
    ("mode", "url", "expected"),
    [
        ("path", "https://blog.example/2020/05/hello-world/", "2020/05/hello-world"),
        ("path", "https://blog.example/?p=123", "p-123"),
        ("path", "https://blog.example/index.php?p=123", "index.php-p-123"),
        ("path", "https://blog.example//a//b/", "a/b"),
        ("path", "https://blog.example/2024/اردو/", "2024/d8a7d8b1d8afd988"),
        ("path", "https://blog.example/2024/%D8%A7%D8%B1%D8%AF%D9%88/", "2024/d8a7d8b1d8afd988"),
        ("path", "https://blog.example/a b/", "a-b"),
        ("path", "https://blog.example/", None),
        ("permalink", "https://blog.example/a/?x=1", "blog.example/a/-x-1"),
        ("slug", "https://blog.example/2020/05/hello-world/", "hello-world"),
        ("source-id", "https://blog.example/x/", "p1"),
        ("path", "https://blog.example/a/comments", None),
        ("path", None, None),
    ],
)
def test_article_ids(mode, url, expected):
    record = ArticleRecord(source_id="p1", url=url)
    assert importing.derive_article_id(record, "wordpress", mode) == expected


def test_bad_records_are_skipped_with_reasons(db_session):
    bad = [
        article(),
        comment("1", body="bell \x07"),
        comment("2", status="trash"),
        comment("3", created_at=datetime(2020, 1, 1)),
        comment("4", article_source_id="nope"),
        comment("5"),
    ]
    summary = importing.import_records(db_session, bad, source="disqus")

    assert summary.stored == 1
    assert summary.skipped == {
        "text with control characters or invalid Unicode": 1,
        "unknown status 'trash'": 1,
        "date without a time zone": 1,
        "no article for it in the file": 1,
    }
    assert db_session.scalar(select(Comment.created_at)) == T0.astimezone(UTC)


def test_two_posts_on_one_article_id_do_not_merge(db_session):
    records = [
        article("p1", "https://blog.example/a/"),
        comment("1"),
        article("p2", "https://blog.example/a"),
        comment("2", article_source_id="p2"),
    ]
    summary = importing.import_records(db_session, records, source="wordpress")

    assert summary.stored == 1
    assert summary.skipped == {"no article id from its path, or another post's": 1}


def test_the_first_comment_time_is_the_earliest_imported(db_session):
    importing.import_records(db_session, records(), source="wordpress", batch_size=2)

    assert db_session.scalar(select(Article.first_comment_at)) == T0
