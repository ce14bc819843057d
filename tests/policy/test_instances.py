"""Two app instances over one database and one Redis: they agree on floods, duplicates and
rate counts, and the check-then-insert holds when submissions race each other.

Committed data in a database of this module's own (not the rolled-back test session),
Redis keys under a prefix of each test's own. Under CI=true a missing Redis fails.
"""

import os
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager

import flask_migrate
import pytest
import redis
from sqlalchemy import text

from commentsvc import create_app, tokens
from commentsvc.extensions import db, limiter
from tests.databases import IN_CI, fresh_database

from . import akismet

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "instances-secret"


@pytest.fixture(scope="module")
def database_url(request, tmp_path_factory):
    with fresh_database(request.config, tmp_path_factory, "instances") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": SECRET})
        with app.app_context():
            flask_migrate.upgrade()
            db.engine.dispose()
        yield url


@pytest.fixture
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} does not answer ({exc}); CI requires it.")
        pytest.skip(f"Redis at {REDIS_URL} does not answer")
    prefix = f"commentsvc-test-{uuid.uuid4().hex}"
    yield client, prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@contextmanager
def instances(database_url: str, prefix: str, count: int = 2, **config):
    """`count` apps built by create_app() on one database and one Redis."""
    # Flask-Limiter's Limiter is one object bound to every app; put back what the
    # session's app had once these are gone, so no other test counts in Redis.
    saved = dict(limiter.__dict__)
    saved_options = dict(limiter._storage_options)
    name = f"commentsvc-{uuid.uuid4().hex[:12]}"
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix},
        "SUBMIT_RATE_LIMIT": "1000 per minute",
        "MODERATION": "all",
        **config,
    }
    if database_url.startswith("postgresql"):
        options = {"pool_pre_ping": True, "connect_args": {"application_name": name}}
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = options
    apps = [create_app(settings) for _ in range(count)]
    try:
        yield apps
    finally:
        for app in apps:
            with app.app_context():
                db.engine.dispose()
        limiter.__dict__.clear()
        limiter.__dict__.update(saved)
        limiter._storage_options.clear()
        limiter._storage_options.update(saved_options)


def post(app, article: str, *, ip: str, email: str, body: str):
    token = tokens.form_token(SECRET, article, now=time.time() - 30)  # a person who waited
    payload = {"name": "Reader", "email": email, "body": body, "form_token": token}
    return app.test_client().post(
        f"/api/v1/articles/{article}/comments", json=payload, environ_base={"REMOTE_ADDR": ip}
    )


def stored(app, article: str) -> int:
    with app.app_context():
        return db.session.execute(
            text(
                "SELECT count(*) FROM comments c JOIN articles a ON a.id = c.article_pk "
                "WHERE a.article_id = :a"
            ),
            {"a": article},
        ).scalar()


def article() -> str:
    return f"instances-{uuid.uuid4().hex[:10]}"


def fresh_ip() -> str:
    """An address no other test of this module's shared database used (floods count by IP)."""
    n = uuid.uuid4().int
    return f"10.{n % 256}.{(n >> 8) % 256}.{(n >> 16) % 256}"


def test_a_flood_on_one_instance_is_refused_on_the_other(database_url, redis_prefix):
    with instances(database_url, redis_prefix[1], FLOOD_SECONDS=15) as (one, two):
        where, ip = article(), fresh_ip()
        assert post(one, where, ip=ip, email="a@example.org", body="First").status_code == 202

        refused = post(two, where, ip=ip, email="b@example.org", body="Second")

        assert refused.status_code == 429
        assert refused.get_json()["error"]["code"] == "too_fast"
        assert stored(two, where) == 1


def test_a_duplicate_on_one_instance_is_refused_on_the_other(database_url, redis_prefix):
    with instances(database_url, redis_prefix[1], FLOOD_SECONDS=0) as (one, two):
        where = article()
        assert post(one, where, ip=fresh_ip(), email="d@example.org", body="Hi").status_code == 202

        refused = post(two, where, ip=fresh_ip(), email="d@example.org", body="  hi ")

        assert refused.status_code == 409
        assert stored(one, where) == 1


def test_the_rate_limit_counts_across_instances_in_redis(database_url, redis_prefix):
    client, prefix = redis_prefix
    with instances(database_url, prefix, FLOOD_SECONDS=0, SUBMIT_RATE_LIMIT="2 per minute") as (
        one,
        two,
    ):
        where, ip = article(), fresh_ip()
        assert post(one, where, ip=ip, email="r1@example.org", body="1").status_code == 202
        assert post(two, where, ip=ip, email="r2@example.org", body="2").status_code == 202

        third = post(one, where, ip=ip, email="r3@example.org", body="3")

        assert third.status_code == 429
        assert third.get_json()["error"]["code"] == "rate_limited"
        assert list(client.scan_iter(f"{prefix}*")), "the counts live in Redis"
        assert stored(one, where) == 2


@pytest.mark.parametrize(
    ("kind", "config", "expected_refusal"),
    [
        ("same text, one email", {"FLOOD_SECONDS": 0}, 409),
        ("one address, many emails", {"FLOOD_SECONDS": 15}, 429),
    ],
)
def test_racing_submissions_let_exactly_one_through(
    database_url, redis_prefix, kind, config, expected_refusal
):
    racers = 6
    with instances(database_url, redis_prefix[1], **config) as apps:
        where = article()
        # The article exists before the race: creating it would serialise the racers.
        assert (
            post(
                apps[0], where, ip=fresh_ip(), email=f"{uuid.uuid4().hex}@example.org", body="0"
            ).status_code
            == 202
        )
        barrier = threading.Barrier(racers)
        answers: list[int] = []
        shared_ip = fresh_ip()

        def race(n: int) -> None:
            same_email = kind.startswith("same text")
            ip = fresh_ip() if same_email else shared_ip
            email = "racer@example.org" if same_email else f"racer{n}@example.org"
            body = "The very same words." if same_email else f"Words number {n}."
            barrier.wait()
            answers.append(post(apps[n % 2], where, ip=ip, email=email, body=body).status_code)

        threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert sorted(answers) == [202] + [expected_refusal] * (racers - 1)
        assert stored(apps[0], where) == 2


def test_the_checker_is_asked_while_no_write_lock_or_transaction_is_held(
    database_url, redis_prefix
):
    fake = akismet.start()
    seen: list[str] = []

    def look(fields):
        seen.append(_writer_state(database_url, name))

    fake.during_check = look
    try:
        with instances(
            database_url,
            redis_prefix[1],
            AKISMET=True,
            AKISMET_URL=fake.url,
            AKISMET_KEY=akismet.KEY,
            count=1,
        ) as (one,):
            name = (
                one.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
                .get("connect_args", {})
                .get("application_name")
            )
            response = post(one, article(), ip=fresh_ip(), email="c@example.org", body="Hm")
    finally:
        akismet.stop(fake)

    assert response.status_code == 202
    assert seen == ["free"]


def _writer_state(database_url: str, application_name: str | None) -> str:
    """ "free" when the app holds no write lock (SQLite) and no open transaction (PostgreSQL)."""
    if database_url.startswith("sqlite"):
        probe = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0.2)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            return "free"
        except sqlite3.OperationalError as exc:
            return f"locked: {exc}"
        finally:
            probe.close()
    from sqlalchemy import create_engine

    engine = create_engine(database_url.split("?")[0])
    try:
        with engine.connect() as connection:
            states = (
                connection.execute(
                    text("SELECT state FROM pg_stat_activity WHERE application_name = :n"),
                    {"n": application_name},
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    busy = [s for s in states if s != "idle"]
    return "free" if states and not busy else f"states: {states}"
