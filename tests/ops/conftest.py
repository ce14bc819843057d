"""An app on a PostgreSQL cluster and a Redis server of its own, which tests stop and start."""

import re
import time

import flask_migrate
import pytest

from commentsvc import create_app, tokens
from commentsvc.extensions import db, limiter
from tests.helpers import comment_payload
from tests.servers import Postgres, Redis

SECRET = "ops-secret"
METRICS_TOKEN = "scrape-me"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def postgres():
    server = Postgres()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def redis_server():
    server = Redis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def outage_app(postgres, redis_server):
    # Flask-Limiter's Limiter is one object bound to every app; put back the session
    # app's state afterwards, so no later test counts in this module's Redis.
    saved = dict(limiter.__dict__)
    saved_options = dict(limiter._storage_options)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": postgres.url,
            "REDIS_URL": redis_server.url,
            "METRICS_TOKEN": METRICS_TOKEN,
            "SUBMIT_RATE_LIMIT": "1000 per minute",
            "FLOOD_SECONDS": 0,
            "MIN_FORM_SECONDS": 0,
            "SPAM_REPEAT": 0,
            "REFUSE_DUPLICATES": False,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        limiter.__dict__.clear()
        limiter.__dict__.update(saved)
        limiter._storage_options.clear()
        limiter._storage_options.update(saved_options)


def submit(client, article: str, **overrides):
    return client.post(f"/api/v1/articles/{article}/comments", json=comment_payload(**overrides))


def embed_post(client, article: str, body: str):
    token = tokens.form_token(SECRET, article, now=time.time() - 30)
    form = {"token": token, "name": "Reader", "email": "r@example.org", "body": body}
    return client.post(f"/embed/{article}", data=form)


def sign_in(client, email: str, password: str):
    page = client.get("/review/login").get_data(as_text=True)
    form = {"email": email, "password": password, "csrf_token": CSRF.search(page).group(1)}
    return client.post("/review/login", data=form)


def metric(app, name: str, **labels) -> float:
    """A metric's value as /metrics shows it (0 when it has no sample yet)."""
    text = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert text.status_code == 200
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(name + (f"{{{wanted}}}" if labels else "")) + r" ([0-9.e+-]+)$"
    match = re.search(pattern, text.get_data(as_text=True), re.MULTILINE)
    return float(match.group(1)) if match else 0.0
