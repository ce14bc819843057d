"""Signed links in mails: a moderator's one-click decision, a reader's unsubscribe.

Pure (no Flask, no session): the worker makes them, the review UI and the widget check
them. A decision link names the comment's state when the mail was made (its latest
moderation event), so once anything decides the comment the link is spent.
"""

from dataclasses import dataclass

from itsdangerous import BadData, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

DECISION_SALT = "commentsvc.decide"
UNSUBSCRIBE_SALT = "commentsvc.unsubscribe"
DECISIONS = ("approve", "spam", "reject")


class LinkExpired(Exception):
    """The link is genuine but older than it may be."""


class LinkInvalid(Exception):
    """The link was altered, cut short or made with another key."""


@dataclass(frozen=True)
class Decision:
    comment_id: int
    action: str
    moderator_id: int
    state: int


def decision_token(secret_key: str, decision: Decision) -> str:
    data = [decision.comment_id, decision.action, decision.moderator_id, decision.state]
    return URLSafeTimedSerializer(secret_key, salt=DECISION_SALT).dumps(data)


def read_decision(secret_key: str, token: str, max_age: int) -> Decision:
    """:raise LinkExpired: older than `max_age` seconds. :raise LinkInvalid: not ours."""
    serializer = URLSafeTimedSerializer(secret_key, salt=DECISION_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadData as exc:
        raise LinkInvalid() from exc
    if not (
        isinstance(data, list)
        and len(data) == 4
        and all(isinstance(data[i], int) for i in (0, 2, 3))
        and data[1] in DECISIONS
    ):
        raise LinkInvalid()
    return Decision(data[0], data[1], data[2], data[3])


def unsubscribe_token(secret_key: str, email: str, article_pk: int) -> str:
    # No expiry: an unsubscribe link must work as long as the mail is kept.
    return URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).dumps([email, article_pk])


def read_unsubscribe(secret_key: str, token: str) -> tuple[str, int]:
    """:raise LinkInvalid: altered or not ours."""
    try:
        data = URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadData as exc:
        raise LinkInvalid() from exc
    if not (
        isinstance(data, list)
        and len(data) == 2
        and isinstance(data[0], str)
        and isinstance(data[1], int)
    ):
        raise LinkInvalid()
    return data[0], data[1]
