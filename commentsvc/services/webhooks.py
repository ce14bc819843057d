"""Webhook endpoints that admins register: where events go, and which events."""

import ipaddress
from urllib.parse import urlsplit

from sqlalchemy import select

from ..errors import NotFound, ValidationFailed
from ..i18n import N_
from ..models import Webhook
from ..notify import webhooks as delivery
from . import begin_write
from .outbox import EVENTS

URL_MAX = 2000


def check_url(url: str, *, allow_private: bool) -> str:
    """A URL a delivery may go to: http(s), a host, no credentials, not a private address.

    Names are resolved here too when they can be; every delivery checks again.
    :raise ValidationFailed: the URL is unusable or points inside the network.
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (reading it checks it: a port past 65535 raises)
    except ValueError:
        raise ValidationFailed(fields={"url": [N_("This is not a valid address.")]}) from None
    problem = None
    if len(url) > URL_MAX:
        problem = f"Use at most {URL_MAX} characters."
    elif parts.scheme not in ("http", "https") or not parts.hostname:
        problem = N_("Enter an address starting with https:// (or http://).")
    elif parts.username or parts.password:
        problem = N_("Leave credentials out of the address; verify the signature instead.")
    elif not allow_private:
        problem = _private(parts.hostname, parts.port)
    if problem:
        raise ValidationFailed(fields={"url": [problem]})
    return url


def _private(host: str, port: int | None) -> str | None:
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            addresses = delivery.resolve(host, port or 443, allow_private=True)
        except OSError:
            return None  # not resolvable now; each delivery resolves and checks again
    for address in addresses:
        reason = delivery.refusal(address)
        if reason:
            return f"Webhooks may not go to {host}: {reason}."
    return None


def check_events(events) -> list[str]:
    """:raise ValidationFailed: an unknown event, or none at all."""
    unknown = [e for e in events or [] if e not in EVENTS]
    if unknown or not events:
        message = f"Choose one or more of {', '.join(EVENTS)}."
        raise ValidationFailed(fields={"events": [message]})
    return [e for e in EVENTS if e in events]


def create(
    session,
    url: str,
    events: list[str],
    *,
    moderation: bool = False,
    description: str | None = None,
    allow_private: bool = False,
) -> tuple[Webhook, str]:
    """Register an endpoint; return it with its signing secret (shown to the admin once).

    :raise ValidationFailed: see `check_url` and `check_events`.
    """
    url, events = check_url(url, allow_private=allow_private), check_events(events)
    begin_write(session)
    secret = delivery.new_secret()
    webhook = Webhook(
        url=url, events=events, moderation=moderation, secret=secret, description=description
    )
    session.add(webhook)
    session.commit()
    return webhook, secret


def list_all(session) -> list[Webhook]:
    return session.scalars(select(Webhook).order_by(Webhook.id)).all()


def get(session, webhook_id: int) -> Webhook:
    """:raise NotFound: no such endpoint."""
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound(f"No webhook with id {webhook_id}.")
    return webhook


def update(session, webhook_id: int, changes: dict, *, allow_private: bool = False) -> Webhook:
    """Change an endpoint's URL, events, moderation flag or description.

    Deliveries already queued keep the payload they were made with.
    :raise NotFound: no such endpoint. :raise ValidationFailed: see `create`.
    """
    if "url" in changes:
        changes["url"] = check_url(changes["url"], allow_private=allow_private)
    if "events" in changes:
        changes["events"] = check_events(changes["events"])
    begin_write(session)
    webhook = get(session, webhook_id)
    for name in ("url", "events", "moderation", "description"):
        if name in changes:
            setattr(webhook, name, changes[name])
    session.commit()
    return webhook


def delete(session, webhook_id: int) -> None:
    """Remove an endpoint with its queued deliveries and their log.

    :raise NotFound: no such endpoint.
    """
    begin_write(session)
    session.delete(get(session, webhook_id))
    session.commit()
