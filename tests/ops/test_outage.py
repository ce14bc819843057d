"""Outages answered and survived: Redis or the database stopped mid-run, then started.

Real servers of this module's own (tests/servers.py), stopped and started by the tests.
"""

import sqlite3
import threading
import time

import psycopg
import pytest
from sqlalchemy import func, select

from commentsvc import worker
from commentsvc.extensions import db
from commentsvc.models import OutboxMessage, OutboxState, Role
from commentsvc.ops.outage import is_outage
from commentsvc.services import accounts

from .conftest import embed_post, metric, sign_in, submit

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def moderator(outage_app):
    with outage_app.app_context():
        accounts.create_moderator(db.session, "ops-mod@example.org", PASSWORD, Role.moderator)
    return "ops-mod@example.org"


def test_ready_when_the_database_is_at_head_and_redis_answers(outage_app):
    response = outage_app.test_client().get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "up", "migrations": "current", "redis": "up"},
    }


def test_redis_down_submissions_and_sign_in_keep_working(outage_app, redis_server, moderator):
    client = outage_app.test_client()
    assert submit(client, "ops-redis").status_code == 202
    fallbacks = metric(outage_app, "commentsvc_limiter_fallbacks_total")
    cache_errors = metric(outage_app, "commentsvc_redis_errors_total", operation="cache_get")
    redis_server.stop()
    try:
        assert submit(client, "ops-redis", body="Said while Redis was down.").status_code == 202
        assert client.get("/api/v1/articles/ops-redis/comments").status_code == 200
        signed_in = sign_in(outage_app.test_client(), moderator, PASSWORD)
        assert signed_in.status_code == 302
        assert signed_in.headers["Location"].endswith("/review/")

        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["Retry-After"]
        assert ready.get_json()["checks"] == {
            "database": "up",
            "migrations": "current",
            "redis": "down",
        }
        assert metric(outage_app, "commentsvc_limiter_fallbacks_total") == fallbacks + 1
        after = metric(outage_app, "commentsvc_redis_errors_total", operation="cache_get")
        assert after > cache_errors
    finally:
        redis_server.start()
    assert client.get("/readyz").status_code == 200


def test_database_down_answers_503_everywhere_then_recovers(outage_app, postgres, moderator):
    client = outage_app.test_client()
    reviewer = outage_app.test_client()
    assert sign_in(reviewer, moderator, PASSWORD).status_code == 302
    assert submit(client, "ops-db").status_code == 202
    # The public reads' lane now holds a connection; the outage breaks it under the lane.
    assert client.get("/api/v1/articles/ops-db/comments").status_code == 200
    assert client.get("/api/v1/counts?article_id=ops-db").status_code == 200
    errors = metric(outage_app, "commentsvc_database_errors_total", kind="unavailable")
    postgres.stop()
    try:
        api = submit(client, "ops-db", body="Sent while the database was down.")
        assert api.status_code == 503 and api.mimetype == "application/json"
        assert int(api.headers["Retry-After"]) > 0
        error = api.get_json()["error"]
        assert error["code"] == "unavailable"
        assert error["request_id"] == api.headers["X-Request-Id"]

        thread = client.get("/api/v1/articles/ops-db/comments")
        assert thread.status_code == 503 and thread.mimetype == "application/json"
        counts = client.get("/api/v1/counts?article_id=ops-db")
        assert counts.status_code == 503 and counts.mimetype == "application/json"

        page = client.get("/embed/ops-db")
        assert page.status_code == 503 and page.mimetype == "text/html"
        assert page.headers["Retry-After"]
        assert "unavailable" in page.get_data(as_text=True)

        words = "My carefully typed thoughts, kept through an outage."
        form = embed_post(client, "ops-db", words)
        assert form.status_code == 503 and form.headers["Retry-After"]
        assert words in form.get_data(as_text=True)  # the reader's text is still there

        review = reviewer.get("/review/")
        assert review.status_code == 503 and review.mimetype == "text/html"
        assert review.headers["Retry-After"]

        health = client.get("/healthz")
        assert health.status_code == 200 and health.get_json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.get_json()["checks"]["database"] == "down"
        assert metric(outage_app, "commentsvc_database_errors_total", kind="unavailable") > errors
    finally:
        postgres.start()

    # The same app, not restarted: its pool's dead connections are replaced.
    assert submit(client, "ops-db", body="Back again.").status_code == 202
    assert client.get("/api/v1/articles/ops-db/comments").status_code == 200
    assert client.get("/api/v1/counts?article_id=ops-db").get_json() == {"counts": {"ops-db": 0}}
    assert client.get("/embed/ops-db").status_code == 200
    assert embed_post(client, "ops-db", "Through the form, after.").status_code == 303
    assert reviewer.get("/review/").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_the_worker_waits_out_a_database_outage(outage_app, postgres):
    outage_app.config["WORKER_POLL_SECONDS"] = 0.2
    stop = threading.Event()
    runner = threading.Thread(target=worker.run, args=(outage_app,), kwargs={"stop": stop})
    postgres.stop()
    try:
        runner.start()
        time.sleep(1.5)  # several polls, each refused
        assert runner.is_alive()
    finally:
        postgres.start()
    try:
        assert submit(outage_app.test_client(), "ops-worker").status_code == 202
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _undelivered(outage_app):
            time.sleep(0.2)
        assert _undelivered(outage_app) == 0  # the same worker delivered it, once back
    finally:
        stop.set()
        runner.join(timeout=20)
    assert not runner.is_alive()


def _undelivered(app) -> int:
    with app.app_context():
        query = select(func.count()).select_from(OutboxMessage)
        return db.session.scalar(query.where(OutboxMessage.state == OutboxState.pending))


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("unable to open database file"), True),
        (sqlite3.OperationalError("no such table: comments"), False),
        (psycopg.OperationalError("connection refused"), True),
        (psycopg.errors.AdminShutdown("terminating connection"), True),
        (psycopg.errors.SyntaxError("syntax error"), False),
    ],
)
def test_outages_are_told_from_bugs(error, outage):
    assert is_outage(error) is outage


def test_an_error_that_an_outage_caused_is_answered_503(database_url, tmp_path, monkeypatch):
    # A connection lost mid-request can surface as another error further on (here, what
    # a view raises while handling it); the reader still hears "try again later".
    from commentsvc import create_app

    monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": database_url})
    client = app.test_client()

    @app.get("/api/v1/_test-outage-chain")
    def _chain():
        try:
            raise psycopg.errors.AdminShutdown("terminating connection")
        except psycopg.Error as exc:
            raise RuntimeError("a rollback on the dead connection failed") from exc

    @app.get("/api/v1/_test-bug")
    def _bug():
        raise RuntimeError("a plain bug")

    response = client.get("/api/v1/_test-outage-chain")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "unavailable"
    assert client.get("/api/v1/_test-bug").status_code == 500
