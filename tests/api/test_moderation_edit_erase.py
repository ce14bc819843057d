"""Editing a comment's text, and erasing a comment with its author's data."""

import pytest

from tests.helpers import ARTICLE, moderate, published, row_counts, submit


def get(client, auth, comment_id: int) -> dict:
    response = client.get(f"/api/v1/comments/{comment_id}", headers=auth)
    assert response.status_code == 200
    return response.get_json()


def events(client, auth, comment_id: int) -> list[dict]:
    return client.get(f"/api/v1/comments/{comment_id}/events", headers=auth).get_json()["events"]


def edit(client, auth, comment_id: int, body, reason=None):
    payload = {"body": body} | ({"reason": reason} if reason else {})
    return client.patch(f"/api/v1/comments/{comment_id}", json=payload, headers=auth)


def erase(client, auth, comment_id: int):
    return client.delete(f"/api/v1/comments/{comment_id}", headers=auth)


def public_thread(client) -> list[dict]:
    return client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()["comments"]


# ---- editing -----------------------------------------------------------------


def test_an_edit_is_sanitised_and_keeps_the_raw_text(client, auth):
    comment_id = submit(client, body="Original words.").get_json()["id"]
    new = "<script>x</script> **hi**"

    response = edit(client, auth, comment_id, new, "Removed a script")

    assert response.status_code == 200
    for shown in (response.get_json(), get(client, auth, comment_id)):
        assert shown["body"] == new
        assert "&lt;script&gt;" in shown["html"]
        assert "<script" not in shown["html"]
        assert "**hi**" in shown["html"]
        assert shown["status"] == "pending"


def test_an_edit_leaves_an_event_with_before_and_after(client, auth):
    comment_id = submit(client, body="Teh original.").get_json()["id"]

    edit(client, auth, comment_id, "  The original.  ", "Typo")

    (event,) = events(client, auth, comment_id)
    assert event["action"] == "edit"
    assert (event["from_status"], event["to_status"]) == ("pending", "pending")
    assert event["reason"] == "Typo"
    assert event["details"] == {"before": "Teh original.", "after": "The original."}
    assert event["actor"]["type"] == "api_key"


def test_an_edited_approved_comment_shows_in_the_public_thread(client, auth):
    comment_id = published(client, auth, body="Before the edit.")

    edit(client, auth, comment_id, "After the edit, with <b>bold</b>.")

    (shown,) = public_thread(client)
    assert shown["id"] == comment_id
    assert shown["html"] == "<p>After the edit, with <b>bold</b>.</p>"
    assert get(client, auth, comment_id)["status"] == "approved"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   \n\t "}, "body"),
        ({"body": None}, "body"),
        ({"body": 42}, "body"),
        ({}, "body"),
        ({"body": "Fine.", "reason": "x" * 501}, "reason"),
        ({"body": "Fine.", "status": "approved"}, "status"),
    ],
)
def test_a_bad_edit_is_422_and_changes_nothing(client, auth, db_session, payload, field):
    comment_id = submit(client, body="Untouched.").get_json()["id"]
    before = row_counts(db_session)

    response = client.patch(f"/api/v1/comments/{comment_id}", json=payload, headers=auth)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == [field]
    assert row_counts(db_session) == before
    assert get(client, auth, comment_id)["body"] == "Untouched."


def test_an_edit_may_be_as_long_as_the_limit_and_no_longer(app, client, auth, db_session):
    limit = app.config["BODY_MAX_LENGTH"]
    comment_id = submit(client, body="Short.").get_json()["id"]
    before = row_counts(db_session)

    too_long = edit(client, auth, comment_id, "y" * (limit + 1))

    assert too_long.status_code == 422
    assert list(too_long.get_json()["error"]["fields"]) == ["body"]
    assert row_counts(db_session) == before
    assert get(client, auth, comment_id)["body"] == "Short."
    assert edit(client, auth, comment_id, "y" * limit).status_code == 200


def test_editing_an_unknown_comment_is_404(client, auth, db_session):
    missing = submit(client).get_json()["id"] + 1000
    before = row_counts(db_session)

    response = edit(client, auth, missing, "Hello.")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert row_counts(db_session) == before


# ---- erasing -----------------------------------------------------------------


@pytest.fixture
def worked_on(client, auth):
    """A comment with a trail holding reasons and an edit's before and after."""
    submitted = submit(client, url="https://reader.example", body="My address is 1 Main St.")
    comment_id = submitted.get_json()["id"]
    moderate(client, auth, comment_id, "approve", "Looks fine")
    edit(client, auth, comment_id, "My address is private.", "Removed an address")
    return comment_id


def test_erasing_blanks_the_comment_and_its_author(client, auth, worked_on):
    response = erase(client, auth, worked_on)

    assert response.status_code == 204
    assert response.get_data() == b""
    erased = get(client, auth, worked_on)
    assert erased["erased_at"] is not None
    assert erased["author"] == {"name": "", "email": "", "url": None}
    assert erased["body"] == "" and erased["html"] == ""
    assert erased["remote_addr"] is None and erased["user_agent"] is None
    assert erased["held_reasons"] == []
    assert erased["status"] == "rejected"


def test_erasing_blanks_the_text_of_the_trail_and_records_who(client, auth, worked_on):
    erase(client, auth, worked_on)

    trail = events(client, auth, worked_on)
    assert [e["action"] for e in trail] == ["approve", "edit", "erase"]
    assert all(e["reason"] is None and e["details"] is None for e in trail)
    assert (trail[-1]["from_status"], trail[-1]["to_status"]) == ("approved", "rejected")
    assert trail[-1]["actor"]["type"] == "api_key"
    assert "My address" not in client.get(
        f"/api/v1/comments/{worked_on}/events", headers=auth
    ).get_data(as_text=True)


def test_erasing_twice_is_harmless(client, auth, db_session, worked_on):
    erase(client, auth, worked_on)
    first = get(client, auth, worked_on)
    before = row_counts(db_session)

    response = erase(client, auth, worked_on)

    assert response.status_code == 204
    assert get(client, auth, worked_on) == first
    assert row_counts(db_session) == before


def test_erasing_an_unknown_comment_is_404(client, auth, db_session):
    missing = submit(client).get_json()["id"] + 1000
    before = row_counts(db_session)

    response = erase(client, auth, missing)

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert row_counts(db_session) == before


def test_an_erased_comment_with_a_public_reply_stays_as_a_placeholder(client, auth):
    parent = published(client, auth, body="Parent text.")
    reply = published(client, auth, body="Reply text.", parent_id=parent)

    erase(client, auth, parent)

    (placeholder,) = public_thread(client)
    assert placeholder["id"] == parent
    assert placeholder["removed"] is True
    assert placeholder["author"] is None and placeholder["html"] is None
    assert [r["id"] for r in placeholder["replies"]] == [reply]
    assert placeholder["replies"][0]["html"] == "<p>Reply text.</p>"


def test_an_erased_comment_without_public_replies_leaves_the_thread(client, auth):
    comment_id = published(client, auth)

    erase(client, auth, comment_id)

    assert public_thread(client) == []


def test_erased_comments_are_left_out_of_the_queue(client, auth):
    kept = published(client, auth)
    gone = submit(client).get_json()["id"]

    erase(client, auth, gone)

    def listed(**params):
        response = client.get("/api/v1/comments", query_string=params, headers=auth)
        return [c["id"] for c in response.get_json()["comments"]]

    assert listed() == [kept]
    assert listed(status="rejected") == []
    assert listed(article_id=ARTICLE) == [kept]


@pytest.mark.parametrize("action", ["approve", "reject", "spam", "pend"])
def test_an_erased_comment_cannot_be_moderated(client, auth, db_session, worked_on, action):
    erase(client, auth, worked_on)
    before = row_counts(db_session)

    single = moderate(client, auth, worked_on, action)
    in_bulk = client.post(
        "/api/v1/moderation/bulk", json={"ids": [worked_on], "action": action}, headers=auth
    )

    assert single.status_code == 404
    assert single.get_json()["error"]["code"] == "not_found"
    assert in_bulk.status_code == 404
    assert row_counts(db_session) == before
    assert get(client, auth, worked_on)["status"] == "rejected"


def test_an_erased_comment_cannot_be_edited(client, auth, db_session, worked_on):
    erase(client, auth, worked_on)
    before = row_counts(db_session)

    response = edit(client, auth, worked_on, "Back from the dead.")

    assert response.status_code == 404
    assert row_counts(db_session) == before
    assert get(client, auth, worked_on)["body"] == ""
