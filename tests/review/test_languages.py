"""The review UI in the moderator's language (else the browser's); Urdu right to left."""

import re

from tests.review.conftest import held, post, signed_in


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


def test_sign_in_page_follows_accept_language(client):
    page = client.get("/review/login", headers={"Accept-Language": "ur"})
    assert html_tag(page) == '<html lang="ur" dir="rtl">'
    assert "ماڈریشن کے لیے سائن ان کریں" in page.get_data(as_text=True)


def test_moderator_picks_urdu_and_the_queue_is_in_urdu_right_to_left(client, moderator):
    signed_in(client, moderator)
    comment_id = held(client)
    english = client.get("/review/", headers={"Accept-Language": "en"})
    assert html_tag(english) == '<html lang="en" dir="ltr">'
    saved = post(client, "/review/profile/language", {"locale": "ur"}, token_from="/review/profile")
    assert saved.status_code == 302
    assert moderator.locale == "ur"
    # Their choice wins over the browser's.
    queue = client.get("/review/", headers={"Accept-Language": "de"})
    text = queue.get_data(as_text=True)
    assert html_tag(queue) == '<html lang="ur" dir="rtl">'
    nav = re.search(r'<nav class="adminmenu".*?</nav>', text, re.S).group(0)
    for word in ("تبصرے", "مضامین", "سرگرمی", "پروفائل"):  # Comments, Articles, Activity, Profile
        assert word in nav
    assert "Comments" not in nav
    assert "محفوظ ہو گئی: آپ کی زبان۔" in text  # the flash, in the new language
    detail = client.get(f"/review/comments/{comment_id}").get_data(as_text=True)
    assert "ماڈریشن کا تاریخچہ" in detail  # Moderation history


def test_back_to_the_browser_language(client, moderator):
    signed_in(client, moderator)
    post(client, "/review/profile/language", {"locale": "fr"}, token_from="/review/profile")
    assert "Profil" in client.get("/review/profile").get_data(as_text=True)
    post(client, "/review/profile/language", {"locale": ""}, token_from="/review/profile")
    assert moderator.locale is None
    page = client.get("/review/profile", headers={"Accept-Language": "de"})
    assert html_tag(page) == '<html lang="de" dir="ltr">'


def test_unknown_locale_is_refused_and_changes_nothing(client, moderator):
    signed_in(client, moderator)
    response = post(
        client, "/review/profile/language", {"locale": "xx"}, token_from="/review/profile"
    )
    assert response.status_code == 422
    assert moderator.locale is None
