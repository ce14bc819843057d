"""driver.Insert stores what SQLAlchemy's own INSERT stores, and fails as it does."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import exc, insert, select

from commentsvc import driver
from commentsvc.models import Article, Comment, Kind, OutboxKind, OutboxMessage, OutboxState
from commentsvc.services import comments, outbox
from commentsvc.status import Status

WHEN = datetime(2026, 3, 10, 9, 30, 15, 123456, tzinfo=UTC)


def comment_values(article_pk: int, **changes) -> dict:
    values = {
        "article_pk": article_pk,
        "parent_id": None,
        "root_id": None,
        "depth": 1,
        "author_name": "Ada ‮ Lovelace",
        "author_email": "ada@example.org",
        "author_url": None,
        "body": "Line one\nwith “quotes” and ünïcödé 🎉",
        "html": "<p>Line one<br>with “quotes” and ünïcödé 🎉</p>",
        "sanitizer_version": 3,
        "status": Status.spam,
        "held_reasons": [{"rule": "links", "message": "3 links", "details": {"n": 3}}],
        "remote_addr": "2001:db8::1",
        "user_agent": "Mozilla/5.0",
        "created_at": WHEN,
        "updated_at": WHEN,
        "erased_at": None,
        "is_staff": False,
        "moderator_id": None,
        "kind": Kind.comment,
        "source": "wordpress",
        "source_id": "42",
    }
    return values | changes


def read_back(conn, table, row_id: int) -> dict:
    row = conn.execute(select(table).where(table.c.id == row_id)).mappings().one()
    return {key: value for key, value in row.items() if key != "id"}


@pytest.fixture
def article_pk(db_session):
    article = Article(article_id="driver-insert")
    db_session.add(article)
    db_session.flush()
    return article.id


def test_a_comment_reads_back_as_sqlalchemys_insert_stores_it(db_session, article_pk):
    conn = db_session.connection()
    table = Comment.__table__
    values = comment_values(article_pk)

    fast = comments._INSERT.run(conn, values)
    other = values | {"source_id": "43"}  # (source, source_id) is unique
    reference = conn.execute(insert(table), other).inserted_primary_key[0]

    assert fast != reference
    assert read_back(conn, table, fast) == read_back(conn, table, reference) | {"source_id": "42"}
    assert read_back(conn, table, fast)["held_reasons"] == values["held_reasons"]
    assert read_back(conn, table, fast)["created_at"] == WHEN


def test_an_outbox_row_reads_back_as_sqlalchemys_insert_stores_it(db_session, article_pk):
    conn = db_session.connection()
    comment_id = comments._INSERT.run(conn, comment_values(article_pk))
    table = OutboxMessage.__table__
    values = {
        "delivery_id": "d-1",
        "kind": OutboxKind.event,
        "event": "comment.created",
        "comment_id": comment_id,
        "author_email": None,
        "payload": {"comment": {"id": comment_id, "body": "ü\u2028", "tags": [1, None, True]}},
        "state": OutboxState.pending,
        "attempts": 0,
        "next_attempt_at": WHEN,
        "created_at": WHEN,
    }

    fast = outbox._INSERT.run(conn, values)
    reference = conn.execute(insert(table), values | {"delivery_id": "d-2"}).inserted_primary_key[0]

    assert read_back(conn, table, fast) == read_back(conn, table, reference) | {
        "delivery_id": "d-1"
    }


def test_a_column_only_sqlalchemy_would_fill_in_is_refused(db_session):
    partial = driver.Insert(Comment.__table__, ["article_pk", "author_name"])
    with pytest.raises(ValueError, match="created_at"):
        partial.run(db_session.connection(), {"article_pk": 1, "author_name": "x"})


def test_a_failing_insert_raises_sqlalchemys_error_not_the_drivers(db_session, article_pk):
    nested = db_session.begin_nested()  # PostgreSQL's transaction survives the failure
    with pytest.raises(exc.DBAPIError) as raised:
        comments._INSERT.run(db_session.connection(), comment_values(article_pk + 1000))
    nested.rollback()
    if db_session.get_bind().dialect.name == "sqlite":
        # There a failed statement leaves the transaction as it was, so SQLAlchemy's own
        # run of it gives its own error class.
        assert isinstance(raised.value, exc.IntegrityError)
    assert (
        db_session.scalar(select(Comment.id).where(Comment.article_pk == article_pk + 1000)) is None
    )
