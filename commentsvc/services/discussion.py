"""The discussion settings an admin changes without a redeploy (WordPress's Settings → Discussion).

What is saved lives in one database row, so every instance reads the same rules; a
setting nobody saved keeps its COMMENTSVC_* value. Each change is an event in the
activity log (action "settings", no comment) with who changed what.
"""

import dataclasses
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import driver
from ..config import Settings
from ..models import DiscussionSettings, ModerationEvent
from . import Actor, begin_write

# What an admin may change here, in the order the page and the API show them.
FIELDS = (
    "moderation",
    "max_links",
    "moderation_words",
    "disallowed_words",
    "close_after_days",
    "checker_enabled",
)
LABELS = {
    "moderation": "moderation",
    "max_links": "link limit",
    "moderation_words": "moderation words",
    "disallowed_words": "disallowed words",
    "close_after_days": "close after days",
    "checker_enabled": "external checker",
}
ROW_ID = 1


def _row(session) -> DiscussionSettings | None:
    return session.get(DiscussionSettings, ROW_ID)


def _as_setting(name: str, value):
    return tuple(value) if name.endswith("_words") else value


def _as_column(name: str, value):
    return list(value) if name.endswith("_words") and value is not None else value


_TABLE = DiscussionSettings.__table__
_SAVED = driver.Select(select(*(_TABLE.c[name] for name in FIELDS)).where(_TABLE.c.id == ROW_ID))


def effective(session, defaults: Settings) -> Settings:
    """`defaults` (from COMMENTSVC_*) with what an admin saved laid over them."""
    # A plain read of one row by its key: every submission asks, and an ORM load of the
    # row costs many times the statement. Like that load, it flushes first (a no-op
    # when nothing changed), so it sees this unit of work's changes.
    if session.autoflush:
        session.flush()
    row = _SAVED.first(session.connection(), {})
    if row is None:
        return defaults
    saved = {n: _as_setting(n, v) for n, v in zip(FIELDS, row, strict=True) if v is not None}
    return dataclasses.replace(defaults, **saved) if saved else defaults


@dataclass(frozen=True)
class Current:
    settings: Settings  # in force
    saved: tuple[str, ...]  # what an admin saved; the rest follow COMMENTSVC_*

    def as_dict(self) -> dict:
        shown = {name: _plain(getattr(self.settings, name)) for name in FIELDS}
        return shown | {
            "checker_configured": self.settings.checker_configured,
            "saved": list(self.saved),
        }


def current(session, defaults: Settings) -> Current:
    """The settings in force, and which of them an admin saved."""
    row = _row(session)
    saved = tuple(n for n in FIELDS if row is not None and getattr(row, n) is not None)
    return Current(effective(session, defaults), saved)


def save(session, changes: dict, actor: Actor, defaults: Settings) -> Current:
    """Store these settings (a None value returns one to its default); log what changed.

    `changes` maps names in FIELDS to values a schema has checked. Saving what is
    already in force changes nothing and logs nothing.
    """
    begin_write(session)
    before = effective(session, defaults)
    row = _row(session) or _create(session)
    for name, value in changes.items():
        setattr(row, name, _as_column(name, value))
    session.flush()
    after = effective(session, defaults)
    diff = {
        name: {"from": _plain(getattr(before, name)), "to": _plain(getattr(after, name))}
        for name in FIELDS
        if getattr(before, name) != getattr(after, name)
    }
    if diff:
        session.add(
            ModerationEvent(
                comment_id=None,
                moderator_id=actor.moderator_id,
                api_key_id=actor.api_key_id,
                action="settings",
                reason=describe(diff),
                details={"changes": diff},
            )
        )
    session.commit()
    return current(session, defaults)


def _create(session) -> DiscussionSettings:
    # Two admins saving the first time at once: the loser updates the winner's row.
    try:
        with session.begin_nested():
            row = DiscussionSettings(id=ROW_ID)
            session.add(row)
        return row
    except IntegrityError:
        return _row(session)


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def describe(diff: dict) -> str:
    """One line for the activity log: "moderation: all → first; link limit: 2 → 3"."""
    parts = []
    for name, change in diff.items():
        before, after = change["from"], change["to"]
        if isinstance(after, list):
            added = [w for w in after if w not in before]
            removed = [w for w in before if w not in after]
            words = [f"+{w}" for w in added[:5]] + [f"-{w}" for w in removed[:5]]
            more = len(added) + len(removed) - len(words)
            parts.append(
                f"{LABELS[name]}: {', '.join(words)}" + (f" (and {more} more)" if more else "")
            )
        else:
            parts.append(f"{LABELS[name]}: {_word(before)} → {_word(after)}")
    return "; ".join(parts)


def _word(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)
