"""What the author did before: posting again at once, saying it twice, earlier spam."""

import math

from .base import Context, Finding, Outcome, Reason, Submission

_WHO = {"ip": "IP address", "email": "email address"}


def same_text(body: str) -> str:
    """A comment's text as the duplicate rule compares it: white space and case folded."""
    return " ".join(body.casefold().split())


def duplicate(submission: Submission, context: Context) -> Finding | None:
    if context.duplicate_of is None:
        return None
    return Finding(
        Outcome.refuse,
        Reason(
            "duplicate",
            f"the same text from this email address is already on this article "
            f"(comment #{context.duplicate_of})",
            {"comment_id": context.duplicate_of},
        ),
    )


def flood(submission: Submission, context: Context) -> Finding | None:
    seconds = context.last_post_seconds
    if context.flood_seconds <= 0 or seconds is None or seconds >= context.flood_seconds:
        return None
    seconds = max(seconds, 0.0)
    by = context.last_post_by or "ip"
    return Finding(
        Outcome.refuse,
        Reason(
            "flood",
            f"posted again {seconds:.0f} s after the previous comment from the same "
            f"{_WHO.get(by, by)} (under {context.flood_seconds} s)",
            {
                "by": by,
                "seconds": round(seconds, 2),
                "retry_after": max(1, math.ceil(context.flood_seconds - seconds)),
            },
        ),
    )


def repeat_offender(submission: Submission, context: Context) -> Finding | None:
    if context.spam_repeat <= 0:
        return None
    by, count = max(
        (("email", context.spam_by_email), ("ip", context.spam_by_ip)), key=lambda p: p[1]
    )
    if count < context.spam_repeat:
        return None
    return Finding(
        Outcome.spam,
        Reason(
            "repeat_offender",
            f"this {_WHO[by]} already has {count} comments marked as spam",
            {"by": by, "count": count, "limit": context.spam_repeat},
        ),
    )
