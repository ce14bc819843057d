"""Submitting a comment through the public API: answers, input rules, refusals."""

import pytest

from commentsvc import avatars, policy
from commentsvc.policy import Finding, Outcome, Reason
from tests.helpers import (
    ARTICLE,
    EMAIL,
    PUBLIC_COMMENT_KEYS,
    api_error,
    comment_payload,
    moderate,
    published,
    row_counts,
    submit,
)

URL = f"/api/v1/articles/{ARTICLE}/comments"
CLIENT_IP = "203.0.113.77"


def stored(client, auth, comment_id: int) -> dict:
    response = client.get(f"/api/v1/comments/{comment_id}", headers=auth)
    assert response.status_code == 200
    return response.get_json()


def thread_ids(client, article_id: str = ARTICLE) -> list[int]:
    return [c["id"] for c in client.get(f"/api/v1/articles/{article_id}/comments").json["comments"]]


def assert_private(response) -> None:
    text = response.get_data(as_text=True)
    assert EMAIL not in text
    assert CLIENT_IP not in text


@pytest.fixture
def refused(client, db_session):
    """Send a submission that must be refused; check it changed nothing; return the response."""

    def send(*, article_id: str = ARTICLE, **kwargs):
        before = row_counts(db_session)
        kwargs.setdefault("environ_base", {"REMOTE_ADDR": CLIENT_IP})
        response = client.post(f"/api/v1/articles/{article_id}/comments", **kwargs)
        assert response.status_code >= 400
        assert row_counts(db_session) == before
        assert_private(response)
        return response

    return send


# ---- accepted submissions -----------------------------------------------------


def test_held_comment_answers_202_with_the_public_comment(client, auth):
    response = client.post(
        URL,
        json=comment_payload(url="https://reader.example/blog"),
        environ_base={"REMOTE_ADDR": CLIENT_IP},
    )
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "pending"
    assert body["message"] == "Your comment is awaiting moderation."
    comment = body["comment"]
    assert comment["id"] == body["id"]
    assert comment["author"] == {
        "name": "Reader",
        "url": "https://reader.example/blog",
        "avatar": avatars.token(EMAIL, client.application.config["SECRET_KEY"]),
    }
    assert comment["html"] == "<p>A thoughtful comment.</p>"
    assert comment["parent_id"] is None
    assert comment["removed"] is False
    assert set(comment) == PUBLIC_COMMENT_KEYS
    assert_private(response)
    assert stored(client, auth, body["id"])["status"] == "pending"
    assert thread_ids(client) == []


def test_policy_approved_comment_answers_201_and_is_published(client, app, auth, monkeypatch):
    monkeypatch.setitem(app.config, "MODERATION", "none")
    response = client.post(URL, json=comment_payload(), environ_base={"REMOTE_ADDR": CLIENT_IP})
    assert response.status_code == 201
    comment = response.get_json()
    assert comment["author"]["name"] == "Reader"
    assert comment["html"] == "<p>A thoughtful comment.</p>"
    assert comment["removed"] is False
    assert "status" not in comment and "message" not in comment
    assert_private(response)
    assert thread_ids(client) == [comment["id"]]
    assert stored(client, auth, comment["id"])["status"] == "approved"


def test_moderation_setting_is_read_on_every_request(client, app, monkeypatch):
    assert submit(client).status_code == 202
    monkeypatch.setitem(app.config, "MODERATION", "none")
    assert submit(client).status_code == 201


def test_first_comment_is_held_then_the_same_email_in_any_case_is_published(
    client, app, auth, monkeypatch
):
    monkeypatch.setitem(app.config, "MODERATION", "first")
    first = submit(client)
    assert first.status_code == 202
    assert moderate(client, auth, first.get_json()["id"], "approve").status_code == 200
    assert submit(client, email=f"  {EMAIL.upper()} ").status_code == 201


def test_comment_with_too_many_links_is_held_even_without_moderation(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MODERATION", "none")
    body = "See https://a.example https://b.example and https://c.example"
    assert submit(client, body=body).status_code == 202


def test_spam_verdict_answers_like_a_held_comment(client, auth, monkeypatch):
    def spam_rule(submission, context):
        return Finding(Outcome.spam, Reason("test", "Known spam phrase."))

    monkeypatch.setattr(policy, "RULES", (spam_rule,))
    response = submit(client, body="Cheap watches")
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "pending"
    assert body["message"] == "Your comment is awaiting moderation."
    assert "spam" not in response.get_data(as_text=True).lower()
    assert stored(client, auth, body["id"])["status"] == "spam"
    assert thread_ids(client) == []


def test_form_submission_is_accepted(client, auth):
    form = comment_payload(url="", parent_id="")
    response = client.post(URL, data=form)
    assert response.status_code == 202
    comment = stored(client, auth, response.get_json()["id"])
    assert comment["author"] == {"name": "Reader", "email": EMAIL, "url": None}
    assert comment["parent_id"] is None


def test_multipart_form_reply_is_accepted(client, auth):
    parent = published(client, auth)
    form = comment_payload(parent_id=str(parent), url="reader.example")
    response = client.post(URL, data=form, content_type="multipart/form-data")
    assert response.status_code == 202
    comment = response.get_json()["comment"]
    assert comment["parent_id"] == parent
    assert comment["author"]["url"] == "https://reader.example"


def test_fields_are_trimmed_and_email_lowercased(client, auth):
    response = submit(
        client, name="  Ada Lovelace \n", email=" Ada.Lovelace@Example.ORG ", body="\n  Hello.  \n"
    )
    assert response.status_code == 202
    comment = stored(client, auth, response.get_json()["id"])
    assert comment["author"]["name"] == "Ada Lovelace"
    assert comment["author"]["email"] == "ada.lovelace@example.org"
    assert comment["body"] == "Hello."


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("example.org", "https://example.org"),
        ("  example.org/about  ", "https://example.org/about"),
        ("http://example.org/a?b=c", "http://example.org/a?b=c"),
        ("https://example.org", "https://example.org"),
        (None, None),
        ("", None),
    ],
)
def test_url_is_kept_as_a_web_address(client, given, kept):
    response = submit(client, url=given)
    assert response.status_code == 202
    assert response.get_json()["comment"]["author"]["url"] == kept


def test_lengths_at_the_limit_are_accepted(client, auth):
    local = "l" * 64
    domain = ".".join(["a" * 63, "b" * 63, "c" * 57]) + ".org"
    email = f"{local}@{domain}"
    assert len(email) == 254
    url = "https://example.org/" + "p" * 180
    assert len(url) == 200
    response = submit(client, name="N" * 100, email=email, url=url, body="b" * 10_000)
    assert response.status_code == 202
    comment = stored(client, auth, response.get_json()["id"])
    assert comment["author"] == {"name": "N" * 100, "email": email, "url": url}
    assert len(comment["body"]) == 10_000


def test_body_is_sanitised_in_the_answer(client):
    response = submit(client, body='<script>alert("x")</script><b>bold</b>')
    html = response.get_json()["comment"]["html"]
    assert "<script" not in html
    assert "<b>bold</b>" in html


def test_submission_stores_ip_and_user_agent_for_moderators(client, auth):
    response = client.post(
        URL,
        json=comment_payload(),
        environ_base={"REMOTE_ADDR": CLIENT_IP},
        headers={"User-Agent": "ReaderBrowser/1.0"},
    )
    assert response.status_code == 202
    assert "ReaderBrowser" not in response.get_data(as_text=True)
    comment = stored(client, auth, response.get_json()["id"])
    assert comment["remote_addr"] == CLIENT_IP
    assert comment["user_agent"] == "ReaderBrowser/1.0"


def test_overlong_user_agent_is_cut_not_refused(client, auth):
    response = client.post(URL, json=comment_payload(), headers={"User-Agent": "U" * 2000})
    assert response.status_code == 202
    assert stored(client, auth, response.get_json()["id"])["user_agent"] == "U" * 500


# ---- replies ----------------------------------------------------------------------


def test_reply_to_published_comment_is_accepted(client, auth):
    parent = published(client, auth)
    response = submit(client, parent_id=parent)
    assert response.status_code == 202
    assert response.get_json()["comment"]["parent_id"] == parent


def chain(client, auth, depth: int) -> list[int]:
    """Publish a chain of replies `depth` levels deep; return the ids, top first."""
    ids = [published(client, auth)]
    while len(ids) < depth:
        ids.append(published(client, auth, parent_id=ids[-1]))
    return ids


def test_reply_may_nest_up_to_the_thread_depth(client, auth):
    ids = chain(client, auth, 4)
    assert submit(client, parent_id=ids[-1]).status_code == 202


def test_reply_below_the_thread_depth_is_refused(client, auth, refused):
    ids = chain(client, auth, 5)
    response = refused(json=comment_payload(parent_id=ids[-1]))
    error = api_error(response, 422, "validation_failed")
    assert "5 levels" in error["fields"]["parent_id"][0]


def test_thread_depth_is_configurable(client, app, auth, refused, monkeypatch):
    monkeypatch.setitem(app.config, "THREAD_DEPTH", 2)
    ids = chain(client, auth, 2)
    error = api_error(refused(json=comment_payload(parent_id=ids[-1])), 422, "validation_failed")
    assert list(error["fields"]) == ["parent_id"]


@pytest.mark.parametrize("parent", ["pending", "rejected", "spam", "other_article", "unknown"])
def test_reply_to_a_comment_readers_cannot_see_here_is_refused(client, auth, refused, parent):
    if parent == "unknown":
        parent_id = 2**31 - 1
    elif parent == "other_article":
        parent_id = published(client, auth, "another-article")
    else:
        parent_id = submit(client).get_json()["id"]
        if parent != "pending":
            action = "reject" if parent == "rejected" else "spam"
            assert moderate(client, auth, parent_id, action).status_code == 200
    response = refused(json=comment_payload(parent_id=parent_id))
    error = api_error(response, 422, "validation_failed")
    assert list(error["fields"]) == ["parent_id"]


@pytest.mark.parametrize("parent_id", [2**31, 2**63, 10**30])
def test_reply_to_an_id_too_large_to_exist_is_refused(refused, parent_id):
    error = api_error(refused(json=comment_payload(parent_id=parent_id)), 422, "validation_failed")
    assert list(error["fields"]) == ["parent_id"]


def test_fractional_parent_id_is_refused_not_rounded(client, auth, refused):
    parent = published(client, auth)
    error = api_error(
        refused(json=comment_payload(parent_id=parent + 0.5)), 422, "validation_failed"
    )
    assert list(error["fields"]) == ["parent_id"]


def test_reply_refused_on_a_new_article_does_not_create_it(refused):
    response = refused(article_id="brand-new-article", json=comment_payload(parent_id=1))
    assert api_error(response, 422, "validation_failed")["fields"]["parent_id"]


# ---- input rules ------------------------------------------------------------------

BAD_FIELDS = [
    ({"name": None}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "N" * 101}, "name"),
    ({"name": 42}, "name"),
    ({"name": ["Reader"]}, "name"),
    ({"email": None}, "email"),
    ({"email": ""}, "email"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "reader@"}, "email"),
    ({"email": "@example.org"}, "email"),
    ({"email": "l" * 64 + "@" + ".".join(["a" * 63, "b" * 63, "c" * 58]) + ".org"}, "email"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "javascript://example.org/%0Aalert(1)"}, "url"),
    ({"url": "ftp://example.org/file"}, "url"),
    ({"url": "data:text/html,hi"}, "url"),
    ({"url": "https://"}, "url"),
    ({"url": "https://example.org/" + "p" * 181}, "url"),
    ({"url": 7}, "url"),
    ({"body": None}, "body"),
    ({"body": ""}, "body"),
    ({"body": " \n\t "}, "body"),
    ({"body": "b" * 10_001}, "body"),
    ({"body": {"text": "hi"}}, "body"),
    ({"parent_id": 0}, "parent_id"),
    ({"parent_id": -3}, "parent_id"),
    ({"parent_id": "first"}, "parent_id"),
    ({"parent_id": True}, "parent_id"),
    ({"parent_id": 1.5}, "parent_id"),
    ({"status": "approved"}, "status"),
    ({"id": 1}, "id"),
    ({"remote_addr": "10.0.0.1"}, "remote_addr"),
    ({"website": "https://example.org"}, "website"),
]


@pytest.mark.parametrize(("change", "field"), BAD_FIELDS)
def test_invalid_field_is_refused_naming_the_field(refused, change, field):
    response = refused(json=comment_payload(**change))
    error = api_error(response, 422, "validation_failed")
    assert list(error["fields"]) == [field]
    assert all(isinstance(m, str) and m for m in error["fields"][field])


@pytest.mark.parametrize("field", ["name", "email", "body"])
def test_missing_required_field_is_refused(refused, field):
    payload = comment_payload()
    del payload[field]
    error = api_error(refused(json=payload), 422, "validation_failed")
    assert list(error["fields"]) == [field]


def test_every_invalid_field_is_reported_at_once(refused):
    response = refused(json={"name": "", "email": "nope", "url": "ftp://x.example", "body": ""})
    error = api_error(response, 422, "validation_failed")
    assert set(error["fields"]) == {"name", "email", "url", "body"}


@pytest.mark.parametrize(("change", "field"), [*BAD_FIELDS[:4], ({"submit": "Post"}, "submit")])
def test_invalid_form_field_is_refused(refused, change, field):
    form = {k: v for k, v in comment_payload(**change).items() if v is not None}
    error = api_error(refused(data=form), 422, "validation_failed")
    assert list(error["fields"]) == [field]


def test_body_length_limit_is_configurable(client, app, refused, monkeypatch):
    monkeypatch.setitem(app.config, "BODY_MAX_LENGTH", 50)
    assert submit(client, body="b" * 50).status_code == 202
    error = api_error(refused(json=comment_payload(body="b" * 51)), 422, "validation_failed")
    assert "50" in error["fields"]["body"][0]


def test_validation_error_does_not_echo_the_email(refused):
    response = refused(json=comment_payload(url="javascript:alert(1)"))
    assert api_error(response, 422, "validation_failed")["fields"]["url"]


# ---- refused requests ---------------------------------------------------------------


@pytest.mark.parametrize("raw", ['{"name": "Reader", ', "{'name': 'x'}", "", "nul"])
def test_malformed_json_is_refused(refused, raw):
    response = refused(data=raw, content_type="application/json")
    api_error(response, 400, "malformed_json")


@pytest.mark.parametrize("raw", ["[1, 2]", '[{"name": "Reader"}]', '"text"', "42", "null", "true"])
def test_json_that_is_not_an_object_is_refused(refused, raw):
    response = refused(data=raw, content_type="application/json")
    api_error(response, 400, "malformed_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
def test_other_content_types_are_refused(refused, content_type):
    kwargs = {"data": '{"name": "Reader"}'}
    if content_type:
        kwargs["content_type"] = content_type
    api_error(refused(**kwargs), 415, "unsupported_media_type")


@pytest.mark.parametrize("as_form", [False, True])
def test_body_over_the_size_limit_is_refused(refused, as_form):
    payload = comment_payload(body="b" * 70_000)
    response = refused(data=payload) if as_form else refused(json=payload)
    api_error(response, 413, "payload_too_large")


def test_closed_article_refuses_comments(client, auth, refused):
    closed = client.put(f"/api/v1/articles/{ARTICLE}", json={"comments_open": False}, headers=auth)
    assert closed.status_code == 201
    response = refused(json=comment_payload())
    error = api_error(response, 403, "comments_closed")
    assert "closed" in error["message"].lower()


def test_reopened_article_takes_comments_again(client, auth):
    url = f"/api/v1/articles/{ARTICLE}"
    client.put(url, json={"comments_open": False}, headers=auth)
    assert client.put(url, json={"comments_open": True}, headers=auth).status_code == 200
    assert submit(client).status_code == 202


def test_unknown_article_is_refused_when_auto_create_is_off(
    client, app, auth, refused, monkeypatch
):
    monkeypatch.setitem(app.config, "ARTICLES_AUTO_CREATE", False)
    api_error(refused(json=comment_payload()), 404, "not_found")
    assert client.put(f"/api/v1/articles/{ARTICLE}", json={}, headers=auth).status_code == 201
    assert submit(client).status_code == 202


@pytest.mark.parametrize("article_id", ["bad%20id", "a%3Cb", "a<b", "x" * 201, "caf%C3%A9"])
def test_impossible_article_id_is_refused(refused, article_id):
    response = refused(article_id=article_id, json=comment_payload())
    assert list(api_error(response, 422, "validation_failed")["fields"]) == ["article_id"]


def test_an_id_ending_in_comments_names_no_thread(refused):
    # ".../news/story/comments/comments" is no route: the id would read as another's thread.
    api_error(refused(article_id="news/story/comments", json=comment_payload()), 404, "not_found")


def test_rate_limit_refuses_the_third_submission(client, app, auth, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "2 per minute")
    assert submit(client).status_code == 202
    assert submit(client).status_code == 202
    before = row_counts(db_session)
    response = submit(client)
    error = api_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    assert "wait" in error["message"].lower()
    assert EMAIL not in response.get_data(as_text=True)
    assert row_counts(db_session) == before
    assert row_counts(db_session)["comments"] == 2
