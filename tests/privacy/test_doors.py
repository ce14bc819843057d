"""The API and CLI doors of the privacy requests: auth, scope, bad input, no caching."""

import json

import pytest
from sqlalchemy import func, select

from commentsvc.models import Comment, ModerationEvent
from tests.helpers import JSON_BAD, api_error, row_counts
from tests.privacy.conftest import OTHER, PERSON, PERSON_IP, hits

# ---- API ------------------------------------------------------------------------------


def test_api_export_answers_the_data_and_is_not_cached(story, client, auth):
    response = client.get(f"/api/v1/privacy?email={PERSON.upper()}", headers=auth)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["email"] == PERSON
    assert [c["id"] for c in data["comments"]] == [story.replied, story.held]
    assert data["ip_addresses"] == [PERSON_IP]
    assert OTHER not in response.get_data(as_text=True)


def test_api_export_of_an_unknown_address_is_empty_not_404(story, client, auth):
    response = client.get("/api/v1/privacy?email=nobody@example.org", headers=auth)
    assert response.status_code == 200
    assert response.get_json()["comments"] == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", f"/api/v1/privacy?email={PERSON}", None),
        ("post", "/api/v1/privacy/erase", {"email": PERSON, "mode": "remove"}),
    ],
    ids=["export", "erase"],
)
def test_api_needs_a_moderate_key(story, client, read_key, db_session, method, path, body):
    before = row_counts(db_session)
    call = getattr(client, method)
    api_error(call(path, json=body), 401, "unauthorized")
    api_error(call(path, json=body, headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    api_error(
        call(path, json=body, headers={"Authorization": f"Bearer {read_key}"}), 403, "forbidden"
    )
    assert row_counts(db_session) == before
    assert privacy_count(db_session) == 2


def privacy_count(session) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count()).select_from(Comment).where(Comment.author_email == PERSON)
    )


@pytest.mark.parametrize(
    "email",
    [
        "",
        "not-an-address",
        "a@",
        "x" * 250 + "@example.org",
        *[f"pe{b}rson@example.org" for b in JSON_BAD.values()],
    ],
)
def test_api_bad_emails_answer_422(story, client, auth, db_session, email):
    before = row_counts(db_session)
    error = api_error(
        client.post("/api/v1/privacy/erase", json={"email": email, "mode": "remove"}, headers=auth),
        422,
        "validation_failed",
    )
    assert "email" in error["fields"]
    if "\ud800" not in email and "\udc00" not in email:
        error = api_error(
            client.get("/api/v1/privacy", query_string={"email": email}, headers=auth),
            422,
            "validation_failed",
        )
        assert "email" in error["fields"]
    assert row_counts(db_session) == before and privacy_count(db_session) == 2


@pytest.mark.parametrize(
    "body",
    [
        {"email": PERSON},
        {"email": PERSON, "mode": "shred"},
        {"email": PERSON, "mode": "remove", "extra": 1},
    ],
)
def test_api_erase_needs_a_known_mode(story, client, auth, db_session, body):
    error = api_error(
        client.post("/api/v1/privacy/erase", json=body, headers=auth), 422, "validation_failed"
    )
    assert set(error["fields"]) & {"mode", "extra"}
    assert privacy_count(db_session) == 2


def test_api_export_without_an_address_is_422(client, auth):
    error = api_error(client.get("/api/v1/privacy", headers=auth), 422, "validation_failed")
    assert "email" in error["fields"]


@pytest.mark.parametrize("query", ["extra=1", "=null"], ids=["named", "nameless"])
def test_api_export_refuses_an_unknown_parameter(client, auth, query):
    response = client.get(f"/api/v1/privacy?email={PERSON}&{query}", headers=auth)

    error = api_error(response, 422, "validation_failed")
    assert PERSON not in response.get_data(as_text=True)
    assert error["request_id"] == response.headers["X-Request-Id"]


def test_api_erase_answers_the_count_and_leaves_no_trace(story, client, auth, db_session):
    response = client.post(
        "/api/v1/privacy/erase",
        json={"email": f" {PERSON.upper()} ", "mode": "remove"},
        headers=auth,
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert (body["count"], body["mode"]) == (2, "remove")
    assert hits(db_session, PERSON) == []
    events = db_session.scalars(
        select(ModerationEvent).where(ModerationEvent.batch_id == body["batch_id"])
    ).all()
    assert len(events) == 2 and all(e.api_key_id is not None for e in events)
    again = client.post(
        "/api/v1/privacy/erase", json={"email": PERSON, "mode": "remove"}, headers=auth
    )
    assert again.get_json()["count"] == 0


def test_the_openapi_document_describes_the_privacy_doors(client):
    spec = client.get("/openapi.json").get_json()
    export = spec["paths"]["/api/v1/privacy"]["get"]
    erase = spec["paths"]["/api/v1/privacy/erase"]["post"]
    assert export["security"] == [{"apiKey": []}] and erase["security"] == [{"apiKey": []}]
    assert {"200", "401", "403", "422"} <= set(export["responses"]) & set(erase["responses"])
    assert [p["name"] for p in export["parameters"] if p["in"] == "query"] == ["email"]
    for operation in (export, erase):
        for status, answer in operation["responses"].items():
            assert answer["headers"]["Cache-Control"]["schema"]["const"] == "no-store", status


# ---- CLI ------------------------------------------------------------------------------


def test_cli_export_prints_json(story, runner):
    result = runner.invoke(args=["privacy", "export", PERSON.upper()])

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["id"] for c in data["comments"]] == [story.replied, story.held]
    assert data["user_agents"] and data["email"] == PERSON


def test_cli_refuses_a_bad_address(story, runner, db_session):
    result = runner.invoke(args=["privacy", "erase", "not-an-address", "--yes"])
    assert result.exit_code == 2 and "Enter a valid email address." in result.output
    assert privacy_count(db_session) == 2


def test_cli_erase_asks_naming_the_count_and_stops_on_no(story, runner, db_session):
    result = runner.invoke(args=["privacy", "erase", PERSON, "--remove"], input="n\n")

    assert result.exit_code == 1
    assert f"Remove 2 comments by {PERSON}" in result.output
    assert privacy_count(db_session) == 2


def test_cli_erase_anonymises_on_yes(story, runner, db_session):
    result = runner.invoke(args=["privacy", "erase", PERSON], input="y\n")

    assert result.exit_code == 0, result.output
    assert "Anonymise (keeping the text of) 2 comments" in result.output
    assert "2 comments anonymised" in result.output
    assert hits(db_session, PERSON) == []
    assert db_session.get(Comment, story.replied).author_name == "Anonymous"


def test_cli_erase_with_yes_does_not_ask(story, runner, db_session):
    result = runner.invoke(args=["privacy", "erase", PERSON, "--remove", "--yes"])
    assert result.exit_code == 0, result.output
    assert "?" not in result.output and "2 comments removed" in result.output
    assert db_session.get(Comment, story.held).erased_at is not None
    erased = db_session.scalar(
        select(ModerationEvent).where(
            ModerationEvent.comment_id == story.held, ModerationEvent.action == "erase"
        )
    )
    assert erased.reason == "Privacy request: 2 comments removed, from the command line"
