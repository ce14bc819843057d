"""The review UI door: on the author's history page, for admins, with a confirmation."""

import json
import re

import pytest

from commentsvc.models import Comment
from tests.privacy.conftest import OTHER, PERSON, hits
from tests.review.conftest import csrf_from

HISTORY = f"/review/?status=all&email={PERSON}"
ERASE = f"/review/privacy/erase?email={PERSON}"


def _confirmation(client) -> tuple[str, str]:
    page = client.get(ERASE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    return text, re.search(r'name="count" value="(\d+)"', text).group(1)


def test_the_history_page_offers_admins_the_privacy_actions(story, admin_client):
    page = admin_client.get(HISTORY).get_data(as_text=True)
    assert "Download data" in page and "Erase…" in page
    assert f'href="/review/privacy/erase?email={PERSON}"' in page.replace("%40", "@")


def test_moderators_see_no_privacy_actions_and_are_refused(story, mod_client, db_session):
    page = mod_client.get(HISTORY).get_data(as_text=True)
    assert "Download data" not in page and "Erase…" not in page
    assert mod_client.get(f"/review/privacy/export?email={PERSON}").status_code == 403
    assert mod_client.get(ERASE).status_code == 403
    token = csrf_from(mod_client, "/review/")
    response = mod_client.post(
        "/review/privacy/erase",
        data={"csrf_token": token, "email": PERSON, "mode": "remove", "count": "2"},
    )
    assert response.status_code == 403
    assert db_session.get(Comment, story.held).erased_at is None


def test_signed_out_visitors_are_sent_to_sign_in(story, client):
    response = client.get(ERASE)
    assert response.status_code == 302 and "/review/login" in response.headers["Location"]


def test_download_is_the_export_as_a_json_file(story, admin_client):
    response = admin_client.get(f"/review/privacy/export?email={PERSON.upper()}")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data())
    assert [c["id"] for c in data["comments"]] == [story.replied, story.held]
    assert OTHER not in response.get_data(as_text=True)


def test_the_confirmation_names_the_count_and_the_choice(story, admin_client):
    text, count = _confirmation(admin_client)
    assert count == "2"
    assert "2 comments</strong> by this address are stored" in text
    assert 'value="anonymise" checked' in text and 'value="remove"' in text
    assert "Erase the data of 2 comments" in text


@pytest.mark.parametrize("mode", ["anonymise", "remove"])
def test_confirming_erases_and_says_how_many(story, admin_client, db_session, mode):
    _text, count = _confirmation(admin_client)
    token = csrf_from(admin_client, ERASE)

    response = admin_client.post(
        "/review/privacy/erase",
        data={"csrf_token": token, "email": PERSON, "mode": mode, "count": count},
        follow_redirects=True,
    )

    assert response.status_code == 200
    done = "anonymised" if mode == "anonymise" else "removed"
    assert f"2 comments {done}" in response.get_data(as_text=True)
    assert hits(db_session, PERSON) == []


def test_a_count_that_changed_meanwhile_asks_again(story, admin_client, db_session):
    token = csrf_from(admin_client, ERASE)
    response = admin_client.post(
        "/review/privacy/erase",
        data={"csrf_token": token, "email": PERSON, "mode": "remove", "count": "1"},
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "changed since the page was shown" in text and 'name="count" value="2"' in text
    assert 'value="remove" checked' in text
    assert db_session.get(Comment, story.held).erased_at is None


def test_the_erase_form_needs_its_csrf_token(story, admin_client, db_session):
    response = admin_client.post(
        "/review/privacy/erase", data={"email": PERSON, "mode": "remove", "count": "2"}
    )
    assert response.status_code == 400
    assert db_session.get(Comment, story.held).erased_at is None


@pytest.mark.parametrize("email", ["not-an-address", "pe\x00rson@example.org", ""])
def test_bad_addresses_answer_422(story, admin_client, email):
    assert (
        admin_client.get("/review/privacy/erase", query_string={"email": email}).status_code == 422
    )
    token = csrf_from(admin_client, ERASE)
    response = admin_client.post(
        "/review/privacy/erase",
        data={"csrf_token": token, "email": email, "mode": "remove", "count": "0"},
    )
    assert response.status_code == 422
