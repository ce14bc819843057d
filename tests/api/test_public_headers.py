"""Readers' responses are the same for everyone: no session, so no `Vary: Cookie`."""

import pytest

from tests.helpers import ARTICLE, published

PUBLIC = [
    "/embed.js",
    f"/api/v1/articles/{ARTICLE}/comments",
    f"/api/v1/counts?article_id={ARTICLE}",
    f"/embed/{ARTICLE}",
    "/healthz",
    "/readyz",
    "/openapi.json",
]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_responses_leave_the_session_alone(client, auth, path):
    published(client, auth)
    client.set_cookie("session", "a-moderators-cookie-sent-along-by-the-browser")

    response = client.get(path)

    assert response.status_code == 200
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers
