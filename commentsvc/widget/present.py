"""How the server-rendered widget words things; embed.js words them the same way."""

from datetime import UTC, datetime


def heading(count: int, title: str | None) -> str:
    """ "3 thoughts on “Title”", "One thought on “Title”", "No thoughts yet on “Title”"."""
    if count == 0:
        words = "No thoughts yet"
    elif count == 1:
        words = "One thought"
    else:
        words = f"{count:,} thoughts"
    return f"{words} on \u201c{title}\u201d" if title else words


def count_label(count: int) -> str:
    if count == 0:
        return "No comments"
    return "1 Comment" if count == 1 else f"{count:,} Comments"


_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400))
_UNITS += (("day", 86400), ("hour", 3600), ("minute", 60))


def relative_time(when: datetime, now: datetime | None = None) -> str:
    """ "just now", "5 minutes ago", "1 day ago" (as Intl.RelativeTimeFormat says it)."""
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in _UNITS:
        if seconds >= size:
            amount = int(seconds // size)
            return f"{amount} {unit}{'' if amount == 1 else 's'} ago"
    return "just now"  # pragma: no cover - the loop always answers


def exact_time(when: datetime) -> str:
    """ "25 November 2026 at 15:08 UTC", for the title of a <time>."""
    when = when.astimezone(UTC)
    return f"{when.day} {when:%B %Y} at {when:%H:%M} UTC"
