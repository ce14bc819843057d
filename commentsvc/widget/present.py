"""How the server-rendered widget words things, in the request's locale.

embed.js words them the same way from `strings.strings_for()`: the same catalogue
entries, the same CLDR plural categories, the same units for relative times.
"""

from datetime import UTC, datetime, timedelta

from babel.dates import format_date, format_time, format_timedelta, get_datetime_format
from babel.numbers import format_decimal
from flask_babel import get_locale, gettext

from ..i18n import plural

# The largest unit the elapsed time fills at least once, counted down (as embed.js does).
UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400))
UNITS += (("day", 86400), ("hour", 3600), ("minute", 60))


def _locale():
    return get_locale() or "en"


def _num(count: int) -> str:
    return format_decimal(count, locale=_locale())


def heading(count: int, title: str | None) -> str:
    """ "3 thoughts on “Title”", "One thought on “Title”", "No thoughts yet on “Title”"."""
    if count == 0:
        return (
            gettext("No thoughts yet on “%(title)s”", title=title)
            if title
            else gettext("No thoughts yet")
        )
    if title:
        return plural(
            "One thought on “%(title)s”",
            "%(num)s thoughts on “%(title)s”",
            count,
            num=_num(count),
            title=title,
        )
    return plural("One thought", "%(num)s thoughts", count, num=_num(count))


def count_label(count: int) -> str:
    if count == 0:
        return gettext("No comments")
    return plural("%(num)s Comment", "%(num)s Comments", count, num=_num(count))


def elapsed(when: datetime, now: datetime | None = None) -> tuple[int, str] | None:
    """(amount, unit) of the time since `when`, floored; None under a minute."""
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    for unit, size in UNITS:
        if seconds >= size:
            return int(seconds // size), unit
    return None


def relative_time(when: datetime, now: datetime | None = None) -> str:
    """ "just now", "5 minutes ago", "1 day ago" (as Intl.RelativeTimeFormat says it)."""
    found = elapsed(when, now)
    if found is None:
        return gettext("just now")
    amount, unit = found
    size = dict(UNITS)[unit]
    return format_timedelta(
        timedelta(seconds=-amount * size),
        threshold=1,
        add_direction=True,
        locale=_locale(),
    )


def exact_time(when: datetime) -> str:
    """ "25 November 2026 at 15:08 UTC": the locale's long date and short time."""
    when = when.astimezone(UTC)
    locale = _locale()
    pattern = get_datetime_format("long", locale=locale).replace("'", "")
    date = format_date(when, "long", locale=locale)
    time = format_time(when, "short", tzinfo=UTC, locale=locale)
    return pattern.format(time, date) + " UTC"
