"""The WXR parser, and a WordPress export imported field by field on both databases."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select

from commentsvc.models import Article, Comment, Kind, ModerationEvent
from commentsvc.services import importing
from commentsvc.status import Status
from commentsvc.transfer import UnreadableFile, wordpress
from commentsvc.transfer.records import ArticleRecord, CommentRecord, Skipped

HOSTILE = ["billion_laughs.xml", "xxe.xml", "xxe_remote_dtd.xml"]


def parsed(path, **options):
    return list(wordpress.parse(path, **options))


def test_the_parser_reads_posts_and_comments(fixture_path):
    records = parsed(fixture_path("wordpress.xml"))

    articles = [r for r in records if isinstance(r, ArticleRecord)]
    comments = {r.source_id: r for r in records if isinstance(r, CommentRecord)}
    assert [(a.source_id, a.url, a.title, a.comments_open) for a in articles] == [
        ("1", "https://blog.example/2020/05/hello-world/", "Hello world", True),
        ("2", "https://blog.example/?p=2", "Plain & simple", False),
    ]  # the page without comments is no article
    assert len(comments) == 16
    asha = comments["101"]
    assert asha.created_at == datetime(2020, 5, 1, 10, 0, tzinfo=UTC)
    assert asha.created_at.utcoffset() == timedelta(hours=5, minutes=45)
    assert asha.extra == {"utc_offset": "+05:45"}
    assert comments["103"].created_at.utcoffset() == -timedelta(hours=3, minutes=30)
    assert (asha.author_name, asha.author_email, asha.author_url, asha.remote_addr) == (
        "Asha",
        "asha@example.org",
        "https://asha.example",
        "203.0.113.5",
    )
    assert comments["102"].is_staff and not asha.is_staff
    assert comments["102"].parent_source_id == "101" and asha.parent_source_id is None
    statuses = {sid: c.status for sid, c in comments.items()}
    assert (statuses["103"], statuses["107"], statuses["108"]) == ("pending", "spam", "rejected")
    assert (comments["109"].kind, comments["110"].kind) == ("pingback", "trackback")
    assert comments["111"].author_email == ""
    assert comments["113"].author_name == "عائشہ 🌙"
    # No GMT date: the local one stands in.
    assert comments["201"].created_at == datetime(2021, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_pings_can_be_skipped(fixture_path):
    records = parsed(fixture_path("wordpress.xml"), skip_pings=True)

    skipped = [r for r in records if isinstance(r, Skipped)]
    assert [(s.source_id, s.reason) for s in skipped] == [
        ("109", "pingback (--skip-pings)"),
        ("110", "trackback (--skip-pings)"),
    ]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_refused_before_any_record(fixture_path, name):
    records = wordpress.parse(fixture_path(name))

    with pytest.raises(UnreadableFile, match="DTD or entities"):
        next(records)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_xml.txt", "not well-formed"),
        ("not_wxr.xml", "not a WordPress export"),
        ("truncated.xml", "not well-formed"),
    ],
)
def test_broken_files_are_unreadable(fixture_path, name, message):
    with pytest.raises(UnreadableFile, match=message):
        parsed(fixture_path(name))


def test_a_wordpress_export_imports_field_by_field(db_session, fixture_path):
    summary = importing.import_records(
        db_session,
        wordpress.parse(fixture_path("wordpress.xml")),
        source="wordpress",
        thread_depth=5,
    )

    assert dict(summary.comments) == {"approved": 12, "pending": 2, "spam": 1, "rejected": 1}
    assert summary.replies == 6 and summary.deeper_than_limit == 1
    hello, plain = db_session.scalars(select(Article).order_by(Article.id)).all()
    assert (hello.article_id, hello.title, hello.approved_count) == (
        "2020/05/hello-world",
        "Hello world",
        12,
    )
    assert (plain.article_id, plain.comments_open, plain.approved_count) == ("p-2", False, 0)
    rows = {c.source_id: c for c in db_session.scalars(select(Comment))}
    chain = ["101", "102", "103", "104", "105", "106"]
    for parent, child in pairwise(chain):
        assert rows[child].parent_id == rows[parent].id
        assert rows[child].root_id == rows["101"].id
        assert rows[child].depth == rows[parent].depth + 1
    assert rows["106"].depth == 6
    assert rows["115"].parent_id == rows["114"].id
    asha = rows["101"]
    assert asha.created_at == datetime(2020, 5, 1, 10, 0, tzinfo=UTC)
    assert asha.body == "First!\nA second line."
    assert asha.html == "<p>First!<br>A second line.</p>"
    assert (asha.remote_addr, asha.source, asha.kind) == ("203.0.113.5", "wordpress", Kind.comment)
    assert rows["102"].is_staff and rows["103"].status is Status.pending
    assert rows["109"].kind is Kind.pingback and rows["110"].kind is Kind.trackback
    hostile = rows["111"].html
    assert "<script>" not in hostile and "javascript:" not in hostile and "onclick" not in hostile
    assert '<a href="https://ok.example" rel="nofollow ugc noopener">another</a>' in hostile
    assert rows["112"].body.startswith("**bold**") and "<strong>" not in rows["112"].html
    assert rows["113"].body == "بہت اچھا مضمون ہے 👍🏽 شکریہ"
    event = db_session.scalar(select(ModerationEvent).where(ModerationEvent.comment_id == asha.id))
    assert event.reason == "imported from WordPress, comment 101"
    assert event.details == {"source": "wordpress", "source_id": "101", "utc_offset": "+05:45"}
    assert event.to_status is Status.approved
