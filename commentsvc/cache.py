"""Where rendered threads are kept: each worker's memory, and Redis too when REDIS_URL is set.

Keys carry everything that makes a value (the thread's version among it), so an entry
never needs invalidating and two workers, or two instances, can never disagree: a stale
entry is simply never asked for again. In Redis, entries expire on their own and every
key carries this deployment's prefix; in memory, the least recently used entries go
once the configured size is reached. Redis trouble makes the cache miss, never the
request fail.
"""

import logging
import threading
from collections import OrderedDict
from typing import Protocol

import redis
from flask import Flask, current_app

from .ops import counters

log = logging.getLogger(__name__)
TTL_SECONDS = 600
# What an entry costs besides its bytes (the key, the dict slot, the bytes object).
ENTRY_OVERHEAD = 200


class Cache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes) -> None: ...


class LocalCache:
    """A least-recently-used map of bytes, bounded by their total size."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers share one cache

    def get(self, key: str) -> bytes | None:
        value = self._get(key)
        _count(value)
        return value

    def _get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
        return value

    def put(self, key: str, value: bytes) -> None:
        cost = len(value) + len(key) + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old) + len(key) + ENTRY_OVERHEAD
            while self._entries and self.size + cost > self.max_bytes:
                gone_key, gone = self._entries.popitem(last=False)
                self.size -= len(gone) + len(gone_key) + ENTRY_OVERHEAD
            self._entries[key] = value
            self.size += cost

    def __len__(self) -> int:
        return len(self._entries)


class RedisCache:
    """Entries in Redis under `prefix`, each expiring after TTL_SECONDS."""

    def __init__(self, client: redis.Redis, prefix: str):
        self.client = client
        self.prefix = prefix

    def get(self, key: str) -> bytes | None:
        value = self._get(key)
        _count(value)
        return value

    def _get(self, key: str) -> bytes | None:
        try:
            return self.client.get(self.prefix + key)
        except redis.RedisError as exc:
            counters.redis_errors.labels(operation="cache_get").inc()
            log.warning("cache read failed, answering without it: %s", type(exc).__name__)
            return None

    def put(self, key: str, value: bytes) -> None:
        try:
            self.client.set(self.prefix + key, value, ex=TTL_SECONDS)
        except redis.RedisError as exc:
            counters.redis_errors.labels(operation="cache_put").inc()
            log.warning("cache write failed: %s", type(exc).__name__)


class TieredCache:
    """This worker's memory in front of Redis: keys name exactly one body, so a copy kept
    here can never be stale, and a popular thread is served without a Redis round trip."""

    def __init__(self, near: LocalCache, far: RedisCache):
        self.near = near
        self.far = far

    def get(self, key: str) -> bytes | None:
        value = self.near._get(key)
        if value is None:
            value = self.far._get(key)
            if value is not None:
                self.near.put(key, value)
        _count(value)
        return value

    def put(self, key: str, value: bytes) -> None:
        self.near.put(key, value)
        self.far.put(key, value)


def _count(value: bytes | None) -> None:
    counters.cache.labels(result="miss" if value is None else "hit").inc()


def current(app: Flask | None = None) -> Cache:
    """The thread cache of `app` (the current one by default), made on first use from
    REDIS_URL and the cache settings."""
    app = app or current_app
    config = app.config
    url = config.get("REDIS_URL")
    wanted = (url, config["CACHE_PREFIX"], int(config["THREAD_CACHE_BYTES"]))
    made = app.extensions.get("commentsvc.cache")
    if made is None or made[0] != wanted:
        made = (wanted, _make(*wanted))
        app.extensions["commentsvc.cache"] = made
    return made[1]


def _make(url: str | None, prefix: str, max_bytes: int) -> Cache:
    if not url:
        return LocalCache(max_bytes)
    client = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
    return TieredCache(LocalCache(max_bytes), RedisCache(client, prefix))
