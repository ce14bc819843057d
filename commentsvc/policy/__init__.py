"""Decide what happens to a new comment: publish it, hold it, or file it as spam.

`evaluate` runs every rule and keeps each one's reason, so a moderator sees why a
comment waits. Pure: no Flask, no database; the caller gathers the context.
"""

from dataclasses import dataclass

from ..status import Status
from .rules import RULES, Finding


@dataclass(frozen=True)
class Submission:
    name: str
    email: str
    url: str | None
    body: str


@dataclass(frozen=True)
class Context:
    moderation: str = "all"  # all | first | none
    max_links: int = 2
    approved_before: int = 0  # approved comments by the same email


@dataclass(frozen=True)
class Verdict:
    status: Status
    reasons: tuple[str, ...] = ()


def evaluate(submission: Submission, context: Context) -> Verdict:
    findings: list[Finding] = [f for rule in RULES if (f := rule(submission, context))]
    reasons = tuple(f.reason for f in findings)
    if any(f.status is Status.spam for f in findings):
        return Verdict(Status.spam, reasons)
    if findings:
        return Verdict(Status.pending, reasons)
    return Verdict(Status.approved)


__all__ = ["Context", "Submission", "Verdict", "evaluate"]
