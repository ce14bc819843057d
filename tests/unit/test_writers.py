"""SQLite's writers take turns through the queue: waiting, patience, threads, units of work."""

import fcntl
import multiprocessing
import os
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy.orm import Session

from commentsvc import writers
from commentsvc.extensions import db
from commentsvc.services import begin_write

FORK = multiprocessing.get_context("fork")


def held(path: str) -> bool:
    """Whether some writer has the turn: a lock of our own on the file is refused."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _hold(path: str, entered, seconds: float) -> None:
    queue = writers.Queue(path)
    queue.enter(patience=5)
    entered.set()
    time.sleep(seconds)
    queue.leave()


@contextmanager
def another_process_holding(path: str, seconds: float):
    """Another process that takes the turn, keeps it `seconds`, then gives it back."""
    entered = FORK.Event()
    other = FORK.Process(target=_hold, args=(path, entered, seconds))
    other.start()
    try:
        assert entered.wait(10)
        yield other
    finally:
        other.terminate()
        other.join(5)


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "commentsvc.db-writers")


def test_a_writer_waits_for_the_turn_and_gets_it_when_it_is_given_back(path):
    with another_process_holding(path, 0.3) as other:
        queue = writers.Queue(path)
        started = time.monotonic()
        queue.enter(patience=5)
        waited = time.monotonic() - started
        assert waited > 0.1  # it did wait for the other process...
        assert waited < 2  # ...and went on once the turn came free, well within its patience
        other.join(5)
        assert held(path)  # now it has the turn
        queue.leave()
        assert not held(path)


def test_a_writer_out_of_patience_goes_on_without_the_turn(path):
    with another_process_holding(path, 3):
        queue = writers.Queue(path)
        started = time.monotonic()
        queue.enter(patience=0.2)
        assert 0.15 < time.monotonic() - started < 2
        queue.leave()  # giving back a turn it never had is harmless
        assert held(path)  # the other process still has it


def test_threads_of_a_process_share_the_turn_and_the_last_gives_it_back(path):
    queue = writers.Queue(path)
    queue.enter(patience=1)
    second = threading.Thread(target=queue.enter, kwargs={"patience": 1})
    second.start()
    second.join(2)
    assert not second.is_alive()  # it did not wait on its own process
    queue.leave()
    assert held(path)  # the second thread is still writing
    queue.leave()
    assert not held(path)


def test_a_forked_process_takes_its_own_turn(path):
    queue = writers.Queue(path)
    queue.enter(patience=1)
    queue.leave()  # the file is open in this process now
    queue.enter(patience=1)

    def child(result):
        started = time.monotonic()
        queue.enter(patience=0.3)  # the parent's descriptor would share the parent's lock
        result.put(time.monotonic() - started)

    result = FORK.Queue()
    process = FORK.Process(target=child, args=(result,))
    process.start()
    waited = result.get(timeout=10)
    process.join(5)
    queue.leave()
    assert waited >= 0.25


def test_no_queue_for_a_database_that_is_no_file_of_its_own():
    assert writers.queue_for(None) is None
    assert writers.queue_for(":memory:") is None
    assert writers.queue_for("file:x?mode=memory") is None
    assert writers.queue_for("a.db") is writers.queue_for(os.path.abspath("a.db"))


def test_a_unit_of_work_has_the_turn_until_it_commits_or_rolls_back(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the queue is SQLite's")
        path = os.path.abspath(db.engine.url.database) + "-writers"
        for end in ("commit", "rollback", "close"):
            session = Session(db.engine)
            session.connection()  # a read first, as most units of work begin
            assert not held(path)
            begin_write(session)
            assert held(path), end
            getattr(session, end)()
            assert not held(path), end
            session.close()
