"""Mails built from an outbox row: plain-text and HTML parts from templates/mail/.

The HTML part takes a comment's text only from its stored, sanitised `html`; every other
value (names, titles, reasons) is escaped by the template. Links start at PUBLIC_URL.
A mail is written in its recipient's language when the row knows it (a moderator's
choice, `payload["locale"]`), else in the default (English).
"""

import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import quote, urlsplit

from flask import render_template
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from .. import links, locales
from ..i18n import N_, plural

SUBJECTS = {
    "mail.held": N_("[%(site)s] Please moderate: “%(title)s”"),
    "mail.reply": N_("[%(site)s] New reply to your comment on “%(title)s”"),
    "mail.approved": N_("[%(site)s] Your comment on “%(title)s” is published"),
}
TEMPLATES = {
    "mail.held": "held",
    "mail.digest": "digest",
    "mail.reply": "reply",
    "mail.approved": "approved",
}
# Lines up to RFC 5322's limit: a long List-Unsubscribe URL must stay one plain token,
# not be folded into an encoded word that mail programs would not recognise.
POLICY = email.policy.SMTP.clone(max_line_length=998)
DECISION_LABELS = {"approve": _l("Approve"), "spam": _l("Spam"), "reject": _l("Reject")}


@dataclass(frozen=True)
class MailContext:
    public_url: str
    site: str
    sender: str
    secret_key: str

    @classmethod
    def from_config(cls, config) -> "MailContext":
        public_url = (config["PUBLIC_URL"] or "http://localhost:8000").rstrip("/")
        host = urlsplit(public_url).hostname or "localhost"
        site = config.get("SITE_NAME") or host
        domain = host if "." in host and not host.replace(".", "").isdigit() else "localhost"
        sender = config["MAIL_DEFAULT_SENDER"] or f"commentsvc@{domain}"
        return cls(public_url, site, sender, config["SECRET_KEY"])


def comment_url(comment: dict, public_url: str) -> str:
    """Where a reader sees the comment: on the article's page when its URL is known."""
    anchor = f"#comment-{comment['id']}"
    if comment.get("article_url"):
        return comment["article_url"] + anchor
    return f"{public_url}/embed/{quote(comment['article_id'])}{anchor}"


def _decisions(context: MailContext, comment: dict, moderator_id: int, state: int) -> dict:
    return {
        action: f"{context.public_url}/review/decide/"
        + links.decision_token(
            context.secret_key, links.Decision(comment["id"], action, moderator_id, state)
        )
        for action in links.DECISIONS
    }


def _moderation_item(context: MailContext, item: dict, moderator_id: int) -> dict:
    comment = item["comment"]
    return {
        "comment": comment,
        "history": item.get("history") or {},
        "decide": _decisions(context, comment, moderator_id, item.get("state", 0)),
        "review": f"{context.public_url}/review/comments/{comment['id']}",
        "reasons": [_reason(r) for r in comment.get("held_reasons") or []],
    }


def _reason(reason) -> str:
    # Held reasons are strings, or {rule, message, details} records.
    if isinstance(reason, dict):
        return str(reason.get("message") or reason.get("rule") or "")
    return str(reason)


def build(
    event: str, recipient: str, payload: dict, delivery_id: str, context: MailContext
) -> EmailMessage:
    """The message for one mail row of the outbox, in its recipient's language."""
    with force_locale(locales.match(payload.get("locale")) or locales.DEFAULT):
        return _build(event, recipient, payload, delivery_id, context)


def _subject(event: str, site: str, title: str, count: int) -> str:
    if event == "mail.digest":
        return plural(
            "[%(site)s] %(num)s comment awaits moderation",
            "[%(site)s] %(num)s comments await moderation",
            count,
            site=site,
        )
    return gettext(SUBJECTS[event], site=site, title=title)


def _build(
    event: str, recipient: str, payload: dict, delivery_id: str, context: MailContext
) -> EmailMessage:
    values: dict = {"site": context.site, "public_url": context.public_url}
    values["labels"] = DECISION_LABELS
    headers: dict[str, str] = {}
    if event == "mail.held":
        values["item"] = _moderation_item(context, payload, payload["moderator_id"])
        title = payload["comment"].get("article_title") or payload["comment"]["article_id"]
    elif event == "mail.digest":
        values["items"] = [
            _moderation_item(context, item, payload["moderator_id"]) for item in payload["items"]
        ]
        values["total"] = payload["total"]
        title = ""
    elif event == "mail.reply":
        reply = payload["reply"]
        unsubscribe = f"{context.public_url}/unsubscribe/" + links.unsubscribe_token(
            context.secret_key, recipient, payload["article_pk"]
        )
        values.update(
            reply=reply,
            parent=payload["parent"],
            reply_url=comment_url(reply, context.public_url),
            unsubscribe=unsubscribe,
        )
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        title = reply.get("article_title") or reply["article_id"]
    elif event == "mail.approved":
        comment = payload["comment"]
        values.update(comment=comment, comment_url=comment_url(comment, context.public_url))
        title = comment.get("article_title") or comment["article_id"]
    else:
        raise ValueError(f"no mail for {event!r}")
    count = payload.get("total", 1)
    subject = _subject(event, context.site, title, count)
    name = TEMPLATES[event]
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message["From"] = context.sender
    message["To"] = recipient
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{delivery_id}@{_domain(context.sender)}>"
    message["Auto-Submitted"] = "auto-generated"
    for header, value in headers.items():
        message[header] = value
    values["subject"] = subject
    message.set_content(render_template(f"mail/{name}.txt", **values))
    message.add_alternative(render_template(f"mail/{name}.html", **values), subtype="html")
    return message


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"
