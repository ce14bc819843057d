"""The no-JS form: another site's page cannot post it, and a double-submitted form stores once."""

import time

import pytest
from itsdangerous import URLSafeSerializer

from commentsvc import tokens
from tests.helpers import ARTICLE, EMAIL, row_counts

from .conftest import PAGE, form_token


def fields(**overrides) -> dict:
    return {
        "name": "Reader",
        "email": EMAIL,
        "url": "",
        "body": "A thoughtful comment.",
    } | overrides


def page_token(client) -> str:
    return form_token(client.get(PAGE).get_data(as_text=True))


def test_a_double_submitted_form_stores_once_and_shows_the_same_comment(client, db_session):
    data = fields(token=page_token(client))
    before = row_counts(db_session)
    first = client.post(PAGE, data=data)
    assert first.status_code == 303
    after_first = row_counts(db_session)
    assert after_first["comments"] == before["comments"] + 1
    for _ in range(2):
        again = client.post(PAGE, data=data)
        assert again.status_code == 303
        # The same comment; the notice in the address is signed anew (to the second).
        assert _anchor(again) == _anchor(first)
    assert row_counts(db_session) == after_first
    shown = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Your comment is awaiting moderation." in shown


def _anchor(response) -> str:
    return response.headers["Location"].partition("#")[2]


def test_one_form_sent_again_with_other_text_is_another_comment(client, db_session):
    token = page_token(client)
    before = row_counts(db_session)["comments"]
    first = client.post(PAGE, data=fields(token=token))
    second = client.post(PAGE, data=fields(token=token, body="On second thought, this."))
    assert first.status_code == second.status_code == 303
    assert _anchor(first) != _anchor(second)
    assert row_counts(db_session)["comments"] == before + 2


def test_each_shown_form_is_a_new_comment(client, db_session):
    before = row_counts(db_session)["comments"]
    assert client.post(PAGE, data=fields(token=page_token(client))).status_code == 303
    assert client.post(PAGE, data=fields(token=page_token(client))).status_code == 303
    assert row_counts(db_session)["comments"] == before + 2


def test_a_token_without_a_nonce_still_posts(app, client, db_session):
    shown = time.time() - 60
    old = URLSafeSerializer(app.config["SECRET_KEY"], salt=tokens.FORM_SALT).dumps(
        {"article": ARTICLE, "shown": shown}
    )
    before = row_counts(db_session)
    assert client.post(PAGE, data=fields(token=old)).status_code == 303
    assert row_counts(db_session)["comments"] == before["comments"] + 1
    assert row_counts(db_session)["idempotency_keys"] == before["idempotency_keys"]


FOREIGN = [
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "https://news.example", "Sec-Fetch-Site": "cross-site"},  # not a framing page
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
]


@pytest.mark.parametrize("headers", FOREIGN, ids=lambda h: " ".join(h.values()))
def test_another_sites_page_cannot_post_the_form_even_with_a_fresh_token(
    client, app, db_session, monkeypatch, headers
):
    # Anyone can GET a token; it proves nothing about the page that posts it.
    monkeypatch.setitem(app.config, "ALLOWED_ORIGINS", [])
    before = row_counts(db_session)
    data = fields(token=page_token(client), body="Planted by another site.")
    response = client.post(PAGE, data=data, headers=headers)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "sent by a page of another site, so it was not saved" in html
    assert "Planted by another site." not in html  # the planted text is not shown as ours
    assert row_counts(db_session) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://localhost"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "https://comments.example.org", "Sec-Fetch-Site": "same-origin"},
        {},
    ],
    ids=lambda h: " ".join(h.values()) or "no browser headers",
)
def test_the_form_on_our_own_page_posts(client, headers):
    response = client.post(PAGE, data=fields(token=page_token(client)), headers=headers)
    assert response.status_code == 303


def test_only_the_429_page_says_retry_after(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "1 per minute")
    accepted = client.post(PAGE, data=fields(token=page_token(client)))
    assert accepted.status_code == 303 and "Retry-After" not in accepted.headers
    refused = client.post(PAGE, data=fields(token=page_token(client)))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Retry-After" not in client.get(PAGE).headers
