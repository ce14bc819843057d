"""Undoing a decision as a whole, and articles that close by themselves at a time."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from commentsvc.errors import InvalidTransition, NotFound
from commentsvc.models import Article, Comment, ModerationEvent
from commentsvc.services import Actor, moderation
from commentsvc.status import Status
from tests.helpers import ARTICLE, moderate, submit

ACTOR = Actor()


def held_ids(client, count: int) -> list[int]:
    return [submit(client, body=f"Comment {n}").get_json()["id"] for n in range(count)]


def statuses(session, ids) -> list[Status]:
    session.expire_all()
    return [session.get(Comment, i).status for i in ids]


def test_undo_puts_a_bulk_decision_back_and_logs_it(client, db_session):
    ids = held_ids(client, 3)
    moderation.moderate(db_session, ids, "spam", ACTOR, batch_id="b1")

    moderation.undo(db_session, "b1", ACTOR)

    assert statuses(db_session, ids) == [Status.pending] * 3
    undone = db_session.scalars(
        select(ModerationEvent).where(ModerationEvent.action == "undo")
    ).all()
    assert sorted(e.comment_id for e in undone) == sorted(ids)
    assert {(e.from_status, e.to_status) for e in undone} == {(Status.spam, Status.pending)}
    assert len({e.batch_id for e in undone}) == 1 and undone[0].batch_id != "b1"


def test_undo_of_an_approval_takes_the_comment_off_the_thread(client, auth, db_session):
    (comment_id,) = held_ids(client, 1)
    moderation.moderate(db_session, [comment_id], "approve", ACTOR, batch_id="b2")
    assert client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()["count"] == 1

    moderation.undo(db_session, "b2", ACTOR)

    assert client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()["count"] == 0


def test_undo_refuses_when_a_comment_moved_since_and_changes_nothing(client, auth, db_session):
    ids = held_ids(client, 2)
    moderation.moderate(db_session, ids, "approve", ACTOR, batch_id="b3")
    assert moderate(client, auth, ids[1], "reject").status_code == 200

    with pytest.raises(InvalidTransition) as refused:
        moderation.undo(db_session, "b3", ACTOR)

    assert refused.value.fields == {"ids": [f"Comment {ids[1]} changed since."]}
    assert statuses(db_session, ids) == [Status.approved, Status.rejected]


def test_undo_of_an_unknown_decision_is_not_found(db_session):
    with pytest.raises(NotFound):
        moderation.undo(db_session, "no-such-batch", ACTOR)


def test_an_article_closes_by_itself_when_its_closing_time_passes(client, auth, db_session):
    soon = datetime.now(UTC) + timedelta(days=1)
    url = f"/api/v1/articles/{ARTICLE}"
    response = client.put(url, json={"closes_at": soon.isoformat()}, headers=auth)
    assert response.get_json()["closes_at"].startswith(soon.isoformat()[:16])
    assert submit(client).status_code == 202
    open_thread = client.get(f"{url}/comments")
    assert open_thread.get_json()["comments_open"] is True

    # Time passes: the row is not written, so its version stays the same.
    db_session.execute(update(Article).values(closes_at=datetime.now(UTC) - timedelta(seconds=1)))
    db_session.commit()

    refused = submit(client)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "comments_closed"
    closed_thread = client.get(
        f"{url}/comments", headers={"If-None-Match": open_thread.headers["ETag"]}
    )
    assert closed_thread.status_code == 200
    assert closed_thread.get_json()["comments_open"] is False


def test_a_closing_time_without_a_zone_is_read_as_utc(client, auth):
    response = client.put(
        f"/api/v1/articles/{ARTICLE}", json={"closes_at": "2030-01-01T12:00:00"}, headers=auth
    )
    assert response.status_code == 201
    assert response.get_json()["closes_at"] == "2030-01-01T12:00:00+00:00"


def test_a_malformed_closing_time_is_refused(client, auth):
    response = client.put(f"/api/v1/articles/{ARTICLE}", json={"closes_at": "soon"}, headers=auth)
    assert response.status_code == 422
    assert "closes_at" in response.get_json()["error"]["fields"]
