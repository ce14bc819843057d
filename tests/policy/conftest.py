"""The policy's rules switched on (the shared test app keeps the timing rules off)."""

import time

import pytest

from commentsvc import tokens
from tests.helpers import ARTICLE, EMAIL, comment_payload

URL = f"/api/v1/articles/{ARTICLE}/comments"


@pytest.fixture
def rules_on(app, monkeypatch):
    """The README's defaults: flood 15 s, time-trap 3 s, 3 spam, duplicates refused."""
    for name, value in {
        "FLOOD_SECONDS": 15,
        "MIN_FORM_SECONDS": 3,
        "SPAM_REPEAT": 3,
        "REFUSE_DUPLICATES": True,
        "MODERATION": "all",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return app.config


def waited(app, article_id: str = ARTICLE, seconds: float = 30) -> str:
    """The form token of a reader who opened the form `seconds` ago."""
    return tokens.form_token(app.config["SECRET_KEY"], article_id, now=time.time() - seconds)


def post(client, *, article_id: str = ARTICLE, ip: str = "198.51.100.1", token=None, **fields):
    """POST a comment as the widget does (JSON, with its form token)."""
    payload = comment_payload(**fields)
    if token is not None:
        payload["form_token"] = token
    return client.post(
        f"/api/v1/articles/{article_id}/comments", json=payload, environ_base={"REMOTE_ADDR": ip}
    )


def stored_comment(client, auth, comment_id: int) -> dict:
    response = client.get(f"/api/v1/comments/{comment_id}", headers=auth)
    assert response.status_code == 200
    return response.get_json()


def rules(record: dict) -> list[str]:
    return [r["rule"] for r in record["held_reasons"]]


__all__ = ["EMAIL", "URL", "post", "rules", "stored_comment", "waited"]
