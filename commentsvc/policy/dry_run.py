"""A dry run: what the policy would decide about past comments, against what moderators did.

Replays the rules that need only the stored comment (mode, links, the word lists, repeat
offenders) with the settings under test. What depended on the moment it was posted (the
bot trap, the form's timing, the external checker's answer) cannot be asked again, so
the findings stored then are kept. Pure: the service hands in the past comments.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..status import Status
from . import history, mode, words
from .base import Context, Finding, Outcome, Reason, Submission, Verdict

REPLAYED = (
    mode.moderation_mode,
    mode.too_many_links,
    words.moderation_words,
    words.disallowed_words,
    history.repeat_offender,
)
MOMENT_RULES = ("honeypot", "time_trap", "checker")
OUTCOMES = (Outcome.publish, Outcome.hold, Outcome.spam)
DECIDED = (Status.approved, Status.pending, Status.rejected, Status.spam)
# A finding agrees with the moderators when they kept the comment out of sight: spam
# findings when they marked it spam, holds when they rejected it or marked it spam.
AGREES = {Outcome.spam: {Status.spam}, Outcome.hold: {Status.spam, Status.rejected}}


@dataclass(frozen=True)
class Past:
    """One past comment: as submitted, what was known then, what was stored, its status now."""

    submission: Submission
    context: Context
    stored: tuple[dict, ...] = ()
    decided: Status = Status.pending


@dataclass
class RuleCount:
    fired: int = 0
    decided: int = 0  # of those, how many moderators decided (no longer pending)
    agreed: int = 0


@dataclass
class Report:
    total: int = 0
    since: datetime | None = None
    pairs: Counter = field(default_factory=Counter)  # (Outcome, Status) -> comments
    rules: dict[str, RuleCount] = field(default_factory=dict)

    def count(self, outcome: Outcome | None = None, status: Status | None = None) -> int:
        return sum(
            n
            for (o, s), n in self.pairs.items()
            if (outcome is None or o is outcome) and (status is None or s is status)
        )

    def summary(self) -> list[str]:
        """The findings in sentences, the way an admin asks: what would have changed?"""
        spam = self.count(status=Status.spam)
        approved = self.count(status=Status.approved)
        lines = [
            f"{self.count(Outcome.spam, Status.spam)} of the {spam} comments moderators "
            f"marked as spam would have gone to spam"
            f" ({self.count(Outcome.hold, Status.spam)} held, "
            f"{self.count(Outcome.publish, Status.spam)} published)."
        ]
        lines.append(
            f"{self.count(Outcome.hold, Status.approved)} of the {approved} approved comments "
            f"would have been held, {self.count(Outcome.spam, Status.approved)} "
            f"would have gone to spam."
        )
        return lines


def replay(past: Past, *, checker: bool = True) -> Verdict:
    """What the policy would decide now; `checker` keeps the checker's stored answers."""
    replayed = tuple(f for rule in REPLAYED if (f := rule(past.submission, past.context)))
    kept = tuple(
        _stored_finding(r)
        for r in past.stored
        if r.get("rule") in MOMENT_RULES and (checker or r.get("rule") != "checker")
    )
    findings = replayed + kept
    return Verdict(max((f.outcome for f in findings), default=Outcome.publish), findings)


def _stored_finding(stored: dict) -> Finding:
    details = dict(stored.get("details") or {})
    outcome = Outcome.__members__.get(details.get("outcome", "hold"), Outcome.hold)
    return Finding(outcome, Reason(stored["rule"], stored.get("message", ""), details))


def compare(
    pasts: Iterable[Past], *, checker: bool = True, since: datetime | None = None
) -> Report:
    """Replay every past comment and count decisions and rules against the moderators'."""
    report = Report(since=since)
    for past in pasts:
        verdict = replay(past, checker=checker)
        report.total += 1
        report.pairs[(verdict.outcome, past.decided)] += 1
        for finding in verdict.findings:
            counts = report.rules.setdefault(finding.reason.rule, RuleCount())
            counts.fired += 1
            if past.decided is not Status.pending:
                counts.decided += 1
                counts.agreed += past.decided in AGREES.get(finding.outcome, set())
    return report


def table(report: Report) -> str:
    """The report as plain text, for the command line."""
    head = ["policy would \\ moderators", *(s.value for s in DECIDED), "total"]
    rows = [[o.name, *(report.count(o, s) for s in DECIDED), report.count(o)] for o in OUTCOMES]
    rows.append(["total", *(report.count(status=s) for s in DECIDED), report.total])
    lines = _grid(head, rows)
    lines.append("")
    rule_rows = [
        [rule, c.fired, c.decided, f"{c.agreed} ({_percent(c.agreed, c.decided)})"]
        for rule, c in sorted(report.rules.items(), key=lambda item: -item[1].fired)
    ]
    lines += _grid(
        ["rule", "fired", "decided", "moderators agreed"], rule_rows or [["-", 0, 0, "-"]]
    )
    lines.append("")
    lines += report.summary()
    return "\n".join(lines)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _grid(head: list, rows: list[list]) -> list[str]:
    cells = [[str(c) for c in row] for row in [head, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]

    def line(row):
        first = row[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))])

    return [line(cells[0]), line(["-" * w for w in widths]), *(line(r) for r in cells[1:])]
