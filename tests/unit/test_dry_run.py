"""The dry run as a pure function: replay, counts per status pair, rule agreement, the table."""

from commentsvc.policy import Context, Outcome, Submission, dry_run
from commentsvc.status import Status


def past(body="Plain words.", decided=Status.approved, stored=(), **context) -> dry_run.Past:
    submission = Submission("Reader", "r@example.org", None, body, ip="203.0.113.5")
    context.setdefault("moderation", "none")
    return dry_run.Past(submission, Context(**context), tuple(stored), decided)


def stored(rule: str, outcome: str, **details) -> dict:
    return {"rule": rule, "message": f"{rule} said so", "details": {**details, "outcome": outcome}}


def test_replay_runs_the_settings_under_test_and_keeps_what_was_found_at_the_moment():
    comment = past(
        "Visit the casino",
        stored=[
            stored("moderation_mode", "hold", mode="all"),  # replayed, not kept
            stored("honeypot", "spam"),
            stored("checker", "hold", answer="error"),
        ],
        moderation_words=("casino",),
    )

    verdict = dry_run.replay(comment)

    assert [r.rule for r in verdict.reasons] == ["moderation_words", "honeypot", "checker"]
    assert verdict.outcome is Outcome.spam
    without_checker = dry_run.replay(comment, checker=False)
    assert [r.rule for r in without_checker.reasons] == ["moderation_words", "honeypot"]


def test_compare_counts_each_status_pair_and_how_often_moderators_agreed():
    pasts = [
        past("Buy pills", Status.spam, disallowed_words=("pills",)),  # spam, agreed
        past("pills, honestly", Status.approved, disallowed_words=("pills",)),  # spam, disagreed
        past("Fine words", Status.approved, disallowed_words=("pills",)),  # publish
        past("Fine words", Status.spam),  # publish, a miss
        past("Hold me", Status.rejected, moderation="all"),  # hold, agreed
        past("Hold me", Status.pending, moderation="all"),  # hold, undecided
        past("Hold me", Status.approved, moderation="all"),  # hold, disagreed
    ]

    report = dry_run.compare(pasts)

    assert report.total == 7
    assert report.count(Outcome.spam, Status.spam) == 1
    assert report.count(Outcome.spam, Status.approved) == 1
    assert report.count(Outcome.publish) == 2
    assert report.count(Outcome.hold) == 3
    assert report.count(status=Status.approved) == 3
    words = report.rules["disallowed_words"]
    assert (words.fired, words.decided, words.agreed) == (2, 2, 1)
    mode = report.rules["moderation_mode"]
    assert (mode.fired, mode.decided, mode.agreed) == (3, 2, 1)
    assert report.summary() == [
        "1 of the 2 comments moderators marked as spam would have gone to spam"
        " (0 held, 1 published).",
        "1 of the 3 approved comments would have been held, 1 would have gone to spam.",
    ]


def test_the_table_lines_up_and_names_every_status():
    report = dry_run.compare([past("x", Status.approved), past("y", Status.spam, moderation="all")])

    lines = dry_run.table(report).splitlines()

    assert lines[0].split() == [
        "policy",
        "would",
        "\\",
        "moderators",
        "approved",
        "pending",
        "rejected",
        "spam",
        "total",
    ]
    assert lines[2].split() == ["publish", "1", "0", "0", "0", "1"]
    assert lines[3].split() == ["hold", "0", "0", "0", "1", "1"]
    assert lines[5].split() == ["total", "1", "0", "0", "1", "2"]
    assert len({len(line) for line in lines[:6]}) == 1  # columns line up
    assert any(line.split()[:4] == ["moderation_mode", "1", "1", "1"] for line in lines)


def test_an_empty_history_reports_nothing_without_failing():
    report = dry_run.compare([])

    assert report.total == 0
    assert "0 of the 0 comments" in dry_run.table(report)
