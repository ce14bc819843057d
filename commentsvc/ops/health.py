"""/healthz (the process answers) and /readyz (it can serve: its dependencies answer).

A load balancer restarts what fails /healthz and sends no traffic to what fails /readyz,
so /healthz touches nothing outside the process: a database outage must not restart
every worker, only take them out of rotation until it is back.
"""

import logging

import redis
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from ..errors import Unavailable
from ..extensions import db
from . import counters

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)
PING_TIMEOUT = 0.5  # seconds; a check slower than this is as good as down


def register(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz():
    """Answer 200 while the process can answer at all; no dependency is asked."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Answer 200 when the database is reachable and migrated to head, and Redis (when
    configured) answers; 503 otherwise. One entry per check."""
    checks = {**_database(), "redis": _redis()}
    ready = checks["database"] == "up" and checks["migrations"] == "current"
    ready = ready and checks["redis"] in ("up", "not configured")
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    if ready:
        return body, 200
    return body, 503, {"Retry-After": str(Unavailable.retry_after)}


def _database() -> dict:
    try:
        with db.engine.connect() as connection:
            applied = set(MigrationContext.configure(connection).get_current_heads())
    except (SQLAlchemyError, Unavailable) as exc:
        log.warning("Readiness: the database does not answer (%s)", type(exc).__name__)
        return {"database": "down", "migrations": "unknown"}
    return {"database": "up", "migrations": "current" if applied == _heads() else "behind"}


def _heads() -> set[str]:
    heads = current_app.extensions.get("commentsvc.migration_heads")
    if heads is None:
        directory = current_app.extensions["migrate"].directory
        heads = set(ScriptDirectory(directory).get_heads())
        current_app.extensions["commentsvc.migration_heads"] = heads
    return heads


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    client = current_app.extensions.get("commentsvc.readyz_redis")
    if client is None or client[0] != url:
        made = redis.Redis.from_url(
            url, socket_timeout=PING_TIMEOUT, socket_connect_timeout=PING_TIMEOUT
        )
        client = current_app.extensions["commentsvc.readyz_redis"] = (url, made)
    try:
        client[1].ping()
    except redis.RedisError as exc:
        counters.redis_errors.labels(operation="readyz").inc()
        log.warning("Readiness: Redis does not answer (%s)", type(exc).__name__)
        return "down"
    return "up"
