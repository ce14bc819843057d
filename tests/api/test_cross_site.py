"""A page on another site cannot store a comment through its visitor's browser.

A form post or a no-cors fetch needs no CORS preflight, so CORS alone only hides the
answer; the service reads `Origin` and `Sec-Fetch-Site` (which pages cannot set) and
refuses before it reads the body. Programs that send neither header keep working.
"""

import pytest

from tests.helpers import ARTICLE, api_error, comment_payload, row_counts

URL = f"/api/v1/articles/{ARTICLE}/comments"
ALLOWED = "https://news.example"  # the test app's COMMENTSVC_ALLOWED_ORIGINS

BODIES = {
    "json": {"json": comment_payload()},
    "urlencoded": {"data": comment_payload()},
    "multipart": {"data": comment_payload(), "content_type": "multipart/form-data"},
    "text-plain": {"data": '{"name": "x"}', "content_type": "text/plain"},
}
FOREIGN = [
    {"Origin": "https://evil.example"},
    {"Origin": "http://news.example"},  # the allowed host over another scheme
    {"Origin": "https://news.example.evil.example"},
    {"Origin": "https://news.example:8443"},
    {"Origin": "null"},  # sandboxed frames, data: and file: pages
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "cross-site"},  # a browser that left Origin out
    {"Sec-Fetch-Site": "same-site"},
]


@pytest.mark.parametrize("headers", FOREIGN, ids=lambda h: " ".join(h.values()))
@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_a_page_of_another_site_cannot_post(client, db_session, headers, body):
    before = row_counts(db_session)
    response = client.post(URL, headers=headers, **body)
    error = api_error(response, 403, "cross_site_refused")
    assert "Nothing was saved" in error["message"]
    assert "Access-Control-Allow-Origin" not in response.headers
    assert row_counts(db_session) == before


def test_the_refusal_names_the_origin(client):
    error = api_error(
        client.post(URL, json=comment_payload(), headers={"Origin": "https://evil.example"}),
        403,
        "cross_site_refused",
    )
    assert "https://evil.example" in error["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {},  # another service: no browser headers at all
        {"Origin": ALLOWED, "Sec-Fetch-Site": "cross-site"},  # the site's widget
        {"Origin": ALLOWED + "/"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},  # our own page
        {"Origin": "http://localhost"},  # our own page, in a browser without Sec-Fetch
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked by the user
        # Behind a proxy that hides the public address the browser still says same-origin.
        {"Origin": "https://comments.example.org", "Sec-Fetch-Site": "same-origin"},
    ],
    ids=lambda h: " ".join(h.values()) or "no browser headers",
)
def test_programs_the_allowed_sites_and_our_own_pages_may_post(client, headers):
    assert client.post(URL, json=comment_payload(), headers=headers).status_code == 202


def test_the_public_url_is_our_own_origin(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://comments.example.org/base")
    headers = {"Origin": "https://comments.example.org"}
    assert client.post(URL, json=comment_payload(), headers=headers).status_code == 202


def test_allowing_every_origin_allows_every_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ALLOWED_ORIGINS", ["*"])
    headers = {"Origin": "https://anyone.example", "Sec-Fetch-Site": "cross-site"}
    assert client.post(URL, data=comment_payload(), headers=headers).status_code == 202
    null = client.post(URL, json=comment_payload(), headers={"Origin": "null"})
    api_error(null, 403, "cross_site_refused")  # a page with no origin is never a listed site


def test_the_preflight_lets_the_widget_send_an_idempotency_key(client):
    response = client.options(
        URL,
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, idempotency-key",
        },
    )
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "idempotency-key" in allowed and "content-type" in allowed


# ---- Retry-After only where it means "wait" ------------------------------------------


def test_accepted_answers_carry_no_retry_after_but_keep_the_rate_headers(client):
    for response in (
        client.post(URL, json=comment_payload()),
        client.get(URL),
        client.get("/api/v1/counts", query_string={"article_id": ARTICLE}),
    ):
        assert response.status_code in (200, 202)
        assert "Retry-After" not in response.headers
    assert "X-RateLimit-Limit" in client.post(URL, json=comment_payload()).headers


def test_refused_answers_other_than_429_carry_no_retry_after(client):
    for response in (
        client.post(URL, json=comment_payload(email="nope")),
        client.post(URL, json=comment_payload(), headers={"Origin": "https://evil.example"}),
        client.post(URL, data="x", content_type="text/plain"),
    ):
        assert response.status_code in (403, 415, 422)
        assert "Retry-After" not in response.headers


def test_429_keeps_its_retry_after(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "1 per minute")
    assert client.post(URL, json=comment_payload()).status_code == 202
    response = client.post(URL, json=comment_payload())
    api_error(response, 429, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 60
