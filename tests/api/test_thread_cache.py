"""The shared thread cache: Redis when REDIS_URL is set, never a reason to fail a read."""

import os
import uuid

import pytest
import redis

from commentsvc import cache
from tests.databases import IN_CI
from tests.helpers import ARTICLE, published

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
THREAD = f"/api/v1/articles/{ARTICLE}/comments"


@pytest.fixture
def redis_cache(app, monkeypatch):
    """Point the app at Redis, with keys of this test's own, removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} does not answer ({exc}); CI starts it.")
        pytest.skip(f"Redis at {REDIS_URL} does not answer")
    prefix = f"commentsvc-test-{uuid.uuid4().hex}:"
    monkeypatch.setattr(cache, "PREFIX", prefix)
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    yield client
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_a_thread_is_served_from_the_cache_until_it_changes(client, auth, redis_cache):
    published(client, auth, body="First")
    first = client.get(THREAD)
    etag = first.headers["ETag"].strip('"')
    key = f"{cache.PREFIX}thread:{etag}"
    assert redis_cache.get(key) == first.get_data()

    # Proof the next answer comes from Redis: change what Redis holds.
    redis_cache.set(key, b'{"from": "cache"}')
    assert client.get(THREAD).get_json() == {"from": "cache"}

    published(client, auth, body="Second")
    fresh = client.get(THREAD)
    assert fresh.headers["ETag"] != first.headers["ETag"]
    assert [c["html"] for c in fresh.get_json()["comments"]] == ["<p>First</p>", "<p>Second</p>"]


def test_without_redis_the_thread_is_still_served(client, auth, app, monkeypatch):
    published(client, auth, body="Still here")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens

    response = client.get(THREAD)

    assert response.status_code == 200
    assert [c["html"] for c in response.get_json()["comments"]] == ["<p>Still here</p>"]
