"""Workers as separate processes on a database of their own (commits are real here):
a worker killed mid-delivery, and two workers draining the same outbox at once."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from tests.databases import fresh_database
from tests.notify.servers import Receiver, start_receiver

ROOT = Path(__file__).resolve().parents[2]
LEASE = 60  # seconds a claim holds a row before another run may take it


@dataclass
class Committed:
    app: object
    env: dict

    def worker(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "commentsvc", "worker", *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def drain(self) -> str:
        process = self.worker("--once")
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output
        return output


@pytest.fixture(scope="module")
def committed(request, tmp_path_factory):
    from commentsvc import create_app
    from commentsvc.extensions import db

    with fresh_database(request.config, tmp_path_factory, "workers") as url:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("COMMENTSVC_") and key not in ("DATABASE_URL", "REDIS_URL")
        }
        env.update(
            DATABASE_URL=url,
            SECRET_KEY="worker-tests-secret",
            COMMENTSVC_INSTANCE_PATH=str(tmp_path_factory.mktemp("workers-instance")),
            COMMENTSVC_PUBLIC_URL="https://comments.example",
            COMMENTSVC_WEBHOOKS_ALLOW_PRIVATE="true",
            COMMENTSVC_OUTBOX_LEASE_SECONDS=str(LEASE),
            COMMENTSVC_WEBHOOKS_TIMEOUT="2",
            COMMENTSVC_MAIL_TIMEOUT="2",
            COMMENTSVC_WORKER_POLL_SECONDS="0.2",
            COMMENTSVC_WORKER_BATCH="10",
        )
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "worker-tests-secret", "SQLALCHEMY_DATABASE_URI": url}
        )
        with app.app_context():
            flask_migrate.upgrade()
        try:
            yield Committed(app, env)
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def receiver():
    hook = Receiver()
    server = start_receiver(hook)
    yield hook
    if hook.stall is not None:
        hook.stall.set()
    server.shutdown()
    server.server_close()


def comments_with_a_webhook(committed, receiver, count: int, article: str) -> int:
    """Register the receiver and submit `count` comments, each committed; return the hook id."""
    from commentsvc.config import Settings
    from commentsvc.extensions import db
    from commentsvc.services import Client, submission, webhooks

    with committed.app.app_context():
        hook, receiver.secret = webhooks.create(
            db.session, receiver.url, ["comment.created"], allow_private=True
        )
        # One address posting in a burst: the flood rule would refuse all but the first.
        settings = Settings(flood_seconds=0)
        for n in range(count):
            data = {"name": f"R{n}", "email": f"r{n}@example.org", "url": None}
            data |= {"body": f"Comment {n}", "parent_id": None}
            submission.submit_comment(db.session, article, data, Client("203.0.113.9"), settings)
        return hook.id


def deliveries(committed, webhook_id: int):
    from commentsvc.extensions import db
    from commentsvc.models import OutboxMessage

    with committed.app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.webhook_id == webhook_id)
            .order_by(OutboxMessage.id)
        ).all()
        return [(row, list(row.log)) for row in rows]


def lease_runs_out(committed, message_id: int) -> None:
    """Move the row's lease to its end, as if LEASE seconds had passed."""
    from datetime import timedelta

    from sqlalchemy import update

    from commentsvc.extensions import db
    from commentsvc.models import OutboxMessage, utcnow

    with committed.app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def test_a_worker_killed_mid_delivery_redelivers_with_the_same_id(committed, receiver):
    from commentsvc.models import OutboxState

    receiver.stall = threading.Event()
    hook_id = comments_with_a_webhook(committed, receiver, 1, "killed-worker")
    process = committed.worker()
    try:
        assert receiver.arrived.wait(30), "the worker never delivered"
    finally:
        process.kill()  # SIGKILL: no chance to record anything
        process.communicate(timeout=10)
    receiver.stall.set()
    (first_id,) = receiver.ids()

    ((row, log),) = deliveries(committed, hook_id)
    assert row.state is OutboxState.pending and row.attempts == 1
    assert log[0].finished_at is None  # the attempt that died
    # While the claim's lease holds, another run leaves the row alone.
    committed.drain()
    assert len(receiver.deliveries) == 1

    receiver.stall = None
    lease_runs_out(committed, row.id)
    committed.drain()

    assert receiver.ids() == [first_id, first_id]
    receiver.verified()
    ((row, log),) = deliveries(committed, hook_id)
    assert row.state is OutboxState.sent and row.attempts == 2
    assert [a.ok for a in log] == [None, True]


def test_two_workers_never_send_the_same_row_twice(committed, receiver, capsys):
    from commentsvc.models import OutboxState

    # A few hundred on PostgreSQL, where several workers are the point; SQLite takes its
    # writers in turn, so fewer rows show the same (a second worker is harmless) sooner.
    count = 300 if committed.app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else 100
    hook_id = comments_with_a_webhook(committed, receiver, count, "two-workers")
    started = time.monotonic()
    workers = [committed.worker("--once"), committed.worker("--once")]
    outputs = [w.communicate(timeout=300)[0] for w in workers]
    elapsed = time.monotonic() - started
    assert [w.returncode for w in workers] == [0, 0], outputs

    ids = receiver.ids()
    assert len(ids) == count, f"received {len(ids)} deliveries for {count} rows"
    assert len(set(ids)) == count, "a row was sent twice"
    assert len(receiver.verified()) == count
    rows = deliveries(committed, hook_id)
    assert {row.delivery_id for row, _ in rows} == set(ids)
    assert all(row.state is OutboxState.sent and row.attempts == 1 for row, _ in rows)
    by_worker = Counter(log[0].worker for _, log in rows)
    with capsys.disabled():
        print(
            f"\n[two workers, {committed.app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}] "
            f"{count} rows, {len(ids)} received, {len(set(ids))} distinct ids, "
            f"per worker {sorted(by_worker.values())}, {elapsed:.1f} s"
        )
