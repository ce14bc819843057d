"""Unbound extensions, bound to the app in the factory."""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

from . import writers

# Stable constraint names, so Alembic can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class InProcessStorage(MemoryStorage):
    """limits' in-process counters, without a thread per rate-limited request.

    MemoryStorage drops old entries from a timer thread, started again by any hit that
    comes after the last one ran (10 ms): nearly a thread per submission. Here the same
    sweep runs inline, at most once a second. Limits do not wait on it: every check
    compares the entries' own times.
    """

    STORAGE_SCHEME = ["commentsvc-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, *args, **kwargs):
        self._next_sweep = 0.0
        super().__init__(*args, **kwargs)

    # MemoryStorage's own hook, called on every hit (tests/unit/test_config.py checks it).
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()


# Every form post of the review UI carries a token; the API (bearer keys) and the
# widget (its own signed form token, since it lives in third-party iframes) are exempt.
csrf = CSRFProtect()


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection of `engine` for reads outside any unit of work (the public thread and
    counts).

    Beginning an ORM transaction costs more than the one indexed read of a conditional
    request, so public reads take a pooled connection of their own. It needs no app
    context (the public reads' WSGI lane has none).
    """
    bound = bound_connection()
    if bound is not None:
        yield bound
        return
    with engine.connect() as conn:
        yield for_reads(conn)


def bound_connection() -> Connection | None:
    """The connection the session was made bound to, if any: an outer transaction
    wrapping all the work (as in the tests), which reads must go through to see what
    it holds."""
    bound = db.session.session_factory.kw.get("bind")
    return bound if isinstance(bound, Connection) else None


def for_reads(conn: Connection) -> Connection:
    """Set `conn` to read outside any transaction.

    Each statement then reads what is committed (as READ COMMITTED does on PostgreSQL
    anyway), and the BEGIN and ROLLBACK round trips are saved. reading.thread_for reads
    the article's version again before caching, so a page is never cached under a
    version it does not match.
    """
    if conn.dialect.name == "sqlite":
        # pysqlite already runs in autocommit mode here (_configure_sqlite); only our
        # own BEGIN is left out. Its AUTOCOMMIT level would, on the connection's
        # return to the pool, hand pysqlite its own transaction handling back.
        return conn.execution_options(sqlite_no_begin=True)
    return conn.execution_options(isolation_level="AUTOCOMMIT")


def retry_after_only_when_refused(response):
    """Drop `Retry-After` from answers that refuse nothing.

    Flask-Limiter's headers put it on every answer of a limited route (each 202 said
    "Retry-After: 60"), and clients read it as "slow down"; it belongs on 429 and 503.
    """
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


SQLITE_BUSY_TIMEOUT_MS = 15000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024  # address space, not memory: pages stay the OS's cache


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy issue BEGIN itself: pysqlite's own transaction handling
    # breaks SAVEPOINT, which the service uses for all-or-nothing work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads map the file instead of copying each page through read(): a thread of a
    # large database touches more B-tree pages, and each copy is CPU the reader waits on.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection):
    if connection.dialect.name == "sqlite":
        options = connection.get_execution_options()
        if options.get("sqlite_no_begin"):
            return  # a read outside any transaction (read_connection)
        if not options.get("sqlite_immediate"):
            connection.exec_driver_sql("BEGIN")
            return
        queue = writers.queue_for(connection.engine.url.database)
        if queue is not None and _WRITERS_QUEUE not in connection.info:
            # Given back when the connection returns to the pool (_leave_writers_queue),
            # which a session's does at the end of each unit of work.
            connection.info[_WRITERS_QUEUE] = queue
            queue.enter(patience=writers.PATIENCE)
        connection.exec_driver_sql("BEGIN IMMEDIATE")


_WRITERS_QUEUE = "commentsvc.writers_queue"


@event.listens_for(Pool, "checkin")
def _leave_writers_queue(_dbapi_connection, record):
    # Checked in after its COMMIT or ROLLBACK (or closed, if it broke): either way its
    # transaction is over. Pool events see every way back, a session's or a Connection's.
    queue = record.info.pop(_WRITERS_QUEUE, None) if record is not None else None
    if queue is not None:
        queue.leave()
