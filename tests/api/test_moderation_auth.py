"""API keys on the moderation endpoints: who may read, who may act, who is turned away."""

import pytest

from commentsvc.models import ApiKey, Scope
from commentsvc.services import accounts
from tests.helpers import row_counts, submit

# Every moderation endpoint as (method, path, JSON body); "{id}" stands for a pending comment.
READS = [
    ("GET", "/api/v1/comments", None),
    ("GET", "/api/v1/comments/{id}", None),
    ("GET", "/api/v1/comments/{id}/events", None),
]
WRITES = [
    ("PATCH", "/api/v1/comments/{id}", {"body": "Rewritten."}),
    ("DELETE", "/api/v1/comments/{id}", None),
    ("POST", "/api/v1/comments/{id}/moderation", {"action": "approve"}),
    ("POST", "/api/v1/moderation/bulk", {"ids": "{id}", "action": "approve"}),
    ("PUT", "/api/v1/articles/a-new-article", {"title": "New"}),
]


def call(client, method, path, body, comment_id, headers=None):
    if body and body.get("ids") == "{id}":
        body = body | {"ids": [comment_id]}
    return client.open(path.format(id=comment_id), method=method, json=body, headers=headers)


@pytest.fixture
def comment_id(client):
    return submit(client).get_json()["id"]


@pytest.mark.parametrize(("method", "path", "body"), READS + WRITES)
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Bearer csk_not-a-real-key"],
)
def test_missing_or_wrong_key_is_401_with_challenge(
    client, db_session, comment_id, method, path, body, authorization
):
    headers = {} if authorization is None else {"Authorization": authorization}
    before = row_counts(db_session)

    response = call(client, method, path, body, comment_id, headers)

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert row_counts(db_session) == before


def test_the_key_is_the_whole_secret(client, api_key):
    response = client.get("/api/v1/comments", headers={"Authorization": f"Bearer {api_key}x"})

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), READS + WRITES)
def test_revoked_key_is_401(client, db_session, api_key, comment_id, method, path, body):
    key = accounts.find_live_key(db_session, api_key)
    accounts.revoke_api_key(db_session, key.id)

    response = call(client, method, path, body, comment_id, {"Authorization": f"Bearer {api_key}"})

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body"), READS)
def test_read_key_may_read(client, read_key, comment_id, method, path, body):
    response = call(client, method, path, body, comment_id, {"Authorization": f"Bearer {read_key}"})

    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_read_key_may_not_act(client, db_session, read_key, comment_id, method, path, body):
    headers = {"Authorization": f"Bearer {read_key}"}
    before = row_counts(db_session)

    response = call(client, method, path, body, comment_id, headers)

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert row_counts(db_session) == before
    comment = client.get(f"/api/v1/comments/{comment_id}", headers=headers).get_json()
    assert comment["status"] == "pending"
    assert comment["body"] == "A thoughtful comment."
    assert comment["erased_at"] is None


@pytest.mark.parametrize("scope", list(Scope))
def test_using_a_key_records_when(client, db_session, scope):
    key, secret = accounts.create_api_key(db_session, "dashboard", scope)
    key_id = key.id
    assert key.last_used_at is None

    response = client.get("/api/v1/comments", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200

    used = db_session.get(ApiKey, key_id)
    db_session.refresh(used)
    assert used.last_used_at is not None
    assert used.last_used_at >= used.created_at
