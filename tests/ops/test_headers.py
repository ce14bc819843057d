"""Headers on every answer: nosniff everywhere, HSTS over secure cookies, no-store on the
moderation API, and the security headers on pages outside the doors (/, /demo/, 404s)."""

import pytest

from tests.helpers import ARTICLE, published

EVERYWHERE = [
    "/",
    "/demo/",
    "/nowhere",
    "/embed.js",
    "/embed/an-article",
    "/api/v1/nowhere",
    "/api/v1/comments",
    "/healthz",
    "/readyz",
    "/review/login",
    "/openapi.json",
]
PAGES = ["/", "/demo/", "/nowhere", "/review/nowhere/at/all/x"]


@pytest.mark.parametrize("path", EVERYWHERE)
def test_every_answer_says_nosniff_and_names_its_request(client, path):
    response = client.get(path)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-Id"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_outside_the_doors_carry_the_security_headers(client, path):
    response = client.get(path)

    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


def test_the_widget_page_keeps_its_own_framing_policy(client):
    response = client.get("/embed/an-article")

    assert (
        "frame-ancestors 'self' https://news.example" in response.headers["Content-Security-Policy"]
    )
    assert "X-Frame-Options" not in response.headers  # framed by the allowed sites


def test_strict_transport_security_only_with_secure_cookies(app, client):
    assert app.config["SECURE_COOKIES"]
    assert client.get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")

    app.config["SECURE_COOKIES"] = False
    try:
        assert "Strict-Transport-Security" not in client.get("/healthz").headers
    finally:
        app.config["SECURE_COOKIES"] = True


def test_every_moderation_api_answer_is_no_store(client, auth):
    comment_id = published(client, auth)
    answers = [
        client.get("/api/v1/comments", headers=auth),
        client.get("/api/v1/comments"),  # 401
        client.get(f"/api/v1/comments/{comment_id}", headers=auth),
        client.get("/api/v1/comments/999999", headers=auth),  # 404
        client.post(f"/api/v1/comments/{comment_id}/moderation", json={}, headers=auth),  # 422
        client.get("/api/v1/webhooks", headers=auth),
        client.get("/api/v1/settings/discussion", headers=auth),
        client.get(f"/api/v1/articles/{ARTICLE}/comments", headers=auth),  # with a key
    ]

    for response in answers:
        assert response.headers["Cache-Control"] == "no-store", response.request.path


def test_the_public_thread_stays_cacheable(client, auth):
    published(client, auth)

    response = client.get(f"/api/v1/articles/{ARTICLE}/comments")

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
