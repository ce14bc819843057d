"""The thread cache: in each worker without Redis, in Redis with it; never a reason to fail."""

import gzip
import os
import socket
import uuid

import pytest
import redis

from commentsvc import cache, config
from tests.databases import IN_CI
from tests.helpers import ARTICLE, published, submit

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
THREAD = f"/api/v1/articles/{ARTICLE}/comments"


def etag_key(response) -> str:
    return response.headers["ETag"].removeprefix("W/").strip('"')


@pytest.fixture
def local_cache(app, monkeypatch):
    """A fresh in-process cache for this test (versions repeat across rolled-back tests)."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    app.extensions.pop("commentsvc.cache", None)
    with app.app_context():
        yield cache.current()


@pytest.fixture
def redis_cache(app, monkeypatch):
    """Point the app at Redis, with a key prefix of this test's own, removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} does not answer ({exc}); CI starts it.")
        pytest.skip(f"Redis at {REDIS_URL} does not answer")
    prefix = f"commentsvc-test-{uuid.uuid4().hex}:"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "CACHE_PREFIX", prefix)
    yield client, prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_without_redis_a_thread_is_served_from_memory_until_it_changes(client, auth, local_cache):
    published(client, auth, body="First")
    first = client.get(THREAD)
    key = etag_key(first)
    assert gzip.decompress(local_cache.get(key)) == first.get_data()

    # Proof the next answer comes from the cache: change what it holds.
    local_cache.put(key, gzip.compress(b'{"from": "cache"}'))
    assert client.get(THREAD).get_json() == {"from": "cache"}

    published(client, auth, body="Second")
    fresh = client.get(THREAD)
    assert etag_key(fresh) != key
    assert [c["html"] for c in fresh.get_json()["comments"]] == ["<p>First</p>", "<p>Second</p>"]


def test_with_redis_a_thread_is_served_from_redis_until_it_changes(app, client, auth, redis_cache):
    redis_client, prefix = redis_cache
    published(client, auth, body="First")
    first = client.get(THREAD)
    key = f"{prefix}{etag_key(first)}"
    assert gzip.decompress(redis_client.get(key)) == first.get_data()

    # Another worker (or instance) has nothing in its memory yet: Redis answers it, and
    # the worker keeps that copy in front of Redis from then on.
    with app.app_context():
        tiers = cache.current()
    tiers.near = cache.LocalCache(max_bytes=1 << 20)
    redis_client.set(key, gzip.compress(b'{"from": "redis"}'))
    assert client.get(THREAD).get_json() == {"from": "redis"}
    redis_client.delete(key)
    assert client.get(THREAD).get_json() == {"from": "redis"}

    published(client, auth, body="Second")
    fresh = client.get(THREAD)
    assert etag_key(fresh) != etag_key(first)
    assert [c["html"] for c in fresh.get_json()["comments"]] == ["<p>First</p>", "<p>Second</p>"]


def test_two_deployments_on_one_redis_never_see_each_others_threads(redis_cache):
    redis_client, prefix = redis_cache
    ours = cache.RedisCache(redis_client, prefix + "a:")
    theirs = cache.RedisCache(redis_client, prefix + "b:")
    ours.put("thread", b"ours")

    assert theirs.get("thread") is None
    assert ours.get("thread") == b"ours"


def test_the_default_prefix_differs_between_databases():
    first = config.cache_prefix("sqlite:////srv/a/commentsvc.db")
    second = config.cache_prefix("postgresql+psycopg://u@db.example/comments")

    assert first != second
    assert first == config.cache_prefix("sqlite:////srv/a/commentsvc.db")


@pytest.fixture
def silent_port():
    """A loopback port that takes connections and never answers (a hung Redis)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("redis_state", ["refusing", "hung"])
def test_redis_down_makes_the_cache_miss_not_the_request_fail(
    client, auth, app, monkeypatch, silent_port, redis_state
):
    published(client, auth, body="Still here")
    port = 1 if redis_state == "refusing" else silent_port
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{port}/0")

    response = client.get(THREAD)

    assert response.status_code == 200
    assert [c["html"] for c in response.get_json()["comments"]] == ["<p>Still here</p>"]


def test_gzip_goes_to_clients_that_accept_it_with_a_weak_etag(client, auth, local_cache):
    published(client, auth, body="Squeeze me")
    plain = client.get(THREAD)
    packed = client.get(THREAD, headers={"Accept-Encoding": "br, gzip;q=0.9"})

    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    for response in (plain, packed):
        assert "Accept-Encoding" in response.headers["Vary"]
    assert packed.headers["ETag"] == "W/" + plain.headers["ETag"]


@pytest.mark.parametrize("accept", ["identity", "gzip;q=0", "compress"])
def test_clients_that_refuse_gzip_get_plain_json(client, auth, local_cache, accept):
    published(client, auth, body="Plain")

    response = client.get(THREAD, headers={"Accept-Encoding": accept})

    assert "Content-Encoding" not in response.headers
    assert response.get_json()["comments"][0]["html"] == "<p>Plain</p>"


@pytest.mark.parametrize("sent", ["plain", "weak"])
@pytest.mark.parametrize("accept", ["", "gzip"])
def test_either_form_of_the_etag_revalidates_either_encoding(client, auth, sent, accept):
    published(client, auth)
    etag = client.get(THREAD).headers["ETag"]
    headers = {"If-None-Match": etag if sent == "plain" else "W/" + etag}
    if accept:
        headers["Accept-Encoding"] = accept

    response = client.get(THREAD, headers=headers)

    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == ("W/" + etag if accept else etag)


def test_held_comments_leave_the_cached_thread_alone(client, auth, local_cache):
    published(client, auth, body="Shown")
    key = etag_key(client.get(THREAD))
    submit(client, body="Held")

    assert etag_key(client.get(THREAD)) == key


def test_the_in_process_cache_keeps_within_its_size():
    local = cache.LocalCache(max_bytes=3 * (100 + cache.ENTRY_OVERHEAD + 2))
    for name in ("k1", "k2", "k3"):
        local.put(name, b"x" * 100)
    assert local.get("k1") is not None  # now the most recently used

    local.put("k4", b"y" * 100)

    assert local.get("k2") is None
    assert [local.get(k) is not None for k in ("k1", "k3", "k4")] == [True, True, True]
    assert local.size <= local.max_bytes
    local.put("huge", b"z" * local.max_bytes)
    assert local.get("huge") is None and len(local) == 3
