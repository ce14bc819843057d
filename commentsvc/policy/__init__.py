"""Decide what happens to a new comment: publish it, hold it, file it as spam, or refuse it.

`evaluate` runs every rule and keeps each one's reason, so a moderator sees why a
comment waits; the strongest finding wins (refuse > spam > hold > publish). Pure: no
Flask, no database; the submission service gathers the context.
"""

from collections.abc import Callable

from . import external, history, mode, traps, words
from .base import CheckAnswer, Context, Finding, Outcome, Reason, Submission, Verdict

Rule = Callable[[Submission, Context], Finding | None]

# In the order their reasons are listed; a refusal is answered by the first refusing rule.
RULES: tuple[Rule, ...] = (
    history.duplicate,
    history.flood,
    mode.moderation_mode,
    mode.too_many_links,
    words.moderation_words,
    words.disallowed_words,
    traps.honeypot,
    traps.time_trap,
    history.repeat_offender,
    external.checker,
)


def evaluate(
    submission: Submission, context: Context, rules: tuple[Rule, ...] | None = None
) -> Verdict:
    """Run `rules` (every rule by default) and combine their findings."""
    chosen = RULES if rules is None else rules
    findings = tuple(f for rule in chosen if (f := rule(submission, context)))
    outcome = max((f.outcome for f in findings), default=Outcome.publish)
    return Verdict(outcome, findings)


__all__ = [
    "RULES",
    "CheckAnswer",
    "Context",
    "Finding",
    "Outcome",
    "Reason",
    "Submission",
    "Verdict",
    "evaluate",
]
