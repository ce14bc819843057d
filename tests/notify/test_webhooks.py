"""Webhooks: registered through the API and the review UI, delivered signed to a real HTTP
server (verified with the `standardwebhooks` reference package), retried, logged."""

from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select, update

from commentsvc.models import OutboxMessage, OutboxState, Webhook, utcnow
from tests.helpers import (
    EMAIL,
    PUBLIC_WEBHOOK_AUTHOR_KEYS,
    PUBLIC_WEBHOOK_COMMENT_KEYS,
    PUBLIC_WEBHOOK_DATA_KEYS,
    PUBLIC_WEBHOOK_KEYS,
    api_error,
    moderate,
    row_counts,
    submit,
)
from tests.notify.helpers import outbox_rows
from tests.review.conftest import csrf_from, signed_in

EVENTS = ["comment.created", "comment.moderated", "comment.edited", "comment.erased"]


def register(client, auth, url, *, events=EVENTS, moderation=False):
    response = client.post(
        "/api/v1/webhooks",
        json={"url": url, "events": events, "moderation": moderation},
        headers=auth,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def assert_public(payload: dict) -> None:
    """Fail when a payload for a public endpoint carries a key nobody allowed on purpose."""
    assert set(payload) <= PUBLIC_WEBHOOK_KEYS
    assert set(payload["data"]) <= PUBLIC_WEBHOOK_DATA_KEYS
    comment = payload["data"]["comment"]
    assert set(comment) <= PUBLIC_WEBHOOK_COMMENT_KEYS, set(comment) - PUBLIC_WEBHOOK_COMMENT_KEYS
    assert set(comment.get("author", {})) <= PUBLIC_WEBHOOK_AUTHOR_KEYS


def make_due(session) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.pending)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()


# ---- the API ---------------------------------------------------------------------------


def test_register_list_change_and_remove_through_the_api(client, auth, db_session, receiver):
    created = register(client, auth, receiver.url, events=["comment.created"])
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["comment.created"] and created["moderation"] is False

    listed = client.get("/api/v1/webhooks", headers=auth).get_json()["webhooks"]
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0]
    one = client.get(f"/api/v1/webhooks/{created['id']}", headers=auth).get_json()
    assert "secret" not in one

    changed = client.patch(
        f"/api/v1/webhooks/{created['id']}",
        json={"events": ["comment.erased", "comment.created"], "moderation": True},
        headers=auth,
    )
    assert changed.status_code == 200
    assert changed.get_json()["events"] == ["comment.created", "comment.erased"]
    assert changed.get_json()["url"] == receiver.url
    assert changed.get_json()["moderation"] is True

    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=auth).status_code == 204
    api_error(client.get(f"/api/v1/webhooks/{created['id']}", headers=auth), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://hooks.example/x", "events": ["comment.created"]},
        {"url": "https://user:pw@hooks.example/x", "events": ["comment.created"]},
        {"url": "https://hooks.example/x", "events": []},
        {"url": "https://hooks.example/x", "events": ["comment.liked"]},
        {"url": "https://hooks.example/x"},
        {"url": "https://hooks.example/x", "events": ["comment.created"], "extra": 1},
    ],
    ids=["scheme", "credentials", "no-events", "unknown-event", "events-missing", "extra"],
)
def test_bad_registrations_are_refused_and_change_nothing(client, auth, db_session, body):
    before = row_counts(db_session)
    count = db_session.scalar(select(func.count()).select_from(Webhook))

    error = api_error(
        client.post("/api/v1/webhooks", json=body, headers=auth), 422, "validation_failed"
    )
    assert error["fields"]
    assert row_counts(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(Webhook)) == count


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_endpoints_inside_the_network_are_refused(client, auth, db_session, url):
    error = api_error(
        client.post("/api/v1/webhooks", json={"url": url, "events": EVENTS}, headers=auth),
        422,
        "validation_failed",
    )
    assert "may not go to" in error["fields"]["url"][0]
    assert db_session.scalar(select(func.count()).select_from(Webhook)) == 0


def test_webhooks_need_a_moderate_key(client, read_key, db_session):
    api_error(client.get("/api/v1/webhooks"), 401, "unauthorized")
    reader = {"Authorization": f"Bearer {read_key}"}
    api_error(client.get("/api/v1/webhooks", headers=reader), 403, "forbidden")
    body = {"url": "https://hooks.example/x", "events": EVENTS}
    api_error(client.post("/api/v1/webhooks", json=body, headers=reader), 403, "forbidden")


def test_the_payloads_are_documented_as_openapi_webhooks(client):
    spec = client.get("/openapi.json").get_json()
    validate(spec)

    assert set(spec["webhooks"]) == set(EVENTS)
    created = spec["webhooks"]["comment.created"]["post"]
    names = {p["name"] for p in created["parameters"]}
    assert names == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    ref = created["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    envelope = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(envelope["properties"]) == {"type", "timestamp", "data"}
    assert "/api/v1/webhooks" in spec["paths"]


# ---- deliveries ------------------------------------------------------------------------


def test_a_new_comment_reaches_the_endpoint_signed_without_private_data(
    client, auth, db_session, receiver, drain
):
    receiver.secret = register(client, auth, receiver.url)["secret"]
    comment_id = submit(client, name="Amrita", url="https://amrita.example").get_json()["id"]
    drain()

    (payload,) = receiver.verified()
    assert payload["type"] == "comment.created"
    comment = payload["data"]["comment"]
    assert (comment["id"], comment["status"]) == (comment_id, "pending")
    assert comment["author"] == {"name": "Amrita", "url": "https://amrita.example"}
    assert_public(payload)
    raw = receiver.deliveries[0].body.decode()
    assert EMAIL not in raw and "127.0.0.1" not in raw
    headers = receiver.deliveries[0].headers
    (row,) = outbox_rows(db_session, kind="webhook")
    assert headers["webhook-id"] == row.delivery_id
    assert headers["content-type"] == "application/json"


def test_a_moderation_endpoint_also_gets_the_email_and_ip(
    client, auth, db_session, receiver, drain
):
    receiver.secret = register(client, auth, receiver.url, moderation=True)["secret"]
    submit(client)
    drain()

    (payload,) = receiver.verified()
    comment = payload["data"]["comment"]
    assert comment["author"]["email"] == EMAIL
    assert comment["ip"] == "127.0.0.1"
    assert comment["held_reasons"]


def test_moderation_edit_and_erase_are_delivered_in_order(
    client, auth, db_session, receiver, drain
):
    receiver.secret = register(client, auth, receiver.url)["secret"]
    comment_id = submit(client).get_json()["id"]
    assert moderate(client, auth, comment_id, "approve", "On topic").status_code == 200
    client.patch(f"/api/v1/comments/{comment_id}", json={"body": "Shorter"}, headers=auth)
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=auth).status_code == 204
    drain()

    payloads = receiver.verified()
    assert [p["type"] for p in payloads] == EVENTS
    moved = payloads[1]["data"]
    assert (moved["from"], moved["to"], moved["action"], moved["reason"]) == (
        "pending",
        "approved",
        "approve",
        "On topic",
    )
    assert payloads[2]["data"]["comment"]["body"] == "Shorter"
    assert payloads[3]["data"] == {
        "comment": {"id": comment_id, "article_id": moved["comment"]["article_id"]}
    }
    for payload in payloads[:3]:
        assert_public(payload)
    assert len(set(receiver.ids())) == 4


def test_only_the_events_an_endpoint_chose(client, auth, db_session, receiver, drain):
    receiver.secret = register(client, auth, receiver.url, events=["comment.moderated"])["secret"]
    comment_id = submit(client).get_json()["id"]
    assert moderate(client, auth, comment_id, "spam").status_code == 200
    drain()

    assert [p["type"] for p in receiver.verified()] == ["comment.moderated"]


def test_a_failing_receiver_gets_the_same_id_again_later(client, auth, db_session, receiver, drain):
    receiver.secret = register(client, auth, receiver.url)["secret"]
    receiver.statuses = [500]
    submit(client)
    drain()

    (row,) = outbox_rows(db_session, kind="webhook")
    assert row.state is OutboxState.pending and row.attempts == 1
    assert row.last_error.startswith("HTTP 500")
    make_due(db_session)
    drain()

    assert len(receiver.deliveries) == 2
    assert receiver.ids() == [row.delivery_id, row.delivery_id]
    first, second = (int(d.headers["webhook-timestamp"]) for d in receiver.deliveries)
    assert second >= first  # signed afresh on each attempt
    (row,) = outbox_rows(db_session, kind="webhook")
    assert row.state is OutboxState.sent


def test_private_addresses_are_refused_at_delivery_too(
    client, app, auth, db_session, receiver, drain, monkeypatch
):
    receiver.secret = register(client, auth, receiver.url)["secret"]
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", False)
    submit(client)
    drain()

    assert receiver.deliveries == []
    (row,) = outbox_rows(db_session, kind="webhook")
    assert row.state is OutboxState.pending
    assert "127.0.0.1 is a loopback address; refused" in row.last_error


def test_the_review_ui_registers_logs_and_redelivers(client, admin, db_session, receiver, drain):
    signed_in(client, admin)
    token = csrf_from(client, "/review/webhooks")
    page = client.post(
        "/review/webhooks",
        data={"csrf_token": token, "url": receiver.url, "events": EVENTS, "moderation": "on"},
    )
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    hook = db_session.scalars(select(Webhook)).one()
    assert hook.secret in html and hook.moderation is True
    assert hook.secret not in client.get("/review/webhooks").get_data(as_text=True)
    receiver.secret = hook.secret
    receiver.statuses = [503]

    submit(client)
    drain()
    make_due(db_session)
    drain()
    log = client.get(f"/review/webhooks/{hook.id}").get_data(as_text=True)
    (row,) = outbox_rows(db_session, kind="webhook")
    assert row.delivery_id in log
    assert "failed · 503" in log and "ok · 200" in log

    token = csrf_from(client, f"/review/webhooks/{hook.id}")
    again = client.post(
        f"/review/webhooks/{hook.id}/deliveries/{row.id}/redeliver", data={"csrf_token": token}
    )
    assert again.status_code == 302
    drain()
    assert receiver.ids() == [row.delivery_id] * 3
    receiver.verified()


def test_the_review_ui_refuses_a_bad_endpoint_and_keeps_the_form(client, admin, db_session):
    signed_in(client, admin)
    token = csrf_from(client, "/review/webhooks")
    page = client.post(
        "/review/webhooks",
        data={"csrf_token": token, "url": "http://10.0.0.7/x", "events": ["comment.created"]},
    )
    assert page.status_code == 422
    assert "may not go to 10.0.0.7" in page.get_data(as_text=True)
    assert 'value="http://10.0.0.7/x"' in page.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Webhook)) == 0


def test_a_moderator_who_is_not_admin_cannot_see_webhooks(client, moderator, db_session):
    signed_in(client, moderator)
    assert client.get("/review/webhooks").status_code == 403
    assert client.get("/review/outbox").status_code == 403
