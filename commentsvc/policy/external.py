"""The external checker's answer (Akismet's protocol), as one more rule.

The checker itself talks HTTP, so it lives outside the policy (`commentsvc.checker`);
the service asks it before the write and puts its answer in the context.
"""

from .base import Context, Finding, Outcome, Reason, Submission


def checker(submission: Submission, context: Context) -> Finding | None:
    answer = context.checker
    if answer is None or answer.verdict == "ham":
        return None
    if answer.verdict == "spam":
        message = f"the external checker ({answer.service}) says spam"
        if answer.detail:
            message += f" ({answer.detail})"
        return Finding(
            Outcome.spam,
            Reason("checker", message, {"service": answer.service, "answer": "spam"}),
        )
    # Whatever went wrong, a person decides: never refused, never lost.
    return Finding(
        Outcome.hold,
        Reason(
            "checker",
            f"the external checker ({answer.service}) could not answer: {answer.detail}",
            {"service": answer.service, "answer": "error", "error": answer.detail},
        ),
    )
