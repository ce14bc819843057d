"""The public reads, a thread page and comment counts, answered below Flask.

An article page is read thousands of times for each comment posted, so these two GETs
are most of what the service does. Flask's machinery around a view (contexts, hooks,
routing, the session interface) costs several times what sending a cached thread
costs, so `PublicReads`, a WSGI layer in front of the app, answers the ordinary request
itself: through the same service calls (`reading.thread_for`, `reading.counts_for`),
with the same answers (`thread_answer`, `counts_answer`, which the Flask views use too),
headers, request-log line and metrics. Anything out of the ordinary (another method, a
key, a parameter it does not take exactly as the schema would, a conditional header
other than If-None-Match, a long address, any error) goes on to Flask, whose views and
error handling stay the reference: tests/api/test_reads_lane.py checks that both answer
alike for generated requests.
"""

import functools
import hashlib
import logging
import re
import threading
import time
from contextlib import suppress
from urllib.parse import unquote_plus

import orjson
from flask import Flask
from sqlalchemy import event
from werkzeug.http import parse_accept_header, parse_etags

from .. import cache, threads, tokens
from ..extensions import bound_connection, db, for_reads
from ..fields import valid_article_id
from ..ops import headers as common_headers
from ..ops import requestlog
from ..services import reading
from ..web import origin_allowed
from .cors import EXPOSE_HEADERS

log = logging.getLogger(__name__)

JSON = "application/json"
FORM_TOKEN_HEADER = "Comment-Form-Token"  # noqa: S105 - a header name
THREAD_PREFIX, THREAD_SUFFIX = "/api/v1/articles/", "/comments"
COUNTS_PATH = "/api/v1/counts"
# As the request log and the metrics name them: the Flask rules' templates.
THREAD_ROUTE = "/api/v1/articles/<article_id:article_id>/comments"
COUNTS_ROUTE = COUNTS_PATH
MAX_COUNTS = 100  # CountsQuery's bound
MAX_LIMIT = 200  # ThreadQuery's bound
# Values the lane takes as the schemas would; any other spelling ("050", " 5", an
# escaped cache-buster) is left to the schemas and their error messages.
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,200}")
_CACHE_BUSTER = re.compile(r"[A-Za-z0-9._~-]{1,100}")
# Conditions werkzeug weighs beyond If-None-Match; Flask answers requests that send them.
_OTHER_CONDITIONS = (
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_RANGE",
    "HTTP_IF_RANGE",
)

Headers = list[tuple[str, str]]


def thread_answer(thread: reading.Thread, gzipped: bool) -> tuple[int, bytes, Headers]:
    """Status, body and headers of a thread page; `gzipped`: the client takes gzip.

    The compressed body is a different representation of the same thread, so its ETag
    is the weak form of the same tag: a conditional request matches either.
    """
    etag = f'W/"{thread.etag}"' if gzipped else f'"{thread.etag}"'
    if thread.not_modified:
        status, body, headers = 304, b"", []
    elif gzipped:
        status, body = 200, thread.gzipped
        headers = [("Content-Type", JSON), ("Content-Encoding", "gzip")]
    else:
        status, body, headers = 200, thread.body(), [("Content-Type", JSON)]
    headers += [("ETag", etag), ("Cache-Control", "no-cache"), ("Vary", "Accept-Encoding")]
    return status, body, headers


def counts_answer(counts: dict[str, int], if_none_match: str | None) -> tuple[int, bytes, Headers]:
    """Status, body and headers of the counts; the ETag lets a listing revalidate."""
    body = orjson.dumps({"counts": counts}, option=orjson.OPT_SORT_KEYS)
    etag = hashlib.sha256(body).hexdigest()[:32]
    headers = [("ETag", f'"{etag}"'), ("Cache-Control", "no-cache")]
    if parse_etags(if_none_match).contains_weak(etag):
        return 304, b"", headers
    return 200, body, [("Content-Type", JSON), *headers]


# Listing pages ask for the same ids again and again.
_valid_article_id = functools.lru_cache(maxsize=4096)(valid_article_id)


# Browsers send one of a handful of Accept-Encoding values; parse each once.
@functools.lru_cache(maxsize=256)
def _takes_gzip(accept_encoding: str | None) -> bool:
    return parse_accept_header(accept_encoding)["gzip"] > 0


def _pairs(query: str) -> list[tuple[str, str]]:
    """The query's name=value pairs, as `parse_qsl(query, keep_blank_values=True)` reads
    them, without its cost where nothing is escaped (a counts query holds a hundred)."""
    parts = [part.partition("=") for part in query.split("&") if part]
    if "%" not in query and "+" not in query:
        return [(name, value) for name, _, value in parts]
    return [(unquote_plus(name), unquote_plus(value)) for name, _, value in parts]


class PublicReads:
    """WSGI middleware: answer ordinary public reads, hand everything else to `wrapped`."""

    def __init__(self, app: Flask, wrapped):
        self.app = app
        self.wrapped = wrapped
        with app.app_context():
            self.engine = db.engine
        # Each worker thread keeps one connection for these reads, outside any
        # transaction: a pool checkout and return cost more than the read itself.
        # Disposing of the engine (shutting down, a test's end) closes them all.
        self._held = threading.local()
        self._all_held: list = []
        self._lock = threading.Lock()
        event.listen(self.engine, "engine_disposed", self._close_held)

    def __call__(self, environ, start_response):
        answer = None
        if (
            environ.get("REQUEST_METHOD") == "GET"
            and "HTTP_AUTHORIZATION" not in environ  # keyed requests are answered no-store
            and not any(name in environ for name in _OTHER_CONDITIONS)
        ):
            path = environ.get("PATH_INFO", "")
            started = time.perf_counter()
            try:
                if path == COUNTS_PATH:
                    answer = self._counts(environ)
                elif path.startswith(THREAD_PREFIX) and path.endswith(THREAD_SUFFIX):
                    article_id = path[len(THREAD_PREFIX) : -len(THREAD_SUFFIX)]
                    answer = self._thread(environ, article_id)
            except Exception as exc:  # Flask answers it, and says why
                self._failed(exc)
                answer = None
        if answer is None:
            return self.wrapped(environ, start_response)
        return self._send(environ, start_response, started, *answer)

    def _thread(self, environ, article_id: str):
        args = self._args(environ, ("order", "limit", "cursor"))
        if args is None or not valid_article_id(article_id):
            return None
        order = args.get("order", "oldest")
        limit = args.get("limit", "50")
        if order not in ("oldest", "newest") or not _LIMIT.fullmatch(limit):
            return None
        cursor = args.get("cursor")
        if cursor is not None:
            if not _CURSOR.fullmatch(cursor):
                return None
            try:
                cursor = threads.decode_cursor(cursor)
            except ValueError:
                return None
        if int(limit) > MAX_LIMIT:
            return None
        config = self.app.config
        matches = parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak
        thread = reading.thread_for(
            self._connection(),
            cache.current(self.app),
            article_id,
            reading.Page(order, int(limit), cursor),
            auto_create=bool(config["ARTICLES_AUTO_CREATE"]),
            close_after_days=int(config["CLOSE_AFTER_DAYS"]),
            thread_depth=int(config["THREAD_DEPTH"]),
            secret=config["SECRET_KEY"],
            matches=matches,
        )
        gzipped = _takes_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        status, body, headers = thread_answer(thread, gzipped)
        headers[-1] = ("Vary", "Accept-Encoding, Origin")
        # Per reader, on the 200 and the 304 alike; the body stays the same for everyone.
        headers.append((FORM_TOKEN_HEADER, tokens.form_token(config["SECRET_KEY"], article_id)))
        return THREAD_ROUTE, status, body, headers

    def _counts(self, environ):
        args = self._args(environ, ("article_id",), repeated="article_id")
        ids = args.get("article_id") if args is not None else None
        if not ids or len(ids) > MAX_COUNTS or not all(map(_valid_article_id, ids)):
            return None
        counts = reading.counts_for(self._connection(), ids)
        status, body, headers = counts_answer(counts, environ.get("HTTP_IF_NONE_MATCH"))
        headers.append(("Vary", "Origin"))
        return COUNTS_ROUTE, status, body, headers

    def _args(self, environ, names: tuple[str, ...], repeated: str | None = None):
        """The query's parameters when each is known, plain and (but `repeated`) single."""
        query = environ.get("QUERY_STRING", "")
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        length = len(target) if target else len(environ.get("PATH_INFO", "")) + len(query)
        if length > int(self.app.config["MAX_URL_LENGTH"]):
            return None  # Flask's 414 (web.refuse_long_url)
        args: dict = {}
        for name, value in _pairs(query):
            if name == repeated:
                args.setdefault(name, []).append(value)
                continue
            known = name in names or (name == "_" and _CACHE_BUSTER.fullmatch(value))
            if name in args or not known:
                return None
            args[name] = value
        return args

    def _send(self, environ, start_response, started, route, status, body, headers):
        config = self.app.config
        origin = environ.get("HTTP_ORIGIN")
        if origin_allowed(config["ALLOWED_ORIGINS"], origin):
            headers += [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Expose-Headers", EXPOSE_HEADERS),
            ]
        headers.append(("X-Content-Type-Options", "nosniff"))
        if config["SECURE_COOKIES"]:
            headers.append(("Strict-Transport-Security", common_headers.HSTS))
        request_id = requestlog.request_id(environ.get("HTTP_X_REQUEST_ID"))
        headers.append(("X-Request-Id", request_id))
        if status == 200:
            headers.insert(1, ("Content-Length", str(len(body))))
        start_response("200 OK" if status == 200 else "304 Not Modified", headers)
        seconds = time.perf_counter() - started
        requestlog.record(request_id, "GET", route, status, seconds, config["LOG_FORMAT"])
        return [body] if body else []

    def _connection(self):
        bound = bound_connection()
        if bound is not None:
            return bound
        conn = getattr(self._held, "conn", None)
        if conn is None or conn.closed:
            conn = self._held.conn = for_reads(self.engine.connect())
            with self._lock:
                self._all_held.append(conn)
        return conn

    def _close_held(self, _engine) -> None:
        with self._lock:
            held, self._all_held = self._all_held, []
        for conn in held:
            # Invalidated, not returned: the pool they came from is gone with the dispose.
            with suppress(Exception):
                conn.invalidate()
                conn.close()

    def _failed(self, exc: Exception) -> None:
        # The held connection may be the broken part: the next read takes a new one
        # from the pool, which checks it first.
        conn = getattr(self._held, "conn", None)
        self._held.conn = None
        if conn is not None:
            with self._lock:
                self._all_held = [c for c in self._all_held if c is not conn]
            with suppress(Exception):
                conn.invalidate()
                conn.close()
        from ..ops.outage import caused_by_outage

        if caused_by_outage(exc) is None:
            log.exception("The public reads' lane failed; Flask answers instead")
