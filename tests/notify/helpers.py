"""Helpers the notification tests share."""

import re

from sqlalchemy import select

DECIDE = re.compile(r"https://comments\.example/review/decide/[A-Za-z0-9_.\-]+")
UNSUBSCRIBE = re.compile(r"https://comments\.example/unsubscribe/[A-Za-z0-9_.\-]+")


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def decision_links(message) -> dict[str, str]:
    """{"approve": url, "spam": url, "reject": url} as the plain-text part lists them."""
    found = {}
    for line in text_of(message).splitlines():
        label, _, rest = line.partition(":")
        if label in ("Approve", "Spam", "Reject") and DECIDE.search(rest):
            found[label.lower()] = DECIDE.search(rest).group(0)
    return found


def path_of(url: str) -> str:
    return url.removeprefix("https://comments.example")


def outbox_rows(session, **where):
    from commentsvc.models import OutboxMessage

    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    session.expire_all()
    return session.scalars(query).all()
