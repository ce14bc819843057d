"""The moderation queue and single comments as an API key reads them."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from commentsvc import threads
from commentsvc.models import Comment
from tests.helpers import ARTICLE, EMAIL, comment_payload, moderate, submit

OTHER_ARTICLE = "news/2026/03/11:river-dredging.html"


def queue(client, auth, **params):
    response = client.get("/api/v1/comments", query_string=params, headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def queue_ids(client, auth, **params) -> list[int]:
    return [c["id"] for c in queue(client, auth, **params)["comments"]]


def submit_many(client, count: int) -> list[int]:
    return [submit(client, body=f"Comment number {n}.").get_json()["id"] for n in range(count)]


def test_queue_shows_the_full_record(client, auth):
    response = client.post(
        f"/api/v1/articles/{ARTICLE}/comments",
        json=comment_payload(url="https://reader.example/me", body="<b>Bold</b> & brave"),
        headers={"User-Agent": "ExampleBrowser/1.0"},
    )
    comment_id = response.get_json()["id"]

    (record,) = queue(client, auth)["comments"]

    assert record["id"] == comment_id
    assert record["article_id"] == ARTICLE
    assert record["parent_id"] is None
    assert record["status"] == "pending"
    assert record["author"] == {
        "name": "Reader",
        "email": EMAIL,
        "url": "https://reader.example/me",
    }
    assert record["body"] == "<b>Bold</b> & brave"
    assert record["html"] == "<p><b>Bold</b> &amp; brave</p>"
    assert record["held_reasons"] == [
        {
            "rule": "moderation_mode",
            "message": "Every comment is held for review (moderation: all).",
            "details": {"mode": "all", "outcome": "hold"},
        }
    ]
    assert record["remote_addr"] == "127.0.0.1"
    assert record["user_agent"] == "ExampleBrowser/1.0"
    assert record["created_at"] and record["updated_at"]
    assert record["erased_at"] is None


def test_one_comment_reads_like_its_queue_entry(client, auth, read_key):
    comment_id = submit(client).get_json()["id"]
    (listed,) = queue(client, auth)["comments"]

    response = client.get(
        f"/api/v1/comments/{comment_id}", headers={"Authorization": f"Bearer {read_key}"}
    )

    assert response.status_code == 200
    assert response.get_json() == listed


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/comments/{missing}",
        "/api/v1/comments/{missing}/events",
        "/api/v1/comments/abc",
        "/api/v1/comments/abc/events",
        "/api/v1/comments/-1",
        "/api/v1/comments/2147483648",
        "/api/v1/comments/99999999999999999999",
    ],
)
def test_unknown_comment_is_404_json(client, auth, path):
    missing = submit(client).get_json()["id"] + 1000

    response = client.get(path.format(missing=missing), headers=auth)

    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("status", ["pending", "approved", "rejected", "spam"])
def test_filter_by_status(client, auth, status):
    ids = dict(zip(["pending", "approve", "reject", "spam"], submit_many(client, 4), strict=True))
    for action in ("approve", "reject", "spam"):
        assert moderate(client, auth, ids[action], action).status_code == 200
    by_status = {
        "pending": ids["pending"],
        "approved": ids["approve"],
        "rejected": ids["reject"],
        "spam": ids["spam"],
    }

    listed = queue(client, auth, status=status)["comments"]

    assert [c["id"] for c in listed] == [by_status[status]]
    assert listed[0]["status"] == status


def test_without_a_status_filter_every_status_is_listed(client, auth):
    ids = submit_many(client, 3)
    moderate(client, auth, ids[0], "approve")
    moderate(client, auth, ids[1], "spam")

    assert sorted(queue_ids(client, auth)) == sorted(ids)


def test_filter_by_article(client, auth):
    here = submit(client).get_json()["id"]
    there = submit(client, OTHER_ARTICLE).get_json()["id"]

    assert queue_ids(client, auth, article_id=ARTICLE) == [here]
    assert queue_ids(client, auth, article_id=OTHER_ARTICLE) == [there]
    assert queue_ids(client, auth, article_id="no-such-article") == []


def test_filters_combine(client, auth):
    pending_here = submit(client).get_json()["id"]
    approved_here = submit(client).get_json()["id"]
    submit(client, OTHER_ARTICLE)
    moderate(client, auth, approved_here, "approve")

    assert queue_ids(client, auth, article_id=ARTICLE, status="pending") == [pending_here]


@pytest.fixture
def searchable(client):
    """Three authors whose details differ in ways a search must tell apart."""
    people = {
        "alice": comment_payload(
            name="Alice Example", email="alice@example.org", body="Brick kilns pollute."
        ),
        "bob": comment_payload(
            name="Bob",
            email="bob_smith@example.net",
            url="https://bob.example/Blog",
            body="I am 100% sure.",
        ),
        # "bxs" and "100x" are what an unescaped "_" or "%" would wrongly match.
        "carol": comment_payload(
            name="Carol", email="carolbxsmith@example.com", body="A 100x better idea."
        ),
    }
    return {
        who: client.post(f"/api/v1/articles/{ARTICLE}/comments", json=payload).get_json()["id"]
        for who, payload in people.items()
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ALICE", {"alice"}),  # name and email, whatever the case
        ("brick KILNS", {"alice"}),  # body
        ("BOB.EXAMPLE/blog", {"bob"}),  # url
        ("example.com", {"carol"}),  # email
        ("  carol  ", {"carol"}),  # surrounding space is ignored
        ("100", {"bob", "carol"}),
        ("100%", {"bob"}),  # "%" is a percent sign, not a wildcard
        ("%", {"bob"}),
        ("b_s", {"bob"}),  # "_" is an underscore, not any one character
        ("_", {"bob"}),
        ("nobody at all", set()),
    ],
)
def test_search(client, auth, searchable, q, expected):
    found = set(queue_ids(client, auth, q=q))

    assert found == {searchable[who] for who in expected}


def test_newest_first_unless_asked_for_oldest(client, auth):
    ids = submit_many(client, 3)

    assert queue_ids(client, auth) == ids[::-1]
    assert queue_ids(client, auth, order="newest") == ids[::-1]
    assert queue_ids(client, auth, order="oldest") == ids


def pages(client, auth, **params) -> list[list[int]]:
    """Follow next_cursor from the first page to the last."""
    found, cursor = [], None
    while True:
        page = queue(client, auth, **params, **({"cursor": cursor} if cursor else {}))
        found.append([c["id"] for c in page["comments"]])
        cursor = page["next_cursor"]
        if cursor is None:
            return found
        assert len(found) < 10, "the cursor never ran out"


@pytest.mark.parametrize("order", ["newest", "oldest"])
@pytest.mark.parametrize("same_moment", [False, True], ids=["spread", "same-moment"])
def test_cursor_pages_list_every_comment_once(client, auth, db_session, order, same_moment):
    ids = submit_many(client, 5)
    if same_moment:
        # Comments stored in one instant still page in a stable order (by id).
        db_session.execute(
            update(Comment).values(created_at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
        )
        db_session.commit()

    found = pages(client, auth, limit=2, order=order)

    assert [len(page) for page in found] == [2, 2, 1]
    assert [i for page in found for i in page] == (ids if order == "oldest" else ids[::-1])


def test_cursor_pages_keep_the_filter(client, auth):
    ids = submit_many(client, 6)
    for comment_id in ids[::2]:
        moderate(client, auth, comment_id, "approve")

    found = pages(client, auth, limit=2, status="pending", order="oldest")

    assert found == [ids[1::2][:2], ids[1::2][2:]]


def test_the_last_full_page_has_no_cursor(client, auth):
    submit_many(client, 2)

    assert queue(client, auth, limit=2)["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"status": "Approved"}, "status"),
        ({"status": ""}, "status"),
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": ""}, "cursor"),
        ({"cursor": threads.encode_cursor(datetime(2026, 3, 10), 1)}, "cursor"),  # naive
        ({"cursor": threads.encode_cursor(datetime.now(UTC), 10**30)}, "cursor"),
        ({"order": "sideways"}, "order"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"article_id": "no spaces allowed"}, "article_id"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_query_is_422(client, auth, params, field):
    submit(client)

    response = client.get("/api/v1/comments", query_string=params, headers=auth)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == [field]
