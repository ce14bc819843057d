"""/embed/<article_id>: the thread and the form, served as HTML that works without JavaScript."""

import hashlib
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from commentsvc import tokens
from tests.helpers import ARTICLE, EMAIL, moderate, published, row_counts, submit
from tests.widget.conftest import PAGE, form_token

HELD = "Your comment is awaiting moderation."


def text(response) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, name: str) -> str:
    match = re.search(rf'<span class="field-error" id="f-{name}-error">([^<]*)</span>', html)
    return match.group(1) if match else ""


def test_page_shows_the_thread_and_the_form_without_the_email(client, auth):
    root = published(client, auth, url="https://reader.example", body="First *thoughts*")
    published(client, auth, parent_id=root, name="Bilal", body="A reply")
    submit(client, body="Still held")
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = text(response)
    assert "2 thoughts" in html
    assert f'id="comment-{root}"' in html and "A reply" in html and "Still held" not in html
    link = '<a class="url" href="https://reader.example" rel="nofollow ugc noopener">'
    assert f"{link}<bdi>Reader</bdi></a>" in html
    assert '<ol class="children">' in html
    assert html.count('<svg class="avatar"') == 2
    assert re.search(
        r'<time datetime="[^"]+" title="[^"]+ UTC">(just now|\d+ \w+ ago)</time>', html
    )
    assert "Leave a Reply" in html and "Post Comment" in html
    assert "Your email address will not be published. Required fields are marked" in html
    for label in ("Comment", "Name", "Email", "Website"):
        assert f">{label}" in html
    assert "Save my name, email, and website in this browser" in html
    for secret in (
        EMAIL,
        hashlib.new("md5", EMAIL.encode(), usedforsecurity=False).hexdigest(),
        hashlib.sha256(EMAIL.encode()).hexdigest(),
    ):
        assert secret not in html


def test_staff_replies_are_marked(client, auth, db_session):
    from commentsvc.models import Comment

    comment_id = published(client, auth, name="The Editors")
    db_session.get(Comment, comment_id).is_staff = True
    db_session.commit()
    html = text(client.get(PAGE))
    assert 'class="comment staff"' in html and '<span class="badge">Staff</span>' in html


def test_page_uses_the_article_title_or_the_title_parameter(client, auth):
    client.put(f"/api/v1/articles/{ARTICLE}", json={"title": "Brick kilns"}, headers=auth)
    published(client, auth)
    assert "One thought on \u201cBrick kilns\u201d" in text(client.get(PAGE))
    assert "One thought on \u201cOther\u201d" in text(client.get(PAGE + "?title=Other"))
    assert "No thoughts yet" in text(client.get("/embed/nobody-here"))


def test_post_redirects_back_and_shows_the_reader_their_held_comment(client, post_form, db_session):
    response = post_form(body="My own words")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == PAGE
    notice = parse_qs(location.query)["notice"][0]
    assert location.fragment.startswith("comment-")

    page = client.get(f"{PAGE}?notice={notice}")
    html = text(page)
    assert HELD in html
    assert "My own words" in html and 'class="comment pending"' in html
    assert EMAIL not in html
    # Other readers see nothing of it.
    assert "My own words" not in text(client.get(PAGE))
    # A forged notice shows nothing either.
    assert "My own words" not in text(client.get(f"{PAGE}?notice={notice[:-2]}xx"))


def test_approved_comment_then_shows_in_the_thread_for_everyone(client, auth, post_form):
    location = post_form(body="Soon public").headers["Location"]
    comment_id = int(urlsplit(location).fragment.removeprefix("comment-"))
    assert moderate(client, auth, comment_id, "approve").status_code == 200
    html = text(client.get(location))
    assert "Soon public" in html and "pending" not in html
    assert "your comment is published" in html
    assert "Soon public" in text(client.get(PAGE))


def test_policy_approved_comment_is_published_at_once(client, app, post_form, monkeypatch):
    monkeypatch.setitem(app.config, "MODERATION", "none")
    response = post_form(body="Straight through")
    html = text(client.get(response.headers["Location"]))
    assert "Straight through" in html and "One thought" in html


def test_reply_link_opens_a_reply_form_with_cancel(client, auth, post_form):
    root = published(client, auth)
    html = text(client.get(PAGE))
    assert f"replytocom={root}#respond" in html
    html = text(client.get(f"{PAGE}?replytocom={root}"))
    assert "Reply to <bdi>Reader</bdi>" in html and "Cancel reply" in html
    assert f'name="parent_id" value="{root}"' in html
    response = post_form(query=f"?replytocom={root}", parent_id=str(root), body="Answering")
    assert response.status_code == 303


def test_replies_stop_at_the_configured_depth(client, app, auth, monkeypatch):
    monkeypatch.setitem(app.config, "THREAD_DEPTH", 2)
    root = published(client, auth)
    child = published(client, auth, parent_id=root)
    html = text(client.get(PAGE))
    assert f"replytocom={root}#" in html and f"replytocom={child}#" not in html


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"name": "  "}, "name", "Enter a name of 1 to 100 characters."),
        ({"url": "ftp://files.example"}, "url", "Enter a web address starting with http"),
        ({"body": "   "}, "body", "Write a comment before posting."),
    ],
    ids=["email", "name", "url", "body"],
)
def test_invalid_fields_rerender_with_values_and_messages(
    post_form, db_session, fields, name, message
):
    typed = {"name": "Zoë", "body": "Keep <this> text", "url": "https://zoe.example"} | fields
    before = row_counts(db_session)
    response = post_form(**typed)
    assert response.status_code == 422
    html = text(response)
    assert message in field_error(html, name)
    assert 'aria-invalid="true"' in html
    if name != "name":
        assert 'value="Zoë"' in html
    if name != "body":
        assert "Keep &lt;this&gt; text</textarea>" in html
    assert row_counts(db_session) == before
    assert form_token(html)  # a fresh token: the reader can simply press again


def test_reply_to_an_unknown_comment_is_a_form_error(post_form, db_session):
    response = post_form(parent_id="999999")
    assert response.status_code == 422
    assert "There is no published comment with this id" in text(response)


@pytest.mark.parametrize("case", ["missing", "forged", "expired", "other-article"])
def test_a_bad_form_token_is_refused_and_nothing_is_stored(app, post_form, db_session, case):
    secret = app.config["SECRET_KEY"]
    if case == "missing":
        token = None
    elif case == "forged":
        token = tokens.form_token("not-our-secret", ARTICLE)
    elif case == "expired":
        token = tokens.form_token(secret, ARTICLE, now=time.time() - tokens.FORM_MAX_AGE - 60)
    else:
        token = tokens.form_token(secret, "another-article")
    before = row_counts(db_session)
    response = post_form(token=token, body="Typed with care")
    assert response.status_code == 400
    html = text(response)
    assert "your comment was not saved" in html
    assert "Typed with care</textarea>" in html
    assert row_counts(db_session) == before


def test_closed_article_shows_so_and_refuses_posts(client, auth, post_form, db_session):
    published(client, auth)
    page_token = form_token(text(client.get(PAGE)))
    client.put(f"/api/v1/articles/{ARTICLE}", json={"comments_open": False}, headers=auth)
    html = text(client.get(PAGE))
    assert "Comments are closed." in html and "<form" not in html and "replytocom" not in html
    before = row_counts(db_session)
    response = post_form(token=page_token, body="Too late")
    assert response.status_code == 403
    assert "Comments are closed for this article." in text(response)
    assert "Too late</textarea>" in text(response)
    assert row_counts(db_session) == before


def test_unknown_article_without_auto_create(app, client, post_form, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "ARTICLES_AUTO_CREATE", False)
    assert "Comments are closed." in text(client.get("/embed/no-such-article"))
    token = tokens.form_token(app.config["SECRET_KEY"], "no-such-article")
    response = post_form("no-such-article", token=token)
    assert response.status_code == 404
    assert "This article does not take comments." in text(response)


def test_too_many_posts_answer_429_with_the_text_kept(app, post_form, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "1 per minute")
    assert post_form().status_code == 303
    response = post_form(body="Second thought")
    assert response.status_code == 429
    assert "You are posting too quickly" in text(response)
    assert "Second thought</textarea>" in text(response)


def test_older_comments_page_through_the_thread(client, auth):
    first = published(client, auth, body="The first one")
    published(client, auth, body="The second one")
    html = text(client.get(PAGE + "?limit=1"))
    assert "The second one" in html and "The first one" not in html
    older = re.search(r'href="([^"]+cursor=[^"]+)">Older comments', html).group(1)
    html = text(client.get(older.replace("&amp;", "&")))
    assert f'id="comment-{first}"' in html and "The second one" not in html
    assert "Newest comments" in html


def test_invalid_article_id_is_refused_with_the_rule(client):
    response = client.get("/embed/bad%20id")
    assert response.status_code == 422
    assert "segments of letters, digits" in response.get_data(as_text=True)


@pytest.mark.parametrize("method", ["get", "post"])
def test_embed_pages_forbid_inline_script_and_foreign_framing(client, method):
    response = getattr(client, method)(PAGE)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self' https://news.example"
    assert "unsafe-inline" not in policy
    assert response.headers["Cache-Control"] == "no-store"
    assert "X-Frame-Options" not in response.headers


def test_embed_page_has_no_inline_script_or_style(client, auth):
    published(client, auth, body="<script>alert(1)</script> and <b style='x'>bold</b>")
    html = text(client.get(PAGE))
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "<style" not in html and " style=" not in html
    assert "&lt;script&gt;" in html


def test_frame_ancestors_follow_the_allowed_origins(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ALLOWED_ORIGINS", ["https://a.example", "https://b.example"])
    policy = client.get(PAGE).headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://a.example https://b.example" in policy
    monkeypatch.setitem(app.config, "ALLOWED_ORIGINS", [])
    assert client.get(PAGE).headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")
