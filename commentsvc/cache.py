"""A cache shared by every instance: Redis when REDIS_URL is set, otherwise none.

Deliberately no in-process fallback: two instances holding different copies of a
thread would serve readers different answers. Keys carry everything that makes a
value (the thread's version among it), so entries never need invalidating; they
expire on their own. Redis trouble makes the cache miss, never the request fail.
"""

import logging

import redis
from flask import current_app

log = logging.getLogger(__name__)
TTL_SECONDS = 600
PREFIX = "commentsvc:"


def _client() -> redis.Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("commentsvc.redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
    return clients[url]


def get(key: str) -> bytes | None:
    client = _client()
    if client is None:
        return None
    try:
        return client.get(PREFIX + key)
    except redis.RedisError as exc:
        log.warning("cache read failed, answering without it: %s", exc)
        return None


def put(key: str, value: bytes) -> None:
    client = _client()
    if client is None:
        return
    try:
        client.set(PREFIX + key, value, ex=TTL_SECONDS)
    except redis.RedisError as exc:
        log.warning("cache write failed: %s", exc)
