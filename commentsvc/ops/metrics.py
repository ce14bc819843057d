"""/metrics: Prometheus text, off (404) unless COMMENTSVC_METRICS_TOKEN is set.

Counters live in `counters`; this module serves them. Under gunicorn every worker writes
its values to files in PROMETHEUS_MULTIPROC_DIR and any worker answering the scrape
merges them all. The pending queue's size is read from the database at scrape time, so
it is right whichever worker answers and however many there are.
"""

import hmac
import logging
import os

from flask import Blueprint, Flask, abort, current_app, request
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..errors import Unavailable
from ..extensions import db
from ..models import Comment
from ..status import Status
from . import counters

bp = Blueprint("metrics", __name__)
# Flask-Limiter's own warning when its storage stops answering; see _CountFallbacks.
FALLBACK_WARNING = "Rate limit storage unreachable"


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(f, _CountFallbacks) for f in limiter_log.filters):
        limiter_log.addFilter(_CountFallbacks())


@bp.get("/metrics")
def metrics():
    """The metrics for a scraper holding the token; 404 for everyone else."""
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    kind, _, given = request.headers.get("Authorization", "").partition(" ")
    if not token or kind.lower() != "bearer" or not hmac.compare_digest(given, token):
        abort(404)  # not 401: nothing tells a stranger the page exists
    body = generate_latest(_registry())
    return body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_PendingQueue())
    return registry


class _ThisProcess:
    """The default registry (one process: `flask run`, tests), served through ours."""

    def collect(self):
        yield from REGISTRY.collect()


class _PendingQueue:
    """The number of comments waiting for a moderator, counted when scraped."""

    def collect(self):
        try:
            pending = db.session.scalar(
                select(func.count()).select_from(Comment).where(Comment.status == Status.pending)
            )
        except (SQLAlchemyError, Unavailable):
            return  # the database errors counter says why; the rest of the page still helps
        yield GaugeMetricFamily(
            "commentsvc_pending_comments", "Comments waiting for a moderator.", value=pending
        )


class _CountFallbacks(logging.Filter):
    """Count Flask-Limiter's switches to in-memory limits (it logs each one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith(FALLBACK_WARNING):
            counters.limiter_fallbacks.inc()
        return True
