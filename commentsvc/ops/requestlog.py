"""One log line per request, and the request's id on its answer.

The line names the route's template (`/review/set-password/<token>`), never the path or
its query string, which can hold set-password tokens and authors' emails
(`/review/?email=…`); gunicorn's own access log is off for the same reason
(gunicorn.conf.py). COMMENTSVC_LOG_FORMAT=json writes each line as one JSON object.
"""

import functools
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

import orjson
from flask import Flask, current_app, g, request

from . import counters

log = logging.getLogger("commentsvc.requests")
# What we echo back and write to the log: a proxy's or a client's id, if it is plain.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNMATCHED = "<unmatched>"


def register(app: Flask) -> None:
    # First of all before-request hooks, so a request the limiter refuses is timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    if not any(isinstance(h, _Handler) for h in log.handlers):
        handler = _Handler(sys.stderr)
        handler.setFormatter(LineFormatter())
        log.addHandler(handler)
    log.setLevel(logging.INFO)


def request_id(given: str | None) -> str:
    """The id to log and echo: the client's or proxy's X-Request-Id if plain, else a new one."""
    return given if given and SANE_REQUEST_ID.fullmatch(given) else secrets.token_hex(16)


def record(request_id: str, method: str, route: str, status: int, seconds: float, log_format):
    """Count, time and log one answered request (the Flask hook and the public reads' lane)."""
    _requests(route, method, status).inc()
    _latency(route, method).observe(seconds)
    fields = {
        "request_id": request_id,
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
    }
    log.info(
        "%(method)s %(route)s %(status)s",
        fields,
        extra={"fields": fields, "log_format": log_format},
    )


def _start() -> None:
    g.request_id = request_id(request.headers.get("X-Request-Id"))
    g.request_started = time.perf_counter()


def _finish(response):
    rid = g.get("request_id") or secrets.token_hex(16)
    response.headers["X-Request-Id"] = rid
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule else UNMATCHED
    record(
        rid, request.method, route, response.status_code, seconds, current_app.config["LOG_FORMAT"]
    )
    return response


# Each labelled series, looked up once: the label lookup costs as much as counting.
@functools.lru_cache(maxsize=1024)
def _requests(route: str, method: str, status: int):
    return counters.requests.labels(route=route, method=method, status=str(status))


@functools.lru_cache(maxsize=1024)
def _latency(route: str, method: str):
    return counters.latency.labels(route=route, method=method)


class _Handler(logging.StreamHandler):
    """The request log's own handler (a type of its own, so it is installed once)."""


class LineFormatter(logging.Formatter):
    """`time request_id method route status duration` as text, or one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        if fields is None:
            return f"{when} {record.levelname} {record.getMessage()}"
        if getattr(record, "log_format", "text") == "json":
            line = {"time": when, "level": record.levelname.lower(), **fields}
            return orjson.dumps(line).decode()
        return (
            f"{when} {fields['request_id']} {fields['method']} {fields['route']} "
            f"{fields['status']} {fields['duration_ms']}ms"
        )
