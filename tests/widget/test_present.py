"""The server-rendered widget's wording (embed.js words things the same way)."""

from datetime import UTC, datetime, timedelta

import pytest

from commentsvc.widget import present

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("count", "title", "expected"),
    [
        (0, "Kilns", "No thoughts yet on \u201cKilns\u201d"),
        (1, "Kilns", "One thought on \u201cKilns\u201d"),
        (3, "Kilns", "3 thoughts on \u201cKilns\u201d"),
        (1200, None, "1,200 thoughts"),
    ],
)
def test_heading_has_singular_plural_and_zero_forms(count, title, expected):
    assert present.heading(count, title) == expected


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(hours=5, minutes=59), "5 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=15), "2 weeks ago"),
        (timedelta(days=400), "1 year ago"),
        (-timedelta(minutes=3), "just now"),  # a clock running ahead
    ],
)
def test_relative_time(ago, expected):
    assert present.relative_time(NOW - ago, NOW) == expected


def test_exact_time_is_utc():
    # The locale's long date and short time (CLDR, through Babel), then the zone.
    assert present.exact_time(NOW) == "November 25, 2026, 3:00\u202fPM UTC"
    assert [present.count_label(n) for n in (0, 1, 2)] == ["No comments", "1 Comment", "2 Comments"]
