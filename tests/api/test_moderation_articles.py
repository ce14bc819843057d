"""PUT /api/v1/articles/<id>: the site tells commentsvc an article's title, URL and state."""

import pytest

from tests.helpers import row_counts, submit

ARTICLE_ID = "news/2026/03/10:brick-kilns.html"


def put(client, auth, article_id: str, body: dict):
    return client.put(f"/api/v1/articles/{article_id}", json=body, headers=auth)


def thread(client, article_id: str) -> dict:
    response = client.get(f"/api/v1/articles/{article_id}/comments")
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize(
    "article_id",
    [ARTICLE_ID, "pk-2026-03-10-brick-kilns", "urn:news:4711", "a", "x" * 200, "A_b.c-d/e:f"],
)
def test_put_creates_then_updates(client, auth, article_id):
    created = put(
        client, auth, article_id, {"title": "Brick kilns", "url": "https://news.example/kilns"}
    )

    assert created.status_code == 201
    body = created.get_json()
    assert body["article_id"] == article_id
    assert body["title"] == "Brick kilns"
    assert body["url"] == "https://news.example/kilns"
    assert body["comments_open"] is True
    assert body["created_at"]

    updated = put(client, auth, article_id, {"title": "Brick kilns, revisited"})

    assert updated.status_code == 200
    assert updated.get_json() == body | {"title": "Brick kilns, revisited"}
    assert thread(client, article_id)["title"] == "Brick kilns, revisited"


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Only the title"},
        {"title": None},
        {"url": "http://news.example/moved"},
        {"url": None},
        {"comments_open": False},
        {},
    ],
)
def test_only_the_fields_sent_change(client, auth, change):
    original = {"title": "Kilns", "url": "https://news.example/k", "comments_open": True}
    first = put(client, auth, ARTICLE_ID, original).get_json()

    response = put(client, auth, ARTICLE_ID, change)

    assert response.status_code == 200
    assert response.get_json() == first | change


def test_an_article_created_by_a_comment_is_updated_not_created(client, auth, db_session):
    submit(client, ARTICLE_ID)
    before = row_counts(db_session)

    response = put(client, auth, ARTICLE_ID, {"title": "Named later"})

    assert response.status_code == 200
    assert row_counts(db_session) == before
    assert thread(client, ARTICLE_ID)["title"] == "Named later"


def test_the_title_is_trimmed(client, auth):
    response = put(client, auth, ARTICLE_ID, {"title": "  Kilns  "})

    assert response.get_json()["title"] == "Kilns"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://news.example/kilns"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "news.example/kilns"}, "url"),
        ({"url": "https://news.example/" + "k" * 2000}, "url"),
        ({"title": "t" * 301}, "title"),
        ({"title": 7}, "title"),
        ({"comments_open": "perhaps"}, "comments_open"),
        ({"article_id": "another"}, "article_id"),
    ],
)
def test_bad_article_fields_are_422_and_change_nothing(client, auth, db_session, body, field):
    put(client, auth, ARTICLE_ID, {"title": "Kilns", "url": "https://news.example/k"})
    before = row_counts(db_session)

    response = put(client, auth, ARTICLE_ID, body)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == [field]
    assert row_counts(db_session) == before
    unchanged = put(client, auth, ARTICLE_ID, {}).get_json()
    assert (unchanged["title"], unchanged["url"]) == ("Kilns", "https://news.example/k")


@pytest.mark.parametrize("article_id", ["has space", "bang!", "x" * 201, "caf%C3%A9"])
def test_an_id_that_could_name_no_article_is_422(client, auth, db_session, article_id):
    before = row_counts(db_session)

    response = put(client, auth, article_id, {"title": "Nope"})

    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["article_id"]
    assert row_counts(db_session) == before


def test_closing_an_article_refuses_new_comments_until_it_reopens(client, auth, db_session):
    put(client, auth, ARTICLE_ID, {"title": "Kilns"})
    assert submit(client, ARTICLE_ID).status_code == 202

    assert put(client, auth, ARTICLE_ID, {"comments_open": False}).status_code == 200
    assert thread(client, ARTICLE_ID)["comments_open"] is False
    before = row_counts(db_session)
    closed = submit(client, ARTICLE_ID, body="Too late?")

    assert closed.status_code == 403
    assert closed.get_json()["error"]["code"] == "comments_closed"
    assert row_counts(db_session) == before

    assert put(client, auth, ARTICLE_ID, {"comments_open": True}).status_code == 200
    assert thread(client, ARTICLE_ID)["comments_open"] is True
    assert submit(client, ARTICLE_ID, body="Open again.").status_code == 202


def test_closing_an_article_keeps_its_published_thread(client, auth):
    put(client, auth, ARTICLE_ID, {"title": "Kilns"})
    comment_id = submit(client, ARTICLE_ID).get_json()["id"]
    client.post(
        f"/api/v1/comments/{comment_id}/moderation", json={"action": "approve"}, headers=auth
    )

    put(client, auth, ARTICLE_ID, {"comments_open": False})

    assert [c["id"] for c in thread(client, ARTICLE_ID)["comments"]] == [comment_id]


def test_the_queue_filters_by_an_id_with_slashes_colons_and_dots(client, auth):
    here = submit(client, ARTICLE_ID).get_json()["id"]
    submit(client, "news/2026/03/10:brick-kilns")  # a prefix of the other id

    response = client.get("/api/v1/comments", query_string={"article_id": ARTICLE_ID}, headers=auth)

    assert [c["id"] for c in response.get_json()["comments"]] == [here]
    assert response.get_json()["comments"][0]["article_id"] == ARTICLE_ID


def test_a_put_needs_a_json_object(client, auth, db_session):
    before = row_counts(db_session)

    as_form = client.put(f"/api/v1/articles/{ARTICLE_ID}", data={"title": "x"}, headers=auth)
    as_list = client.put(f"/api/v1/articles/{ARTICLE_ID}", json=["title"], headers=auth)

    assert as_form.status_code == 415
    assert as_list.status_code == 400
    assert row_counts(db_session) == before
