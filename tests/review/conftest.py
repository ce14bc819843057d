"""Review UI fixtures: an admin, signing in through the real form, and CSRF tokens."""

import re

import pytest
from flask import g
from flask.testing import FlaskClient

from tests.helpers import submit

PASSWORD = "correct horse"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class _FreshG(FlaskClient):
    """Each request starts with an empty `g`, as it does when served.

    The db_session fixture keeps one app context open for the whole test, so without
    this Flask-Login would remember the first request's user on every later one.
    """

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db_session):
    app.test_client_class = _FreshG
    try:
        yield app.test_client()
    finally:
        app.test_client_class = None


@pytest.fixture
def admin(db_session):
    from commentsvc.models import Role
    from commentsvc.services import accounts

    return accounts.create_moderator(db_session, "admin@example.org", PASSWORD, Role.admin)


def csrf_from(client, path: str = "/review/login") -> str:
    """The CSRF token of a form on `path`, as a browser would read it from the page."""
    page = client.get(path).get_data(as_text=True)
    match = TOKEN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def signed_in(client, who, password: str = PASSWORD):
    """Sign `who` in through the sign-in form; return the client."""
    token = csrf_from(client, "/review/login")
    response = client.post(
        "/review/login", data={"email": who.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post(client, path: str, data: dict | None = None, *, token_from: str = "/review/", **kwargs):  # noqa: S107
    """POST a form the way the page would: with the token its form carries."""
    body = {"csrf_token": csrf_from(client, token_from), **(data or {})}
    return client.post(path, data=body, **kwargs)


def held(client, article_id: str = "review-article", **overrides) -> int:
    """A new held comment's id, submitted through the public API."""
    response = submit(client, article_id, **overrides)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()["id"]


@pytest.fixture
def mod_client(client, moderator):
    return signed_in(client, moderator)


@pytest.fixture
def admin_client(client, admin):
    return signed_in(client, admin)
