"""A comment's moderation status and the moves between statuses.

Kept free of Flask and SQLAlchemy so the policy and the thread builder can use it.
"""

import enum


class Status(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    spam = "spam"


# What a moderator asks for, and the status it leads to.
ACTIONS: dict[str, Status] = {
    "approve": Status.approved,
    "reject": Status.rejected,
    "spam": Status.spam,
    "pend": Status.pending,
}

# "Not spam": back to the status a comment had before it was marked spam (pending when
# its trail does not say), so its target depends on the comment.
NOT_SPAM = "unspam"
DECISIONS = (*ACTIONS, NOT_SPAM)

# Every status can move to every other; moving to the status a comment already
# has is refused, so a stale screen cannot record a decision that changed nothing.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    status: frozenset(Status) - {status} for status in Status
}


def can_transition(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]
