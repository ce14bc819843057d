"""The worker: `flask --app commentsvc worker` drains the outbox and runs periodic jobs.

It claims due rows in small batches, delivers each (fan-out of events, mails, webhook
deliveries) outside any transaction, and records how it went. Run several on PostgreSQL
(each claim skips rows another worker holds); on SQLite one is enough, and a second one
only waits its turn for the write lock. SIGTERM or Ctrl-C lets the batch in hand finish.
"""

import logging
import os
import signal
import socket
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass

from flask import Flask, has_app_context

from . import checker as checkers
from . import jobs
from .config import Settings
from .errors import Unavailable
from .extensions import db
from .models import OutboxKind, utcnow
from .notify import Result, mail, messages, webhooks
from .services import discussion, fanout, notifications, outbox

log = logging.getLogger("commentsvc.worker")
JOBS_EVERY = 30  # seconds between looks at the periodic jobs (each look is a write)


@dataclass
class Stats:
    delivered: int = 0
    failed_attempts: int = 0


@dataclass(frozen=True)
class _Setup:
    policy: outbox.RetryPolicy
    fanout: fanout.FanoutSettings
    mail: mail.MailSettings
    context: messages.MailContext
    webhook_timeout: float
    allow_private: bool
    batch: int
    poll: float
    name: str
    settings: Settings  # the COMMENTSVC_* defaults; saved discussion settings go over them


def _setup(app: Flask) -> _Setup:
    config = app.config
    policy = outbox.RetryPolicy.from_config(config)
    timeouts = (
        float(config["MAIL_TIMEOUT"]),
        float(config["WEBHOOKS_TIMEOUT"]),
        float(config["AKISMET_TIMEOUT"]),
    )
    if policy.lease_seconds <= max(timeouts):
        raise RuntimeError(
            "COMMENTSVC_OUTBOX_LEASE_SECONDS must be longer than the mail, webhook and "
            "checker timeouts, or a slow delivery would be sent twice."
        )
    if not config["PUBLIC_URL"]:
        log.warning("COMMENTSVC_PUBLIC_URL is not set: links in mails point at localhost.")
    return _Setup(
        policy=policy,
        fanout=fanout.FanoutSettings.from_config(config),
        mail=mail.MailSettings.from_config(config, app.instance_path),
        context=messages.MailContext.from_config(config),
        webhook_timeout=timeouts[1],
        allow_private=bool(config["WEBHOOKS_ALLOW_PRIVATE"]),
        batch=int(config["WORKER_BATCH"]),
        poll=float(config["WORKER_POLL_SECONDS"]),
        name=f"{socket.gethostname()}:{os.getpid()}",
        settings=Settings.from_config(config),
    )


def run(
    app: Flask,
    *,
    once: bool = False,
    stop: threading.Event | None = None,
    handle_signals: bool = False,
) -> Stats:
    """Deliver until stopped (or, with `once`, until nothing is due)."""
    stop = stop or threading.Event()
    stats = Stats()
    # Inside a command (or a test) the app context exists already: use its session.
    owns_context = not has_app_context()
    with app.app_context() if owns_context else nullcontext():
        setup = _setup(app)
        if handle_signals:
            _on_signals(stop)
        log.info("Worker %s started%s.", setup.name, " (draining once)" if once else "")
        jobs_at = 0.0
        try:
            while not stop.is_set():
                try:
                    if time.monotonic() >= jobs_at:
                        jobs.run_due(db.session, app.config)
                        jobs_at = time.monotonic() + JOBS_EVERY
                    claimed = _round(setup, stats)
                    if not claimed:
                        if once:
                            break
                        stop.wait(_idle(setup.poll))
                except Unavailable:
                    if once:
                        raise
                    # The database is away: what was claimed stays leased and is
                    # delivered once it is back, by this worker or another.
                    db.session.rollback()
                    log.warning("The database is unavailable; trying again in %s s.", setup.poll)
                    stop.wait(setup.poll)
        finally:
            if owns_context:
                db.session.remove()
    log.info("Worker %s stopped: %s delivered.", setup.name, stats.delivered)
    return stats


def _round(setup: _Setup, stats: Stats) -> list:
    """Claim a batch and deliver it; return what was claimed."""
    claimed = outbox.claim(
        db.session,
        limit=setup.batch,
        lease_seconds=setup.policy.lease_seconds,
        worker=setup.name,
    )
    for item in claimed:
        result = _deliver(item, setup)
        outbox.finish(db.session, item, result, setup.policy)
        if result.ok:
            stats.delivered += 1
        else:
            stats.failed_attempts += 1
    return claimed


def _idle(poll: float) -> float:
    due = outbox.due_at(db.session)
    db.session.rollback()  # end the read, so SQLite's WAL is not held open while idle
    if due is None:
        return poll
    return min(poll, max((due - utcnow()).total_seconds(), 0.05))


def _deliver(item: outbox.Claimed, setup: _Setup) -> Result:
    try:
        if item.kind is OutboxKind.event:
            return fanout.expand(db.session, item, setup.fanout)
        if item.kind is OutboxKind.mail:
            return _mail(item, setup)
        if item.kind is OutboxKind.checker:
            return _report(item, setup)
        if item.webhook_url is None:
            return Result(False, "the endpoint was deleted", cancelled=True)
        body = webhooks.encode(item.payload)
        return webhooks.deliver(
            item.webhook_url,
            item.webhook_secret,
            item.delivery_id,
            body,
            timeout=setup.webhook_timeout,
            allow_private=setup.allow_private,
        )
    except Exception as exc:
        db.session.rollback()
        log.exception("Delivering %s (%s) failed", item.delivery_id, item.event)
        return Result(False, f"{type(exc).__name__}: {exc}"[:500])


def _mail(item: outbox.Claimed, setup: _Setup) -> Result:
    if item.event == "mail.reply":
        # An unsubscribe between the reply and this attempt still counts.
        gone = notifications.opted_out(db.session, item.recipient, item.payload["article_pk"])
        db.session.rollback()
        if gone:
            return Result(False, "The reader unsubscribed.", cancelled=True)
    message = messages.build(
        item.event, item.recipient, item.payload, item.delivery_id, setup.context
    )
    return mail.send(message, setup.mail, item.delivery_id)


def _report(item: outbox.Claimed, setup: _Setup) -> Result:
    """Tell the external checker a moderator's spam / not-spam decision."""
    # The checker in force now: an admin may have switched it off since the decision.
    checker = checkers.for_settings(discussion.effective(db.session, setup.settings))
    db.session.rollback()
    if checker is None:
        return Result(False, "The external checker is switched off.", cancelled=True)
    message = checkers.Message(**item.payload["message"])
    try:
        checker.report(item.payload["kind"], message)
    except checkers.CheckerError as exc:
        return Result(False, f"{checker.name}: {exc}"[:500])
    log.info("%s: reported comment %s as %s", checker.name, item.comment_id, item.event)
    return Result(True)


def _on_signals(stop: threading.Event) -> None:
    def handler(signum, _frame):
        if stop.is_set():
            raise SystemExit(1)  # asked twice: stop now; the lease brings the rows back
        log.info("Stopping after the current delivery (signal %s).", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
