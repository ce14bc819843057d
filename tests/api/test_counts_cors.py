"""Comment counts for article lists, cross-origin access, and the API's error answers."""

import pytest

from tests.helpers import (
    ARTICLE,
    EMAIL,
    api_error,
    comment_payload,
    moderate,
    published,
    row_counts,
    submit,
)

ORIGIN = "https://news.example"
THREAD = f"/api/v1/articles/{ARTICLE}/comments"


def counts(client, *article_ids: str):
    return client.get("/api/v1/counts", query_string=[("article_id", a) for a in article_ids])


# ---- counts -------------------------------------------------------------------------


def test_counts_are_approved_comments_per_article(client, auth):
    root = published(client, auth)
    published(client, auth, parent_id=root)
    submit(client)  # pending: not counted
    rejected = published(client, auth)
    assert moderate(client, auth, rejected, "reject").status_code == 200
    published(client, auth, "other-article")

    response = counts(client, ARTICLE, "other-article", "never-commented")
    assert response.status_code == 200
    assert response.get_json() == {"counts": {ARTICLE: 2, "other-article": 1, "never-commented": 0}}
    assert EMAIL not in response.get_data(as_text=True)


def test_article_with_only_held_comments_counts_zero(client):
    submit(client)
    assert counts(client, ARTICLE).get_json() == {"counts": {ARTICLE: 0}}


def test_counts_accept_a_hundred_ids(client):
    article_ids = [f"article-{n}" for n in range(100)]
    response = counts(client, *article_ids)
    assert response.status_code == 200
    assert response.get_json()["counts"] == dict.fromkeys(article_ids, 0)


@pytest.mark.parametrize(
    "article_ids",
    [
        [],
        [f"article-{n}" for n in range(101)],
        ["bad id"],
        [ARTICLE, "a<b"],
        [""],
        ["x" * 201],
    ],
    ids=["none", "101", "space", "angle", "empty", "too-long"],
)
def test_bad_counts_query_is_refused(client, article_ids):
    error = api_error(counts(client, *article_ids), 422, "validation_failed")
    assert error["fields"]
    assert all(name.startswith("article_id") for name in error["fields"])


# ---- CORS ---------------------------------------------------------------------------


def test_allowed_origin_may_read_the_thread(client):
    response = client.get(THREAD, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.vary
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert "ETag" in exposed and "Retry-After" in exposed


def test_allowed_origin_may_read_counts(client):
    response = counts(client, ARTICLE)
    assert "Access-Control-Allow-Origin" not in response.headers
    response = client.get(
        "/api/v1/counts", query_string={"article_id": ARTICLE}, headers={"Origin": ORIGIN}
    )
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.vary


def test_allowed_origin_may_submit(client):
    response = client.post(THREAD, json=comment_payload(), headers={"Origin": ORIGIN})
    assert response.status_code == 202
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.vary


@pytest.mark.parametrize(("path", "method"), [(THREAD, "POST"), ("/api/v1/counts", "GET")])
def test_preflight_allows_requests_from_an_allowed_origin(client, path, method):
    response = client.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert method in methods
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed
    assert "Origin" in response.vary


def test_preflight_from_another_origin_is_not_allowed(client):
    response = client.options(
        THREAD,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://news.example", "https://news.example.evil.example", "null"],
)
def test_other_origins_get_no_cors_headers_and_may_read_but_not_post(
    client, auth, db_session, origin
):
    comment_id = published(client, auth)
    response = client.get(THREAD, headers={"Origin": origin})
    assert response.status_code == 200
    assert [c["id"] for c in response.get_json()["comments"]] == [comment_id]
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.vary

    before = row_counts(db_session)
    posted = client.post(THREAD, json=comment_payload(), headers={"Origin": origin})
    api_error(posted, 403, "cross_site_refused")
    assert "Access-Control-Allow-Origin" not in posted.headers
    assert row_counts(db_session) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/comments", None),
        ("GET", "/api/v1/comments/{id}", None),
        ("GET", "/api/v1/comments/{id}/events", None),
        ("POST", "/api/v1/comments/{id}/moderation", {"action": "approve"}),
        ("PATCH", "/api/v1/comments/{id}", {"body": "Edited."}),
        ("PUT", f"/api/v1/articles/{ARTICLE}", {"title": "T"}),
        ("OPTIONS", "/api/v1/comments/{id}/moderation", None),
    ],
)
def test_moderation_endpoints_never_answer_other_origins(client, auth, method, path, body):
    comment_id = submit(client).get_json()["id"]
    response = client.open(
        path.format(id=comment_id),
        method=method,
        json=body,
        headers=auth | {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code < 400
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_moderation_refusal_to_an_allowed_origin_has_no_cors_header(client):
    response = client.get("/api/v1/comments", headers={"Origin": ORIGIN})
    api_error(response, 401, "unauthorized")
    assert "Access-Control-Allow-Origin" not in response.headers


def test_validation_error_is_readable_by_an_allowed_origin(client, db_session):
    before = row_counts(db_session)
    response = client.post(
        THREAD, json=comment_payload(url="ftp://example.org"), headers={"Origin": ORIGIN}
    )
    assert api_error(response, 422, "validation_failed")["fields"]["url"]
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert row_counts(db_session) == before


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "{", "content_type": "application/json"}, 400),
        ({"data": "hi", "content_type": "text/plain"}, 415),
        ({"json": comment_payload(body="b" * 70_000)}, 413),
    ],
)
def test_refusals_are_readable_by_an_allowed_origin(client, kwargs, status):
    response = client.post(THREAD, headers={"Origin": ORIGIN}, **kwargs)
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_closed_article_refusal_is_readable_by_an_allowed_origin(client, auth):
    client.put(f"/api/v1/articles/{ARTICLE}", json={"comments_open": False}, headers=auth)
    response = client.post(THREAD, json=comment_payload(), headers={"Origin": ORIGIN})
    api_error(response, 403, "comments_closed")
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert EMAIL not in response.get_data(as_text=True)


def test_rate_limit_refusal_is_readable_by_an_allowed_origin(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "1 per minute")
    assert submit(client).status_code == 202
    response = client.post(THREAD, json=comment_payload(), headers={"Origin": ORIGIN})
    api_error(response, 429, "rate_limited")
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


def test_rate_limit_counts_submissions_only(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "1 per minute")
    for _ in range(3):
        assert client.get(THREAD).status_code == 200
    assert submit(client).status_code == 202


def test_rate_limit_is_per_client_address(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "1 per minute")
    for address in ("198.51.100.1", "198.51.100.2"):
        response = client.post(
            THREAD, json=comment_payload(), environ_base={"REMOTE_ADDR": address}
        )
        assert response.status_code == 202
    again = client.post(
        THREAD, json=comment_payload(), environ_base={"REMOTE_ADDR": "198.51.100.1"}
    )
    api_error(again, 429, "rate_limited")


# ---- errors outside the views ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", THREAD),
        ("PATCH", THREAD),
        ("PUT", "/api/v1/counts"),
        ("POST", "/api/v1/counts"),
        ("DELETE", "/api/v1/counts"),
    ],
)
def test_wrong_method_answers_405_json_with_allow(client, method, path):
    response = client.open(path, method=method, json=comment_payload())
    api_error(response, 405, "method_not_allowed")
    allow = {m.strip() for m in response.headers["Allow"].split(",")}
    assert "GET" in allow
    assert method not in allow


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here", "/api/v2/counts", "/api/", "/api/v1/articles/", "/api/v1/articles"],
)
def test_unknown_api_path_answers_404_json(client, path):
    api_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize("article_id", ["bad%20id", "a%3Cscript%3E", "x" * 201])
def test_impossible_article_id_thread_is_refused(client, article_id):
    response = client.get(f"/api/v1/articles/{article_id}/comments")
    error = api_error(response, 422, "validation_failed")
    assert "<script" not in response.get_data(as_text=True)
    assert error["message"]
