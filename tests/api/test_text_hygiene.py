"""Every text field of the API and the no-JS form refuses invalid Unicode and control characters.

A lone surrogate used to answer 500 (UnicodeEncodeError) and a NUL 500 on PostgreSQL;
each is now a 422 naming the field, with nothing stored, on both databases.
"""

import json

import pytest

from tests.helpers import (
    ARTICLE,
    FORM_BAD,
    JSON_BAD,
    api_error,
    bad_value,
    comment_payload,
    published,
    row_counts,
    submit,
)

URL = f"/api/v1/articles/{ARTICLE}/comments"


def raw_json(payload: dict) -> str:
    # ensure_ascii writes a lone surrogate as the escape "\ud800", as a client would.
    return json.dumps(payload, ensure_ascii=True)


@pytest.fixture
def refused_json(client, db_session):
    """Send JSON that must be refused 422 naming `field`; check nothing changed."""

    def send(method: str, path: str, payload: dict, field: str, headers=None):
        before = row_counts(db_session)
        response = client.open(
            path,
            method=method,
            data=raw_json(payload),
            content_type="application/json",
            headers=headers or {},
        )
        error = api_error(response, 422, "validation_failed")
        assert list(error["fields"]) == [field], error
        assert row_counts(db_session) == before
        return error

    return send


@pytest.mark.parametrize("bad", JSON_BAD.values(), ids=JSON_BAD.keys())
@pytest.mark.parametrize("field", ["name", "email", "url", "body"])
def test_submission_fields_refuse_bad_text(refused_json, field, bad):
    payload = comment_payload(**{field: bad_value(field, bad)})
    refused_json("POST", URL, payload, field)


@pytest.mark.parametrize("bad", FORM_BAD.values(), ids=FORM_BAD.keys())
@pytest.mark.parametrize("field", ["name", "email", "url", "body"])
def test_form_encoded_submission_refuses_bad_text(client, db_session, field, bad):
    before = row_counts(db_session)
    response = client.post(URL, data=comment_payload(**{field: bad_value(field, bad)}))
    assert list(api_error(response, 422, "validation_failed")["fields"]) == [field]
    assert row_counts(db_session) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Ada\nLovelace"),
        ("name", "Ada\tLovelace"),
        ("name", "Ada\u2028Lovelace"),
        ("email", "ada\t@example.org"),
        ("url", "https://example.org/\nx"),
        ("name", "\u200b\u200d"),
        ("name", "\u3164"),
        ("name", " \u00a0\u3000 "),
        ("name", "evil\u202egnp.exe"),
        ("name", "\u2067Reader\u2069"),
        ("url", "https://example.org/\u202ea"),
    ],
)
def test_names_and_addresses_are_one_visible_line_without_direction_controls(
    refused_json, field, value
):
    refused_json("POST", URL, comment_payload(**{field: value}), field)


def test_the_body_keeps_tabs_and_line_breaks_with_crlf_made_lf(client, auth):
    body = "First line,\r\n\tindented.\rOld Mac line end.\n\nQuoted \u202eright-to-left."
    response = submit(client, body=body)
    assert response.status_code == 202
    stored = client.get(f"/api/v1/comments/{response.get_json()['id']}", headers=auth).get_json()
    assert stored["body"] == body.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize("name", ["عائشہ خان", "ناصر", "שלום עליכם", "Zoë O'Brien"])
def test_right_to_left_and_other_scripts_are_welcome_in_names(client, name):
    response = submit(client, name=name)
    assert response.status_code == 202
    assert response.get_json()["comment"]["author"]["name"] == name


# ---- every other text field of the API ----------------------------------------------


@pytest.mark.parametrize("bad", JSON_BAD.values(), ids=JSON_BAD.keys())
@pytest.mark.parametrize("field", ["title", "url"])
def test_article_fields_refuse_bad_text(refused_json, auth, field, bad):
    value = bad_value(field, bad) if field == "url" else f"Brick{bad}kilns"
    refused_json("PUT", f"/api/v1/articles/{ARTICLE}", {field: value}, field, headers=auth)


@pytest.mark.parametrize("bad", JSON_BAD.values(), ids=JSON_BAD.keys())
@pytest.mark.parametrize("field", ["body", "reason"])
def test_edit_refuses_bad_text_and_keeps_the_comment(client, auth, refused_json, field, bad):
    comment_id = submit(client, body="Original words.").get_json()["id"]
    payload = {"body": "New words.", "reason": "Typo"} | {field: f"New{bad}words"}
    refused_json("PATCH", f"/api/v1/comments/{comment_id}", payload, field, headers=auth)
    stored = client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()
    assert stored["body"] == "Original words."


@pytest.mark.parametrize("bad", JSON_BAD.values(), ids=JSON_BAD.keys())
def test_decisions_refuse_bad_reasons_and_actions(client, auth, refused_json, bad):
    comment_id = submit(client).get_json()["id"]
    one = f"/api/v1/comments/{comment_id}/moderation"
    refused_json("POST", one, {"action": "approve", "reason": f"Fine{bad}"}, "reason", auth)
    refused_json("POST", one, {"action": f"approve{bad}"}, "action", auth)
    bulk = {"ids": [comment_id], "action": "spam", "reason": f"Junk{bad}"}
    refused_json("POST", "/api/v1/moderation/bulk", bulk, "reason", auth)
    stored = client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()
    assert stored["status"] == "pending"


@pytest.mark.parametrize("bad", ["%00", "%1B", "%7F", "%C2%85"])
@pytest.mark.parametrize("name", ["q", "article_id", "order"])
def test_queue_query_refuses_bad_text(client, auth, name, bad):
    response = client.get(f"/api/v1/comments?{name}=a{bad}b", headers=auth)
    assert list(api_error(response, 422, "validation_failed")["fields"]) == [name]


@pytest.mark.parametrize("bad", ["%00", "%1B"])
def test_thread_and_counts_queries_refuse_bad_text(client, bad):
    response = client.get(f"{URL}?order=newest{bad}")
    assert list(api_error(response, 422, "validation_failed")["fields"]) == ["order"]
    response = client.get(f"/api/v1/counts?article_id=a{bad}")
    assert list(api_error(response, 422, "validation_failed")["fields"]) == ["article_id.0"]


def test_a_clean_search_still_finds_comments(client, auth):
    comment_id = published(client, auth, body="Brick kilns in Punjab")
    found = client.get("/api/v1/comments?q=kilns", headers=auth).get_json()["comments"]
    assert [c["id"] for c in found] == [comment_id]
