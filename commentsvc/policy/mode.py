"""The moderation mode and the link limit: WordPress's "Before a comment appears"."""

import re

from .base import Context, Finding, Outcome, Reason, Submission

# "www." inside a URL (https://www.example.org, /www.x) is not a second link. Letters
# spelled out rather than IGNORECASE, which would also take "http\u017f://" (long s).
_LINK = re.compile(r"(?:[hH][tT][tT][pP][sS]?://|(?<![\w./])[wW][wW][wW]\.)")


def count_links(text: str) -> int:
    """How many web addresses the text holds (http://, https:// and bare www.)."""
    return len(_LINK.findall(text))


def moderation_mode(submission: Submission, context: Context) -> Finding | None:
    if context.moderation == "all":
        return Finding(
            Outcome.hold,
            Reason(
                "moderation_mode",
                "Every comment is held for review (moderation: all).",
                {"mode": "all"},
            ),
        )
    if context.moderation == "first" and context.approved_before == 0:
        return Finding(
            Outcome.hold,
            Reason("moderation_mode", "First comment from this email address.", {"mode": "first"}),
        )
    return None


def too_many_links(submission: Submission, context: Context) -> Finding | None:
    links = count_links(submission.body)
    if links > context.max_links:
        return Finding(
            Outcome.hold,
            Reason(
                "links",
                f"Contains {links} links (more than {context.max_links}).",
                {"links": links, "max_links": context.max_links},
            ),
        )
    return None
