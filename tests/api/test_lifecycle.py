"""The issue's acceptance path, through the API alone."""

from tests.helpers import ARTICLE, EMAIL, moderate, submit


def test_submit_hold_approve_publish_reject_placeholder(client, auth):
    held = submit(client, body="First!")
    assert held.status_code == 202
    body = held.get_json()
    assert body["status"] == "pending"
    assert body["message"] == "Your comment is awaiting moderation."
    assert body["comment"]["author"]["name"] == "Reader"
    assert EMAIL not in held.get_data(as_text=True)
    comment_id = body["id"]

    queue = client.get("/api/v1/comments?status=pending", headers=auth).get_json()["comments"]
    (queued,) = [c for c in queue if c["id"] == comment_id]
    assert queued["author"]["email"] == EMAIL
    assert queued["remote_addr"] == "127.0.0.1"
    assert queued["held_reasons"] == [
        {
            "rule": "moderation_mode",
            "message": "Every comment is held for review (moderation: all).",
            "details": {"mode": "all", "outcome": "hold"},
        }
    ]

    thread = client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()
    assert thread["comments"] == [] and thread["count"] == 0

    assert moderate(client, auth, comment_id, "approve").status_code == 200
    thread_response = client.get(f"/api/v1/articles/{ARTICLE}/comments")
    thread = thread_response.get_json()
    assert [c["id"] for c in thread["comments"]] == [comment_id]
    assert thread["comments"][0]["html"] == "<p>First!</p>"
    assert EMAIL not in thread_response.get_data(as_text=True)

    reply = submit(client, body="Agreed.", parent_id=comment_id).get_json()["id"]
    assert moderate(client, auth, reply, "approve").status_code == 200
    assert moderate(client, auth, comment_id, "reject", "Off topic").status_code == 200

    thread = client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()
    (placeholder,) = thread["comments"]
    assert placeholder["removed"] is True
    assert placeholder["author"] is None and placeholder["html"] is None
    assert [r["id"] for r in placeholder["replies"]] == [reply]
    assert thread["count"] == 1

    events = client.get(f"/api/v1/comments/{comment_id}/events", headers=auth).get_json()["events"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("approve", "pending", "approved"),
        ("reject", "approved", "rejected"),
    ]
    assert events[1]["reason"] == "Off topic"
    assert events[1]["actor"]["type"] == "api_key"
