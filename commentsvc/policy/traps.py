"""Bot traps: a field people never see, and a form posted faster than anyone types."""

from .base import Context, Finding, Outcome, Reason, Submission

# Sooner than this after the form was shown, no person could have written anything.
SPAM_BELOW_SECONDS = 1.0

_PROBLEMS = {
    "missing": "no form token: the form was not loaded from this service",
    "forged": "the form token is not valid (altered, or made for another article)",
    "expired": "the form was shown more than 24 hours before it was posted",
}


def honeypot(submission: Submission, context: Context) -> Finding | None:
    if not submission.honeypot:
        return None
    return Finding(
        Outcome.spam,
        Reason(
            "honeypot",
            "filled in the hidden field that people never see",
            {"length": len(submission.honeypot)},
        ),
    )


def time_trap(submission: Submission, context: Context) -> Finding | None:
    if submission.trusted or context.min_form_seconds <= 0:
        return None
    if submission.form_problem is not None or submission.form_age is None:
        problem = submission.form_problem or "missing"
        message = _PROBLEMS.get(problem, _PROBLEMS["forged"])
        return Finding(Outcome.hold, Reason("time_trap", message, {"problem": problem}))
    age = max(submission.form_age, 0.0)
    spam_below = min(SPAM_BELOW_SECONDS, float(context.min_form_seconds))
    if age < spam_below:
        outcome, limit = Outcome.spam, spam_below
    elif age < context.min_form_seconds:
        outcome, limit = Outcome.hold, float(context.min_form_seconds)
    else:
        return None
    return Finding(
        outcome,
        Reason(
            "time_trap",
            f"posted {age:.1f} s after the form was shown (under {limit:g} s)",
            {"seconds": round(age, 2), "limit": limit},
        ),
    )
