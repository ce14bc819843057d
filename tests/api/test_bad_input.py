"""Issue 9's table of bad input: each row answers a clear 4xx and stores nothing.

A lone surrogate, a NUL, a time UTC cannot hold, an article id a browser would rewrite,
an id past the database's integers, a number or boolean of the wrong JSON type.
"""

import re

import pytest

from commentsvc.services.demo import ARTICLE_ID as DEMO_ARTICLE
from tests.helpers import ARTICLE, api_error, comment_payload, row_counts, submit

BAD_ARTICLE_IDS = [".", "..", "a/../b", "a/", "a//b", "a/./b", "a/..", "x/comments/x/.."]


def test_a_lone_surrogate_body_is_refused_naming_the_field(client, db_session):
    before = row_counts(db_session)
    response = client.post(
        f"/api/v1/articles/{ARTICLE}/comments",
        data='{"name": "Reader", "email": "r@example.org", "body": "\\ud800"}',
        content_type="application/json",
    )
    assert list(api_error(response, 422, "validation_failed")["fields"]) == ["body"]
    assert row_counts(db_session) == before


def test_a_nul_in_the_body_is_refused_on_every_database(client, db_session):
    before = row_counts(db_session)
    response = submit(client, body="a\u0000b")
    assert list(api_error(response, 422, "validation_failed")["fields"]) == ["body"]
    assert row_counts(db_session) == before


def test_the_no_js_form_refuses_a_nul_and_keeps_the_readers_text(client, db_session):
    from tests.widget.conftest import form_token

    before = row_counts(db_session)
    page = client.get(f"/embed/{ARTICLE}").get_data(as_text=True)
    data = comment_payload(body="My long\u0000 considered comment.", token=form_token(page))
    response = client.post(f"/embed/{ARTICLE}", data=data)
    assert response.status_code == 422
    assert "considered comment." in response.get_data(as_text=True)
    assert row_counts(db_session) == before


def test_a_nul_in_the_search_is_refused(client, auth):
    response = client.get("/api/v1/comments?q=a%00b", headers=auth)
    assert list(api_error(response, 422, "validation_failed")["fields"]) == ["q"]


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "9999-12-31T00:00:00Z"],
)
@pytest.mark.parametrize("field", ["closes_at", "published_at"])
def test_times_past_what_utc_can_hold_are_refused(client, auth, db_session, field, moment):
    before = row_counts(db_session)
    response = client.put(f"/api/v1/articles/{ARTICLE}", json={field: moment}, headers=auth)
    error = api_error(response, 422, "validation_failed")
    assert list(error["fields"]) == [field]
    assert "0001-01-02 to 9999-12-30" in error["fields"][field][0]
    assert row_counts(db_session) == before


def test_a_time_with_an_offset_is_stored_in_utc(client, auth):
    response = client.put(
        f"/api/v1/articles/{ARTICLE}",
        json={"closes_at": "9999-12-30T23:00:00-05:00"},
        headers=auth,
    )
    assert response.status_code == 201
    assert response.get_json()["closes_at"].startswith("9999-12-31T04:00:00")


@pytest.mark.parametrize("article_id", BAD_ARTICLE_IDS)
def test_article_ids_a_browser_would_rewrite_are_refused_by_every_door(
    client, auth, db_session, article_id
):
    before = row_counts(db_session)
    answers = [
        client.get(f"/api/v1/articles/{article_id}/comments"),
        submit(client, article_id),
        client.put(f"/api/v1/articles/{article_id}", json={"title": "T"}, headers=auth),
        client.get(f"/api/v1/counts?article_id={article_id}"),
    ]
    for response in answers:
        error = api_error(response, 422, "validation_failed")
        (field,) = error["fields"]  # "article_id" (or "article_id.0" in a list)
        assert field.startswith("article_id")
        assert "segments of letters, digits" in error["fields"][field][0]
    for response in (
        client.get(f"/embed/{article_id}"),
        client.post(f"/embed/{article_id}", data=comment_payload()),
    ):
        assert response.status_code == 422
        assert "not a valid article id" in response.get_data(as_text=True)
    assert row_counts(db_session) == before


def test_the_article_id_grammar_is_the_documents_pattern(client):
    spec = client.get("/openapi.json").get_json()
    (parameter,) = spec["paths"]["/api/v1/articles/{article_id}"]["put"]["parameters"]
    pattern = re.compile(parameter["schema"]["pattern"])
    assert parameter["schema"]["maxLength"] == 200
    for good in (DEMO_ARTICLE, ARTICLE, "news/2026/03/kilns", "a.b", "...", "comments"):
        assert pattern.search(good), good
    for bad in [*BAD_ARTICLE_IDS, "/a", "a b", "x/comments"]:
        assert not pattern.search(bad), bad


def test_the_demo_article_is_still_served(client):
    response = client.get(f"/api/v1/articles/{DEMO_ARTICLE}/comments")
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("comment_id", ["0", "2147483648", "99999999999999999999"])
def test_ids_out_of_range_answer_404_json_not_405(client, auth, method, comment_id):
    response = client.open(f"/api/v1/comments/{comment_id}", method=method, json={}, headers=auth)
    api_error(response, 404, "not_found")
    assert "Allow" not in response.headers


def test_the_threads_allow_header_names_only_what_it_answers(client):
    response = client.options(f"/api/v1/articles/{ARTICLE}/comments")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    api_error(
        client.put(f"/api/v1/articles/{ARTICLE}/comments", json={}), 405, "method_not_allowed"
    )


def test_integral_numbers_are_integers_but_strings_and_booleans_are_not(client, auth):
    # 6.0 is the number 6 in JSON: no such comment, not a malformed id.
    api_error(
        client.post(
            "/api/v1/moderation/bulk", json={"ids": [6.0], "action": "approve"}, headers=auth
        ),
        404,
        "not_found",
    )
    for ids in (["6"], [True], [6.5]):
        body = {"ids": ids, "action": "approve"}
        response = client.post("/api/v1/moderation/bulk", json=body, headers=auth)
        assert list(api_error(response, 422, "validation_failed")["fields"]) == ["ids.0"]


@pytest.mark.parametrize("value", [0, 1, "yes", "true"])
def test_booleans_are_true_or_false_only(client, auth, value):
    response = client.put(
        f"/api/v1/articles/{ARTICLE}", json={"comments_open": value}, headers=auth
    )
    assert list(api_error(response, 422, "validation_failed")["fields"]) == ["comments_open"]


def test_the_no_js_form_still_sends_its_checkbox_and_reply_as_strings(client, db_session):
    from tests.widget.conftest import form_token

    page = client.get(f"/embed/{ARTICLE}").get_data(as_text=True)
    data = comment_payload(notify_replies="1", token=form_token(page))
    assert client.post(f"/embed/{ARTICLE}", data=data).status_code == 303


def test_a_too_long_address_answers_414_in_json(client):
    ids = "&".join(f"article_id=a{n:04d}{'x' * 190}" for n in range(200))
    response = client.get(f"/api/v1/counts?{ids}")
    api_error(response, 414, "uri_too_long")
    spec = client.get("/openapi.json").get_json()
    assert "414" in spec["paths"]["/api/v1/counts"]["get"]["responses"]


def test_unknown_query_parameters_are_refused_but_the_cache_buster(client, auth):
    response = client.get("/api/v1/comments?stauts=pending", headers=auth)
    assert list(api_error(response, 422, "validation_failed")["fields"]) == ["stauts"]
    assert client.get(f"/api/v1/articles/{ARTICLE}/comments?_=1712345678").status_code == 200
    assert client.get(f"/api/v1/counts?article_id={ARTICLE}&_=1").status_code == 200
    response = client.get(f"/api/v1/counts?article_id={ARTICLE}&=true")
    api_error(response, 422, "validation_failed")


@pytest.mark.parametrize("cursor", ["", "password"])
def test_a_cursor_this_service_did_not_give_is_refused(client, cursor):
    response = client.get(f"/api/v1/articles/{ARTICLE}/comments?cursor={cursor}")
    assert list(api_error(response, 422, "validation_failed")["fields"]) == ["cursor"]
