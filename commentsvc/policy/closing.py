"""When an article stops taking comments: its own date, or N days after it appeared."""

from datetime import datetime, timedelta


def closes_at(
    set_date: datetime | None, published: datetime | None, close_after_days: int
) -> datetime | None:
    """The earlier of the article's own closing time and `published` + N days (0: none).

    `published` is the article's publication time, else its first comment's.
    """
    automatic = None
    if close_after_days > 0 and published is not None:
        automatic = published + timedelta(days=close_after_days)
    if set_date is None or automatic is None:
        return set_date or automatic
    return min(set_date, automatic)
