"""A dependency down: 503 with Retry-After from every door, never a 500.

The database's own errors become the domain's `Unavailable` where they happen (an
engine hook), so services raise it like any other error and a door that must keep the
reader's text (the no-JS form) can catch it. Whatever still escapes as a raw database or
Redis error is answered the same way here. The engine pings pooled PostgreSQL
connections before use (config.engine_options), and a lost connection invalidates the
pool, so the app recovers on its own once the database is back.
"""

import logging
import sqlite3

import psycopg
import redis
from flask import Flask, current_app, make_response, request
from flask_babel import force_locale, gettext
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from .. import locales, web
from ..api.errors import error_response, is_api_request
from ..errors import Unavailable
from ..extensions import db
from . import counters

log = logging.getLogger(__name__)

# PostgreSQL error classes that mean "not now": connection exception, insufficient
# resources, operator intervention (shutdown, starting up, failover).
PG_OUTAGE_CLASSES = ("08", "53", "57")
# SQLite's ways of saying the file cannot be used right now (a writer held the lock past
# busy_timeout, the disk or its mount went away).
SQLITE_OUTAGE = ("database is locked", "database table is locked", "unable to open", "disk i/o")


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says the database or Redis is unreachable, rather than a bug."""
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return True
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig
    if isinstance(exc, sqlite3.OperationalError):
        return any(sign in str(exc).lower() for sign in SQLITE_OUTAGE)
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        sqlstate = getattr(exc, "sqlstate", None)
        return sqlstate is None or sqlstate[:2] in PG_OUTAGE_CLASSES
    return False


def caused_by_outage(exc: BaseException) -> Unavailable | None:
    """The outage behind an unexpected error, if one is in its chain of causes.

    A connection that dies in the middle of a unit of work can surface as a different
    error further on (a rollback refused, a result already closed); what the reader
    should hear is still "try again", not "something broke".
    """
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, Unavailable):
            return exc
        if is_outage(exc):
            redis_down = isinstance(exc, redis.RedisError)
            return Unavailable(dependency="redis" if redis_down else "database")
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def register(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "handle_error", _translate)
    app.register_error_handler(Unavailable, present)
    for raw in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.register_error_handler(raw, _database)
    app.register_error_handler(redis.ConnectionError, _redis)
    app.register_error_handler(redis.TimeoutError, _redis)


def _translate(context):
    """Engine hook: raise an outage as `Unavailable`, count every database error."""
    if context.is_pre_ping:
        return None  # the pool handles a dead pooled connection itself by reconnecting
    raised = context.sqlalchemy_exception or context.original_exception
    if context.is_disconnect or is_outage(raised):
        counters.database_errors.labels(kind="unavailable").inc()
        return Unavailable(dependency="database")
    counters.database_errors.labels(kind="other").inc()
    return None


def _database(exc):
    # Never log str(exc): a statement's text can carry what a reader typed.
    orig = getattr(exc, "orig", None)
    log.warning(
        "Database error answered 503: %s (%s)",
        type(exc).__name__,
        getattr(orig, "sqlstate", None) or type(orig).__name__,
    )
    return present(Unavailable(dependency="database"))


def _redis(exc):
    counters.redis_errors.labels(operation="request").inc()
    log.warning("Redis error answered 503: %s", type(exc).__name__)
    return present(Unavailable(dependency="redis"))


def present(exc: Unavailable):
    """503 with Retry-After: the API's JSON error, a short page in the HTML doors."""
    log.warning("The %s is unavailable; answering 503", exc.dependency)
    if is_api_request():
        response = error_response(exc.status, exc.code, exc.message)
    else:
        # Straight from the template: the doors' context processors would ask the
        # database again (the review UI's current_user).
        # The language from Accept-Language alone, forced: the review UI's selector would
        # ask the database for the moderator's choice.
        code = request.accept_languages.best_match(list(locales.LOCALES)) or locales.DEFAULT
        page = current_app.jinja_env.get_template("unavailable.html")
        with force_locale(code):
            body = page.render(
                message=gettext(exc.message), page_lang=code, page_dir=locales.direction(code)
            )
        response = make_response(body, exc.status)
    return web.retry_after(response, exc.retry_after)
