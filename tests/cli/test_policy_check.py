"""`flask --app commentsvc policy check`: the settings in force over a seeded history."""

from datetime import UTC, datetime, timedelta

import click
import pytest

from commentsvc.cli import parse_since
from commentsvc.models import Comment, utcnow
from tests.helpers import moderate, submit

HISTORY = [
    # (body, email, decision, days ago)
    ("Buy cheap pills now", "bot1@spam.example", "spam", 2),
    ("Cheap pills, fast", "bot2@spam.example", "spam", 3),
    ("Casino bonus inside", "bot3@spam.example", "spam", 4),
    ("A kind and useful note", "reader@example.org", "approve", 5),
    ("I disagree, politely", "other@example.org", "approve", 6),
    ("Off topic rant", "rant@example.org", "reject", 7),
    ("Still waiting", "new@example.org", None, 1),
    ("From long ago, pills", "old@spam.example", "spam", 90),
]


@pytest.fixture
def history(client, auth, db_session):
    for body, email, decision, days in HISTORY:
        comment_id = submit(client, body=body, email=email).get_json()["id"]
        if decision:
            assert moderate(client, auth, comment_id, decision).status_code == 200
        db_session.get(Comment, comment_id).created_at = utcnow() - timedelta(days=days)
        db_session.commit()  # the next submission is a unit of work of its own


def test_policy_check_prints_the_table_for_the_settings_in_force(runner, app, monkeypatch, history):
    monkeypatch.setitem(app.config, "MODERATION", "none")
    monkeypatch.setitem(app.config, "DISALLOWED_WORDS", "pills")

    result = runner.invoke(args=["policy", "check", "--since", "30d"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Policy check: 7 comments since ")
    assert "moderation: none, link limit 2, 0 moderation and 1 disallowed words" in lines[0]
    table = {line.split()[0]: line.split()[1:] for line in lines if line[:1].isalpha()}
    #                 approved pending rejected spam total
    assert table["publish"] == ["2", "1", "1", "1", "5"]
    assert table["hold"] == ["0", "0", "0", "0", "0"]
    assert table["spam"] == ["0", "0", "0", "2", "2"]
    assert table["total"] == ["2", "1", "1", "3", "7"]
    assert table["disallowed_words"] == ["2", "2", "2", "(100%)"]
    assert (
        "2 of the 3 comments moderators marked as spam would have gone to spam "
        "(0 held, 1 published)." in result.output
    )
    assert "0 of the 2 approved comments would have been held" in result.output


def test_policy_check_reads_saved_settings_and_a_longer_window(runner, client, auth, history):
    client.put("/api/v1/settings/discussion", json={"moderation": "all"}, headers=auth)

    result = runner.invoke(args=["policy", "check", "--since", "2026-01-01"])

    assert result.exit_code == 0, result.output
    assert "Policy check: 8 comments since 2026-01-01 00:00 UTC" in result.output
    assert "moderation: all" in result.output
    hold = next(line for line in result.output.splitlines() if line.startswith("hold "))
    assert hold.split() == ["hold", "2", "1", "1", "4", "8"]


@pytest.mark.parametrize("bad", ["soon", "30 days", "-3d", "2026-13-01"])
def test_a_since_that_is_not_a_span_or_a_date_is_refused(runner, db_session, bad):
    result = runner.invoke(args=["policy", "check", "--since", bad])

    assert result.exit_code == 2
    assert "use 30d, 12h, 2w or a date" in result.output


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30d", datetime(2026, 1, 31, 12, tzinfo=UTC) - timedelta(days=30)),
        ("12h", datetime(2026, 1, 31, 0, tzinfo=UTC)),
        ("2w", datetime(2026, 1, 17, 12, tzinfo=UTC)),
        ("2026-01-02", datetime(2026, 1, 2, tzinfo=UTC)),
    ],
)
def test_parse_since(value, expected):
    assert parse_since(value, now=datetime(2026, 1, 31, 12, tzinfo=UTC)) == expected


def test_parse_since_refuses_garbage():
    with pytest.raises(click.BadParameter):
        parse_since("yesterday")
