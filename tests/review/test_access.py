"""Who may open what: every review route, from app.url_map, for each kind of visitor.

A new route fails `test_every_route_is_classified` until it is added to one of the
lists below, so no page can ship without its access rule being tested.
"""

import pytest
from sqlalchemy import select

from commentsvc.models import Comment, OutboxMessage, Scope
from commentsvc.services import accounts, staff, webhooks
from commentsvc.services.outbox import EVENTS
from commentsvc.status import Status
from tests.helpers import row_counts

from .conftest import csrf_from, held, signed_in

PUBLIC = {"review.login", "review.set_password", "review.decide"}
ADMIN = {
    "review.moderators",
    "review.invite",
    "review.update_moderator",
    "review.password_link",
    "review.api_keys",
    "review.create_api_key",
    "review.revoke_api_key",
    "review.article_update",
    "review.webhook_list",
    "review.webhook_create",
    "review.webhook_detail",
    "review.webhook_update",
    "review.webhook_delete",
    "review.webhook_redeliver",
    "review.outbox_page",
    "review.outbox_retry",
    "review.discussion_settings",
    "review.save_discussion_settings",
    "review.privacy_export",
    "review.privacy_erase_page",
    "review.privacy_erase",
}
# Query strings a page needs to open (the author whose data a privacy page is about).
QUERIES = {
    "review.privacy_export": {"email": "reader@example.org"},
    "review.privacy_erase_page": {"email": "reader@example.org"},
}
MODERATOR = {
    "review.queue",
    "review.moderate_comment",
    "review.bulk",
    "review.undo",
    "review.comment_detail",
    "review.edit_comment",
    "review.reply",
    "review.article_list",
    "review.activity",
    "review.logout",
    "review.profile",
}


def review_routes(app):
    """(endpoint, method, rule) for every review route and method."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("review."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, rule


@pytest.fixture
def urls(app, client, db_session, moderator):
    """A real address for every route, built with ids that exist."""
    comment_id = held(client)
    key, _ = accounts.create_api_key(db_session, "access", Scope.read)
    token = staff.password_token(app.config["SECRET_KEY"], moderator)
    values = {"comment_id": comment_id, "moderator_id": moderator.id, "key_id": key.id}
    values["token"] = token
    hook, _ = webhooks.create(db_session, "https://hooks.example/x", EVENTS, allow_private=True)
    message = db_session.scalars(select(OutboxMessage)).first()
    values |= {"webhook_id": hook.id, "message_id": message.id}
    with app.test_request_context():
        from flask import url_for

        return {
            (endpoint, method): url_for(
                endpoint, **{a: values[a] for a in rule.arguments}, **QUERIES.get(endpoint, {})
            )
            for endpoint, method, rule in review_routes(app)
        }


def test_every_route_is_classified(app):
    endpoints = {endpoint for endpoint, _, _ in review_routes(app)}
    assert endpoints == PUBLIC | ADMIN | MODERATOR
    assert not (PUBLIC & ADMIN or PUBLIC & MODERATOR or ADMIN & MODERATOR)


def test_anonymous_visitors_are_sent_to_sign_in(client, urls, db_session):
    for (endpoint, method), url in urls.items():
        if endpoint in PUBLIC:
            continue
        before = row_counts(db_session)
        data = {"csrf_token": csrf_from(client)} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (endpoint, method)
        assert "/review/login?next=" in response.headers["Location"], endpoint
        assert row_counts(db_session) == before, endpoint


def test_public_pages_open_without_signing_in(client, urls):
    assert client.get(urls["review.login", "GET"]).status_code == 200
    assert client.get(urls["review.set_password", "GET"]).status_code == 200


def test_moderators_get_403_on_admin_pages(client, urls, moderator, db_session):
    signed_in(client, moderator)
    token = csrf_from(client, "/review/")
    for (endpoint, method), url in urls.items():
        if endpoint not in ADMIN:
            continue
        before = row_counts(db_session)
        data = {"csrf_token": token, "role": "admin", "name": "x", "email": "new@example.org"}
        response = client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (endpoint, method)
        assert "for admins" in response.get_data(as_text=True) or "access" in response.get_data(
            as_text=True
        )
        assert row_counts(db_session) == before, endpoint


def test_moderators_open_every_moderator_page(client, urls, moderator):
    signed_in(client, moderator)
    for (endpoint, method), url in urls.items():
        if endpoint in MODERATOR and method == "GET":
            assert client.get(url).status_code == 200, endpoint


def test_admins_open_every_page(client, urls, admin):
    signed_in(client, admin)
    for (endpoint, method), url in urls.items():
        if method == "GET" and endpoint not in PUBLIC:
            assert client.get(url).status_code == 200, endpoint


def test_admin_links_show_only_to_admins(client, moderator, admin):
    signed_in(client, moderator)
    assert "/review/moderators" not in client.get("/review/").get_data(as_text=True)
    client.post("/review/logout", data={"csrf_token": csrf_from(client, "/review/")})
    signed_in(client, admin)
    assert "/review/moderators" in client.get("/review/").get_data(as_text=True)


def test_every_post_refuses_a_missing_or_wrong_csrf_token(
    app, client, urls, admin, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    signed_in(client, admin)
    comment = db_session.get(Comment, int(urls["review.comment_detail", "GET"].rsplit("/", 1)[1]))
    posts = [(endpoint, url) for (endpoint, method), url in urls.items() if method == "POST"]
    assert len(posts) >= 12
    for endpoint, url in posts:
        for token in (None, "not-a-token"):
            before = row_counts(db_session)
            data = {"action": "approve", "bulk_action": "spam", "confirm": "y", "body": "Hi"}
            data |= {"email": "x@example.org", "password": "correct horse", "name": "n"}
            if token:
                data["csrf_token"] = token
            response = client.post(url, data=data)
            assert response.status_code == 400, (endpoint, token)
            page = response.get_data(as_text=True)
            assert "This form has expired" in page and "Nothing was changed" in page
            assert response.mimetype == "text/html"
            assert row_counts(db_session) == before, endpoint
    db_session.refresh(comment)
    assert comment.status is Status.pending and comment.body == "A thoughtful comment."
    # Still signed in: the refused logout did not sign out.
    assert client.get("/review/").status_code == 200


def test_review_pages_forbid_framing_inline_script_and_caching(client, moderator):
    for response in (client.get("/review/login"), signed_in(client, moderator).get("/review/")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
