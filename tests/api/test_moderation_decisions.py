"""Decisions on comments, one at a time and in bulk: each move leaves exactly one event."""

import pytest

from tests.helpers import ARTICLE, moderate, row_counts, submit

# For each action: the status it leads to, and a status a comment can leave by it.
ACTIONS = {
    "approve": ("approved", "pending"),
    "reject": ("rejected", "pending"),
    "spam": ("spam", "pending"),
    "pend": ("pending", "approved"),
}
REACH = {"approved": "approve", "rejected": "reject", "spam": "spam"}


def events(client, auth, comment_id: int) -> list[dict]:
    response = client.get(f"/api/v1/comments/{comment_id}/events", headers=auth)
    assert response.status_code == 200
    return response.get_json()["events"]


def status_of(client, auth, comment_id: int) -> str:
    return client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()["status"]


def comment_in(client, auth, status: str) -> int:
    """A new comment moved to `status` (comments start pending)."""
    comment_id = submit(client).get_json()["id"]
    if status != "pending":
        assert moderate(client, auth, comment_id, REACH[status]).status_code == 200
    return comment_id


def snapshot(client, auth, db_session, ids) -> tuple:
    """What a refused request must leave as it was: rows, statuses and trails."""
    return (
        row_counts(db_session),
        {i: status_of(client, auth, i) for i in ids},
        {i: events(client, auth, i) for i in ids},
    )


# ---- one comment -------------------------------------------------------------


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("reason", [None, "Checked against the source."])
def test_each_action_moves_the_comment_and_records_one_event(client, auth, action, reason):
    target, start = ACTIONS[action]
    comment_id = comment_in(client, auth, start)
    before = events(client, auth, comment_id)

    response = moderate(client, auth, comment_id, action, reason)

    assert response.status_code == 200
    assert response.get_json()["id"] == comment_id
    assert response.get_json()["status"] == target
    assert status_of(client, auth, comment_id) == target
    *earlier, event = events(client, auth, comment_id)
    assert earlier == before
    assert event["comment_id"] == comment_id
    assert event["action"] == action
    assert (event["from_status"], event["to_status"]) == (start, target)
    assert event["reason"] == reason
    assert event["actor"]["type"] == "api_key"
    assert event["actor"]["name"] == "tests"


def test_the_reason_is_trimmed(client, auth):
    comment_id = submit(client).get_json()["id"]

    moderate(client, auth, comment_id, "reject", "  Off topic.  ")

    assert events(client, auth, comment_id)[-1]["reason"] == "Off topic."


@pytest.mark.parametrize("action", list(ACTIONS))
def test_moving_to_the_current_status_is_409_and_records_nothing(client, auth, db_session, action):
    target, _ = ACTIONS[action]
    comment_id = comment_in(client, auth, target)
    before = snapshot(client, auth, db_session, [comment_id])

    response = moderate(client, auth, comment_id, action, "Again")

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_transition"
    assert snapshot(client, auth, db_session, [comment_id]) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "delete"}, "action"),
        ({"action": "APPROVE"}, "action"),
        ({"action": ""}, "action"),
        ({"action": None}, "action"),
        ({}, "action"),
        ({"action": "approve", "colour": "red"}, "colour"),
        ({"action": "approve", "status": "approved"}, "status"),
        ({"action": "approve", "reason": "x" * 501}, "reason"),
    ],
)
def test_bad_decision_is_422_and_changes_nothing(client, auth, db_session, body, field):
    comment_id = submit(client).get_json()["id"]
    before = snapshot(client, auth, db_session, [comment_id])

    response = client.post(f"/api/v1/comments/{comment_id}/moderation", json=body, headers=auth)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == [field]
    assert snapshot(client, auth, db_session, [comment_id]) == before


def test_deciding_on_an_unknown_comment_is_404(client, auth, db_session):
    missing = submit(client).get_json()["id"] + 1000
    before = row_counts(db_session)

    response = moderate(client, auth, missing, "approve")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert row_counts(db_session) == before


def test_a_decision_needs_a_json_body(client, auth, db_session):
    comment_id = submit(client).get_json()["id"]
    before = row_counts(db_session)

    response = client.post(
        f"/api/v1/comments/{comment_id}/moderation", data="action=approve", headers=auth
    )

    assert response.status_code == 415
    assert row_counts(db_session) == before
    assert status_of(client, auth, comment_id) == "pending"


def test_an_approved_comment_reaches_the_public_thread_and_leaves_it(client, auth):
    comment_id = submit(client).get_json()["id"]

    def public_ids():
        thread = client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()
        return [c["id"] for c in thread["comments"]]

    assert public_ids() == []
    moderate(client, auth, comment_id, "approve")
    assert public_ids() == [comment_id]
    moderate(client, auth, comment_id, "spam")
    assert public_ids() == []


# ---- in bulk -----------------------------------------------------------------


def bulk(client, auth, ids, action, reason=None):
    body = {"ids": ids, "action": action} | ({"reason": reason} if reason else {})
    return client.post("/api/v1/moderation/bulk", json=body, headers=auth)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_bulk_moves_every_comment_with_one_event_each(client, auth, action):
    target, start = ACTIONS[action]
    ids = [comment_in(client, auth, start) for _ in range(3)]
    before = {i: len(events(client, auth, i)) for i in ids}

    response = bulk(client, auth, ids, action, "Sweep")

    assert response.status_code == 200
    body = response.get_json()
    assert body["changed"] == 3
    assert [c["id"] for c in body["comments"]] == ids
    assert {c["status"] for c in body["comments"]} == {target}
    for comment_id in ids:
        assert status_of(client, auth, comment_id) == target
        trail = events(client, auth, comment_id)
        assert len(trail) == before[comment_id] + 1
        assert trail[-1]["action"] == action
        assert (trail[-1]["from_status"], trail[-1]["to_status"]) == (start, target)
        assert trail[-1]["reason"] == "Sweep"
        assert trail[-1]["actor"]["type"] == "api_key"


def test_bulk_counts_a_repeated_id_once(client, auth):
    first, second = (submit(client).get_json()["id"] for _ in range(2))

    response = bulk(client, auth, [first, second, first], "approve")

    assert response.status_code == 200
    assert response.get_json()["changed"] == 2
    assert len(events(client, auth, first)) == 1


def test_bulk_with_an_unknown_id_changes_nothing(client, auth, db_session):
    ids = [submit(client).get_json()["id"] for _ in range(3)]
    missing = ids[-1] + 1000
    before = snapshot(client, auth, db_session, ids)

    response = bulk(client, auth, [ids[0], missing, *ids[1:]], "approve")

    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found"
    assert str(missing) in error["message"]
    assert snapshot(client, auth, db_session, ids) == before


def test_bulk_with_one_comment_already_there_changes_nothing(client, auth, db_session):
    ids = [submit(client).get_json()["id"] for _ in range(3)]
    moderate(client, auth, ids[1], "reject")
    before = snapshot(client, auth, db_session, ids)

    response = bulk(client, auth, ids, "reject")

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["fields"]["ids"] == [f"Comment {ids[1]} is already rejected."]
    assert snapshot(client, auth, db_session, ids) == before


@pytest.mark.parametrize("ids", [[], list(range(1, 502)), None, "1,2", {"0": 1}])
def test_bulk_with_a_bad_id_list_is_422(client, auth, db_session, ids):
    real = submit(client).get_json()["id"]
    before = snapshot(client, auth, db_session, [real])

    response = bulk(client, auth, ids, "approve")

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == ["ids"]
    assert snapshot(client, auth, db_session, [real]) == before


@pytest.mark.parametrize("bad", ["x", "1", 1.5, True, None, 0, -3, 2**31, 10**30])
def test_bulk_with_a_bad_id_is_422_naming_its_place(client, auth, db_session, bad):
    real = submit(client).get_json()["id"]
    before = snapshot(client, auth, db_session, [real])

    response = bulk(client, auth, [bad, real], "approve")

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == ["ids.0"]
    assert snapshot(client, auth, db_session, [real]) == before


def test_bulk_takes_500_ids(client, auth, db_session):
    real = submit(client).get_json()["id"]

    response = bulk(client, auth, [real] * 500, "approve")

    assert response.status_code == 200
    assert response.get_json()["changed"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "approve"}, "ids"),
        ({"ids": ["ID"], "action": "burn"}, "action"),
        ({"ids": ["ID"], "action": "approve", "notify": True}, "notify"),
    ],
)
def test_bulk_with_a_bad_body_is_422(client, auth, db_session, body, field):
    real = submit(client).get_json()["id"]
    if "ids" in body:
        body = body | {"ids": [real]}
    before = snapshot(client, auth, db_session, [real])

    response = client.post("/api/v1/moderation/bulk", json=body, headers=auth)

    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == [field]
    assert snapshot(client, auth, db_session, [real]) == before
