"""Each article keeps its approved count, recounted in the transaction of every change."""

import pytest
from sqlalchemy import func, select

from commentsvc.models import Article, Comment
from commentsvc.status import Status
from tests.helpers import ARTICLE, moderate, published, submit

COUNTS = f"/api/v1/counts?article_id={ARTICLE}"


def kept_and_actual(db_session) -> tuple[int, int]:
    db_session.expire_all()
    article = db_session.scalar(select(Article).where(Article.article_id == ARTICLE))
    actual = db_session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.article_pk == article.id, Comment.status == Status.approved)
    )
    return article.approved_count, actual


def test_the_kept_count_follows_every_change(client, auth, db_session, moderator):
    first = published(client, auth)
    second = published(client, auth, body="Second")
    held = submit(client, body="Held").get_json()["id"]
    assert kept_and_actual(db_session) == (2, 2)

    steps = [
        lambda: moderate(client, auth, held, "approve"),
        lambda: moderate(client, auth, first, "spam"),
        lambda: client.post(
            "/api/v1/moderation/bulk",
            json={"ids": [second, held], "action": "reject"},
            headers=auth,
        ),
        lambda: moderate(client, auth, second, "approve"),
        lambda: client.delete(f"/api/v1/comments/{second}", headers=auth),
        lambda: client.patch(f"/api/v1/comments/{first}", json={"body": "Edited"}, headers=auth),
    ]
    for step in steps:
        assert step().status_code in (200, 204)
        kept, actual = kept_and_actual(db_session)
        assert kept == actual
        assert client.get(COUNTS).get_json()["counts"][ARTICLE] == actual


def test_a_refused_decision_leaves_the_count(client, auth, db_session):
    comment = published(client, auth)

    assert moderate(client, auth, comment, "approve").status_code == 409

    assert kept_and_actual(db_session) == (1, 1)


@pytest.mark.parametrize("changed", [False, True])
def test_counts_revalidate_with_their_etag(client, auth, changed):
    published(client, auth)
    etag = client.get(COUNTS).headers["ETag"]
    if changed:
        published(client, auth, body="Another")

    response = client.get(COUNTS, headers={"If-None-Match": etag})

    assert response.status_code == (200 if changed else 304)
    if changed:
        assert response.get_json()["counts"][ARTICLE] == 2
