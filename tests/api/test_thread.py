"""Reading an article's public thread: what readers see, in which order, page by page."""

import base64

import pytest

from commentsvc import avatars
from tests.helpers import (
    ARTICLE,
    EMAIL,
    PUBLIC_COMMENT_KEYS,
    api_error,
    moderate,
    published,
    submit,
)

URL = f"/api/v1/articles/{ARTICLE}/comments"
CLIENT_IP = "203.0.113.77"


def thread(client, **params) -> dict:
    response = client.get(URL, query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def ids(nodes: list[dict]) -> list[int]:
    return [node["id"] for node in nodes]


def test_unknown_article_has_an_empty_thread(client):
    response = client.get("/api/v1/articles/never-commented/comments")
    assert response.status_code == 200
    assert response.get_json() == {
        "article_id": "never-commented",
        "title": None,
        "comments_open": True,
        "count": 0,
        "comments": [],
        "next_cursor": None,
    }


def test_thread_shows_only_approved_comments(client, auth):
    shown = published(client, auth)
    submit(client, body="Still pending.")
    for action in ("reject", "spam"):
        comment_id = submit(client).get_json()["id"]
        assert moderate(client, auth, comment_id, action).status_code == 200
    body = thread(client)
    assert ids(body["comments"]) == [shown]
    assert body["count"] == 1


def test_thread_shows_the_public_shape_only(client, auth):
    comment_id = published(client, auth, url="https://reader.example", body="Hello *there*")
    response = client.get(URL, environ_base={"REMOTE_ADDR": CLIENT_IP})
    (comment,) = response.get_json()["comments"]
    assert comment["id"] == comment_id
    assert comment["author"] == {
        "name": "Reader",
        "url": "https://reader.example",
        "avatar": avatars.token(EMAIL, client.application.config["SECRET_KEY"]),
    }
    assert comment["html"].startswith("<p>Hello")
    assert comment["removed"] is False and comment["replies"] == []
    assert comment["created_at"]
    assert set(comment) == PUBLIC_COMMENT_KEYS
    text = response.get_data(as_text=True)
    assert EMAIL not in text and "127.0.0.1" not in text and CLIENT_IP not in text


def test_thread_reports_the_article_title_and_open_flag(client, auth):
    client.put(
        f"/api/v1/articles/{ARTICLE}",
        json={"title": "Brick kilns", "comments_open": False},
        headers=auth,
    )
    body = thread(client)
    assert body["title"] == "Brick kilns"
    assert body["comments_open"] is False


def test_comments_are_oldest_first_unless_newest_is_asked_for(client, auth):
    first, second, third = (published(client, auth, body=f"Comment {n}") for n in range(3))
    assert ids(thread(client)["comments"]) == [first, second, third]
    assert ids(thread(client, order="oldest")["comments"]) == [first, second, third]
    assert ids(thread(client, order="newest")["comments"]) == [third, second, first]


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_replies_nest_under_their_parent_oldest_first(client, auth, order):
    root = published(client, auth)
    first_reply = published(client, auth, parent_id=root)
    second_reply = published(client, auth, parent_id=root)
    nested = published(client, auth, parent_id=first_reply)
    later_root = published(client, auth)

    body = thread(client, order=order)
    roots = {node["id"]: node for node in body["comments"]}
    assert set(roots) == {root, later_root}
    replies = roots[root]["replies"]
    assert ids(replies) == [first_reply, second_reply]
    assert [r["parent_id"] for r in replies] == [root, root]
    assert ids(replies[0]["replies"]) == [nested]
    assert replies[0]["replies"][0]["parent_id"] == first_reply
    assert roots[root]["parent_id"] is None
    assert body["count"] == 5


def test_pending_reply_is_not_shown(client, auth):
    root = published(client, auth)
    submit(client, parent_id=root)
    (node,) = thread(client)["comments"]
    assert node["replies"] == []


def test_rejected_comment_with_a_published_reply_stays_as_a_placeholder(client, auth):
    root = published(client, auth, body="Original")
    reply = published(client, auth, parent_id=root, body="Agreed")
    assert moderate(client, auth, root, "reject").status_code == 200
    response = client.get(URL)
    (placeholder,) = response.get_json()["comments"]
    assert placeholder["id"] == root
    assert placeholder["removed"] is True
    assert placeholder["author"] is None and placeholder["html"] is None
    assert placeholder["created_at"] is None
    assert ids(placeholder["replies"]) == [reply]
    assert placeholder["replies"][0]["removed"] is False
    assert "Original" not in response.get_data(as_text=True)
    assert response.get_json()["count"] == 1


def test_rejected_reply_with_a_published_reply_stays_as_a_nested_placeholder(client, auth):
    root = published(client, auth)
    middle = published(client, auth, parent_id=root)
    leaf = published(client, auth, parent_id=middle)
    assert moderate(client, auth, middle, "spam").status_code == 200
    (node,) = thread(client)["comments"]
    (placeholder,) = node["replies"]
    assert placeholder["id"] == middle and placeholder["removed"] is True
    assert ids(placeholder["replies"]) == [leaf]


def test_rejected_comment_without_published_replies_is_absent(client, auth):
    kept = published(client, auth)
    dropped = published(client, auth)
    submit(client, parent_id=dropped)  # a pending reply keeps nothing visible
    assert moderate(client, auth, dropped, "reject").status_code == 200
    body = thread(client)
    assert ids(body["comments"]) == [kept]
    assert body["count"] == 1


def test_erased_comment_with_a_published_reply_shows_no_trace_of_its_text(client, auth):
    root = published(client, auth, name="Erased Author", body="Erase me")
    reply = published(client, auth, parent_id=root)
    assert client.delete(f"/api/v1/comments/{root}", headers=auth).status_code == 204
    response = client.get(URL)
    (placeholder,) = response.get_json()["comments"]
    assert placeholder["removed"] is True and ids(placeholder["replies"]) == [reply]
    text = response.get_data(as_text=True)
    assert "Erase me" not in text and "Erased Author" not in text
    assert response.get_json()["count"] == 1


# ---- pagination -------------------------------------------------------------------


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_pages_follow_the_cursor_without_gaps_or_repeats(client, auth, order):
    roots = [published(client, auth, body=f"Top {n}") for n in range(5)]
    replies = [published(client, auth, parent_id=root) for root in roots]
    expected = roots if order == "oldest" else roots[::-1]

    seen, pages, cursor = [], [], None
    while True:
        params = {"limit": 2, "order": order} | ({"cursor": cursor} if cursor else {})
        body = thread(client, **params)
        pages.append(ids(body["comments"]))
        seen.extend(body["comments"])
        assert body["count"] == 10
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert len(pages) < 5, "the cursor never ran out"
    assert [len(page) for page in pages] == [2, 2, 1]
    assert ids(seen) == expected
    assert sorted(r["id"] for node in seen for r in node["replies"]) == replies


def test_exactly_full_last_page_has_no_next_cursor(client, auth):
    for _ in range(2):
        published(client, auth)
    assert thread(client, limit=2)["next_cursor"] is None


def test_page_is_stable_when_a_newer_comment_arrives(client, auth):
    first, second, third = (published(client, auth) for _ in range(3))
    page = thread(client, limit=2)
    published(client, auth)
    rest = thread(client, limit=2, cursor=page["next_cursor"])
    assert ids(page["comments"]) == [first, second]
    assert ids(rest["comments"])[0] == third


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "!!!",
        _b64("yesterday|3"),
        _b64("2026-03-10T12:00:00|3"),  # no time zone
        _b64("2026-03-10T12:00:00+00:00|three"),
        _b64("2026-03-10T12:00:00+00:00"),
        _b64("2026-03-10T12:00:00+00:00|99999999999999999999"),
    ],
)
def test_invalid_cursor_is_refused(client, cursor):
    response = client.get(URL, query_string={"cursor": cursor})
    error = api_error(response, 422, "validation_failed")
    assert list(error["fields"]) == ["cursor"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": -1}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"order": "random"}, "order"),
    ],
)
def test_invalid_paging_is_refused(client, params, field):
    response = client.get(URL, query_string=params)
    error = api_error(response, 422, "validation_failed")
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize("limit", [1, 200])
def test_limit_bounds_are_accepted(client, auth, limit):
    published(client, auth)
    assert len(thread(client, limit=limit)["comments"]) == 1


def test_unknown_query_parameters_are_ignored(client, auth):
    comment_id = published(client, auth)
    assert ids(thread(client, _="1712345678")["comments"]) == [comment_id]


# ---- conditional requests -----------------------------------------------------------


def etag_of(client, **params) -> str:
    response = client.get(URL, query_string=params)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert not etag.startswith("W/"), "the ETag should be strong"
    return etag


def test_unchanged_thread_answers_304_with_an_empty_body(client, auth):
    published(client, auth)
    etag = etag_of(client)
    response = client.get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag


def test_unknown_article_also_answers_304(client):
    etag = etag_of(client)
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304


def _approve_new(client, auth, existing):
    published(client, auth, body="New")


def _reject(client, auth, existing):
    assert moderate(client, auth, existing, "reject").status_code == 200


def _edit(client, auth, existing):
    response = client.patch(
        f"/api/v1/comments/{existing}", json={"body": "Edited text."}, headers=auth
    )
    assert response.status_code == 200


def _erase(client, auth, existing):
    assert client.delete(f"/api/v1/comments/{existing}", headers=auth).status_code == 204


def _retitle(client, auth, existing):
    response = client.put(f"/api/v1/articles/{ARTICLE}", json={"title": "New"}, headers=auth)
    assert response.status_code == 200


@pytest.mark.parametrize("change", [_approve_new, _reject, _edit, _erase, _retitle])
def test_visible_change_gives_a_new_etag_and_a_full_answer(client, auth, change):
    existing = published(client, auth)
    old = etag_of(client)
    change(client, auth, existing)
    response = client.get(URL, headers={"If-None-Match": old})
    assert response.status_code == 200
    assert response.headers["ETag"] != old
    assert response.get_json()["comments"] is not None


def test_edit_shows_in_the_thread(client, auth):
    existing = published(client, auth)
    _edit(client, auth, existing)
    assert thread(client)["comments"][0]["html"] == "<p>Edited text.</p>"


def test_held_submission_keeps_the_etag(client, auth):
    published(client, auth)
    old = etag_of(client)
    assert submit(client).status_code == 202
    assert client.get(URL, headers={"If-None-Match": old}).status_code == 304


def test_each_page_and_order_has_its_own_etag(client, auth):
    for _ in range(3):
        published(client, auth)
    first = client.get(URL, query_string={"limit": 2})
    cursor = first.get_json()["next_cursor"]
    etags = {
        first.headers["ETag"],
        etag_of(client, limit=2, cursor=cursor),
        etag_of(client, limit=2, order="newest"),
        etag_of(client),
    }
    assert len(etags) == 4
