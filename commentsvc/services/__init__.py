"""Units of work: plain functions that take the session, do one thing, commit once.

The JSON API, the review UI and the widget call these same functions, so what a
moderator can do in one door they can do, with the same rules, in another.
"""

from dataclasses import dataclass

from sqlalchemy.orm import scoped_session


def begin_write(session) -> None:
    """Start this unit of work as a writer.

    SQLite admits one writer at a time, and a transaction that reads first and writes
    later fails at once ("database is locked") when another writer got in between,
    whatever the busy timeout. Taking the write lock up front (BEGIN IMMEDIATE) makes
    it wait its turn instead. PostgreSQL locks rows, so nothing changes there.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    current = session() if isinstance(session, scoped_session) else session
    if current.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write must open the unit of work, before any change")
        session.rollback()  # only reads so far: nothing is lost
    session.connection(execution_options={"sqlite_immediate": True})


@dataclass(frozen=True)
class Actor:
    """Who moderates: a signed-in moderator or an API key (neither: the policy)."""

    moderator_id: int | None = None
    api_key_id: int | None = None


@dataclass(frozen=True)
class Client:
    """Where a submission came from; shown to moderators only."""

    remote_addr: str | None = None
    user_agent: str | None = None
