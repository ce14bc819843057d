"""GET/PUT /api/v1/settings/discussion: the Settings → Discussion page's settings over the API."""

import pytest

from commentsvc.models import ModerationEvent
from tests.helpers import api_error, row_counts

URL = "/api/v1/settings/discussion"


def test_unsaved_settings_follow_the_configuration(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "MODERATION_WORDS", "casino\n\n  poker night \ncasino")
    monkeypatch.setitem(app.config, "CLOSE_AFTER_DAYS", 14)

    body = client.get(URL, headers=auth).get_json()

    assert body == {
        "moderation": "all",
        "max_links": 2,
        "moderation_words": ["casino", "poker night"],
        "disallowed_words": [],
        "close_after_days": 14,
        "checker_enabled": False,
        "checker_configured": False,
        "saved": [],
    }


def test_put_changes_only_what_it_sends_and_logs_who_changed_what(client, auth, db_session):
    response = client.put(
        URL, json={"moderation": "first", "disallowed_words": "pills\nviagra"}, headers=auth
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["moderation"] == "first"
    assert body["disallowed_words"] == ["pills", "viagra"]
    assert body["max_links"] == 2
    assert sorted(body["saved"]) == ["disallowed_words", "moderation"]
    assert client.get(URL, headers=auth).get_json() == body
    (event,) = db_session.query(ModerationEvent).filter_by(action="settings").all()
    assert event.comment_id is None and event.api_key_id is not None
    assert event.details == {
        "changes": {
            "moderation": {"from": "all", "to": "first"},
            "disallowed_words": {"from": [], "to": ["pills", "viagra"]},
        }
    }
    assert event.reason == "moderation: all → first; disallowed words: +pills, +viagra"


def test_null_returns_a_setting_to_its_default_and_saving_the_same_logs_nothing(
    client, auth, db_session
):
    client.put(URL, json={"max_links": 5}, headers=auth)
    client.put(URL, json={"max_links": 5}, headers=auth)

    body = client.put(URL, json={"max_links": None}, headers=auth).get_json()

    assert body["max_links"] == 2 and body["saved"] == []
    events = db_session.query(ModerationEvent).filter_by(action="settings").all()
    assert [e.details["changes"]["max_links"] for e in events] == [
        {"from": 2, "to": 5},
        {"from": 5, "to": 2},
    ]


def test_the_activity_api_shows_settings_events_without_a_comment(client, auth):
    client.put(URL, json={"checker_enabled": True}, headers=auth)
    from commentsvc.api.schemas import EventOut
    from commentsvc.extensions import db

    event = db.session.query(ModerationEvent).filter_by(action="settings").one()
    dumped = EventOut().dump(event)

    assert dumped["comment_id"] is None
    assert dumped["actor"]["type"] == "api_key"
    assert dumped["reason"] == "external checker: off → on"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"moderation": "sometimes"}, "moderation"),
        ({"max_links": -1}, "max_links"),
        ({"max_links": 1.5}, "max_links"),
        ({"max_links": "many"}, "max_links"),
        ({"close_after_days": 100000}, "close_after_days"),
        ({"moderation_words": 7}, "moderation_words"),
        ({"moderation_words": ["ok", 3]}, "moderation_words"),
        ({"disallowed_words": ["10.0.0.0/33"]}, "disallowed_words"),
        ({"disallowed_words": "x" * 201}, "disallowed_words"),
        ({"checker_enabled": "perhaps"}, "checker_enabled"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_values_answer_422_with_the_field_and_change_nothing(
    client, auth, db_session, body, field
):
    before = row_counts(db_session)

    error = api_error(client.put(URL, json=body, headers=auth), 422, "validation_failed")

    assert field in error["fields"]
    assert row_counts(db_session) == before
    assert client.get(URL, headers=auth).get_json()["saved"] == []


def test_settings_need_a_moderate_key(client, read_key):
    api_error(client.get(URL), 401, "unauthorized")
    reader = {"Authorization": f"Bearer {read_key}"}
    api_error(client.get(URL, headers=reader), 403, "forbidden")
    api_error(client.put(URL, json={"moderation": "none"}, headers=reader), 403, "forbidden")


def test_saved_settings_decide_the_next_submission(client, auth):
    from tests.helpers import submit

    assert submit(client).status_code == 202
    client.put(URL, json={"moderation": "none"}, headers=auth)
    assert submit(client, body="Now published").status_code == 201
    client.put(URL, json={"disallowed_words": ["published"]}, headers=auth)
    spam = submit(client, body="Not published")
    assert spam.status_code == 202


def test_openapi_documents_the_settings_and_the_new_fields(client):
    spec = client.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    assert {"get", "put"} <= set(spec["paths"]["/api/v1/settings/discussion"])
    assert {"form_token", "subject"} <= set(schemas["CommentIn"]["properties"])
    thread = spec["paths"]["/api/v1/articles/{article_id}/comments"]["get"]
    assert "Comment-Form-Token" in thread["responses"]["200"]["headers"]
    submit = spec["paths"]["/api/v1/articles/{article_id}/comments"]["post"]
    assert {"409", "429"} <= set(submit["responses"])
    reasons = schemas["ModerationCommentOut"]["properties"]["held_reasons"]
    assert reasons["items"]["$ref"].endswith("/ReasonOut")
    assert set(schemas["ReasonOut"]["properties"]) == {"rule", "message", "details"}
    assert "published_at" in schemas["ArticleIn"]["properties"]
