"""The policy in the review UI: reason tags, Not spam, the bulk menu, Settings → Discussion."""

import re

from sqlalchemy import select

from commentsvc.models import Comment, DiscussionSettings, ModerationEvent
from tests.helpers import moderate, row_counts

from .conftest import held, post

SETTINGS = "/review/settings/discussion"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def row(html: str, comment_id: int) -> str:
    start = html.index(f'id="c-{comment_id}"')
    return html[start : html.find("</tr>", start)]


def tags(fragment: str) -> list[tuple[str, str]]:
    """(outcome class, visible words) of every reason tag."""
    return [
        (kind, words.strip())
        for kind, words in re.findall(r'<li class="tag(?: tag-(\w+))?"[^>]*>([^<]*)', fragment)
    ]


# ---- reasons as tags --------------------------------------------------------------


def test_a_pending_row_shows_its_reasons_as_small_tags_not_a_box(mod_client):
    comment_id = held(mod_client, body="See http://a.example http://b.example http://c.example")

    html = row(page(mod_client, "/review/"), comment_id)

    assert tags(html) == [("hold", "moderation: all"), ("hold", "3 links")]
    assert 'title="Every comment is held for review (moderation: all)."' in html
    assert 'class="held"' not in html


def test_the_spam_tab_shows_which_rule_fired_and_offers_not_spam(
    mod_client, auth, app, monkeypatch
):
    monkeypatch.setitem(app.config, "DISALLOWED_WORDS", "casino")
    by_rule = held(mod_client, body="Casino nights")
    by_hand = held(mod_client, body="Quiet words", email="other@example.org")
    moderate(mod_client, auth, by_hand, "spam")

    html = page(mod_client, "/review/?status=spam")

    assert ("spam", "disallowed “casino”") in tags(row(html, by_rule))
    assert tags(row(html, by_hand))[-1] == ("", "marked spam by a moderator")
    for comment_id in (by_rule, by_hand):
        assert 'value="unspam"' in row(html, comment_id)
    assert '<option value="unspam">Not spam</option>' in html
    detail = page(mod_client, f"/review/comments/{by_rule}")
    assert "disallowed “casino”" in detail and "matched disallowed word" in detail


def _unspam(client, comment_id):
    return post(
        client,
        f"/review/comments/{comment_id}/moderate",
        {"action": "unspam", "back": "/review/?status=spam"},
    )


def test_not_spam_moves_a_comment_back_where_it_was(mod_client, auth, db_session):
    was_approved = held(mod_client)
    moderate(mod_client, auth, was_approved, "approve")
    moderate(mod_client, auth, was_approved, "spam")
    was_pending = held(mod_client, body="Another", email="b@example.org")
    moderate(mod_client, auth, was_pending, "spam")

    for comment_id in (was_approved, was_pending):
        assert _unspam(mod_client, comment_id).status_code == 302

    assert db_session.get(Comment, was_approved).status.value == "approved"
    assert db_session.get(Comment, was_pending).status.value == "pending"
    last = db_session.scalars(
        select(ModerationEvent).where(ModerationEvent.comment_id == was_approved)
    ).all()[-1]
    assert (last.action, last.from_status.value, last.to_status.value) == (
        "unspam",
        "spam",
        "approved",
    )


def test_not_spam_on_a_comment_that_is_not_spam_changes_nothing(mod_client, db_session):
    comment_id = held(mod_client)
    before = row_counts(db_session)

    response = _unspam(mod_client, comment_id)

    assert response.status_code == 302
    assert "is not spam" in page(mod_client, "/review/?status=spam")
    assert row_counts(db_session) == before


def test_policy_spam_goes_back_to_pending_and_can_be_undone(
    mod_client, app, monkeypatch, db_session
):
    monkeypatch.setitem(app.config, "DISALLOWED_WORDS", "casino")
    comment_id = held(mod_client, body="Casino nights")
    _unspam(mod_client, comment_id)
    assert db_session.get(Comment, comment_id).status.value == "pending"
    flashed = page(mod_client, "/review/")
    batch = re.search(r'name="batch_id" value="([0-9a-f]{32})"', flashed).group(1)

    post(mod_client, "/review/undo", {"batch_id": batch, "back": "/review/"})

    db_session.expire_all()
    assert db_session.get(Comment, comment_id).status.value == "spam"


# ---- the bulk menu -----------------------------------------------------------------


def test_the_bulk_menu_starts_on_a_neutral_choice(mod_client):
    held(mod_client)

    html = page(mod_client, "/review/")

    options = re.findall(
        r"<option value=\"([a-z]*)\"[^>]*>([^<]+)</option>",
        html.split('id="bulk-action"', 1)[1].split("</select>", 1)[0],
    )
    assert options[0] == ("", "Bulk actions")
    assert '<option value="" selected>Bulk actions</option>' in html
    assert "unspam" not in [value for value, _ in options]  # only on the Spam tab


def test_applying_no_bulk_action_says_so_and_changes_nothing(mod_client, db_session):
    ids = [held(mod_client), held(mod_client, body="two", email="two@example.org")]
    before = row_counts(db_session)

    response = post(
        mod_client,
        "/review/bulk",
        {"bulk_action": "", "ids": ids, "confirm": "y", "back": "/review/"},
    )

    assert response.status_code == 302
    assert "Choose a bulk action first" in page(mod_client, "/review/")
    assert row_counts(db_session) == before
    assert {c.status.value for c in db_session.query(Comment)} == {"pending"}


def test_bulk_not_spam_asks_first_then_moves_every_one(mod_client, auth, db_session):
    ids = [held(mod_client), held(mod_client, body="two", email="two@example.org")]
    for comment_id in ids:
        moderate(mod_client, auth, comment_id, "spam")

    confirm = post(mod_client, "/review/bulk", {"bulk_action": "unspam", "ids": ids})
    assert "out of spam" in confirm.get_data(as_text=True)
    post(mod_client, "/review/bulk", {"bulk_action": "unspam", "ids": ids, "confirm": "y"})

    assert {db_session.get(Comment, i).status.value for i in ids} == {"pending"}


# ---- Settings → Discussion --------------------------------------------------------------


def test_the_settings_page_shows_what_is_in_force(admin_client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MODERATION_WORDS", "casino\npoker")

    html = page(admin_client, SETTINGS)

    assert 'id="moderation-all" name="moderation" value="all" checked' in html
    assert ">casino\npoker</textarea>" in html
    assert "Not saved yet: follows <code>COMMENTSVC_MODERATION</code>" in html
    assert (
        "COMMENTSVC_AKISMET_KEY" in html and 'id="checker" name="checker_enabled" disabled' in html
    )


def _form(**overrides) -> dict:
    data = {
        "moderation": "first",
        "max_links": "3",
        "moderation_words": "casino\r\npoker",
        "disallowed_words": "pills",
        "close_after_days": "30",
    }
    data.update(overrides)
    return data


def test_saving_stores_the_settings_and_logs_the_change(admin_client, admin, db_session):
    response = post(admin_client, SETTINGS, {**_form(), "do": "save"}, token_from=SETTINGS)

    assert response.status_code == 302
    html = page(admin_client, SETTINGS)
    assert "Settings saved." in html
    assert 'value="first" checked' in html and "Not saved yet" not in html
    row_ = db_session.get(DiscussionSettings, 1)
    assert (row_.moderation, row_.max_links, row_.moderation_words) == (
        "first",
        3,
        ["casino", "poker"],
    )
    assert row_.checker_enabled is False
    event = db_session.query(ModerationEvent).filter_by(action="settings").one()
    assert event.moderator_id == admin.id and event.comment_id is None
    activity = page(admin_client, "/review/activity?action=settings")
    assert "moderation: all → first" in activity and "Settings → Discussion" in activity


def test_bad_values_are_shown_next_to_their_fields_and_nothing_is_saved(admin_client, db_session):
    before = row_counts(db_session)

    response = post(
        admin_client,
        SETTINGS,
        {**_form(max_links="-4", disallowed_words="10.0.0.0/40"), "do": "save"},
        token_from=SETTINGS,
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="max_links-error"' in html and 'id="disallowed_words-error"' in html
    assert "10.0.0.0/40</textarea>" in html  # what was typed stays
    assert row_counts(db_session) == before
    assert db_session.get(DiscussionSettings, 1) is None


def test_preview_shows_what_these_settings_would_have_done_and_saves_nothing(
    admin_client, auth, db_session
):
    spam = held(admin_client, body="Buy pills now", email="bot@example.org")
    moderate(admin_client, auth, spam, "spam")
    good = held(admin_client, body="A kind word", email="kind@example.org")
    moderate(admin_client, auth, good, "approve")
    before = row_counts(db_session)

    response = post(
        admin_client,
        SETTINGS,
        {**_form(moderation="none", disallowed_words="pills"), "do": "preview"},
        token_from=SETTINGS,
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (
        "With these settings, 1 of the 1 comments moderators marked as spam would have gone to spam"
        in html
    )
    assert "0 of the 1 approved comments would have been held" in html
    assert re.search(
        r"<th scope=\"row\">send to spam</th>\s*<td>0</td><td>0</td><td>0</td><td>1</td>", html
    )
    assert "<td>disallowed_words</td><td>1</td><td>1</td><td>1</td>" in html
    assert 'value="none" checked' in html  # the form keeps what is being tried
    assert row_counts(db_session) == before
    assert db_session.get(DiscussionSettings, 1) is None
