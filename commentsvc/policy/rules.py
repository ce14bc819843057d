"""The policy's rules: each looks at a submission and may return a finding."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..status import Status

if TYPE_CHECKING:
    from . import Context, Submission


@dataclass(frozen=True)
class Finding:
    status: Status
    reason: str


# "www." inside a URL (https://www.example.org, /www.x) is not a second link.
_LINK = re.compile(r"(?:https?://|(?<![\w./])www\.)", re.IGNORECASE)


def moderation_mode(submission: "Submission", context: "Context") -> Finding | None:
    if context.moderation == "all":
        return Finding(Status.pending, "Every comment is held for review (moderation: all).")
    if context.moderation == "first" and context.approved_before == 0:
        return Finding(Status.pending, "First comment from this email address.")
    return None


def too_many_links(submission: "Submission", context: "Context") -> Finding | None:
    links = len(_LINK.findall(submission.body))
    if links > context.max_links:
        return Finding(Status.pending, f"Contains {links} links (more than {context.max_links}).")
    return None


RULES: tuple[Callable[["Submission", "Context"], Finding | None], ...] = (
    moderation_mode,
    too_many_links,
)
