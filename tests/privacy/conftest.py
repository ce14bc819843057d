"""A reader with a history in every store, for the privacy requests to find and clear."""

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models import OutboxKind
from commentsvc.notify import Result
from commentsvc.services import fanout, outbox, webhooks
from tests.helpers import ARTICLE, moderate, submit

# The review UI's fixtures (a client with a fresh `g` per request, signed-in admins and
# moderators), for the review door's tests; the API tests work with that client as well.
from tests.review.conftest import admin, admin_client, client, mod_client  # noqa: F401

PERSON = "person.private@example.org"
PERSON_IP = "198.51.100.77"
PERSON_UA = "PrivacyTestBrowser/1.0 (unique-ua-7d1)"
PERSON_URL = "https://person-private.example/blog"
OTHER = "other.reader@example.org"
SECOND = "second-article"


@dataclass(frozen=True)
class Story:
    replied: int  # the person's approved comment, with someone's approved reply
    reply: int  # that reply (someone else's)
    held: int  # the person's held comment on another article
    others: int  # someone else's unrelated comment


def fan_out(session, app) -> None:
    """Turn every due event row into its mails and deliveries; deliver nothing else."""
    settings = fanout.FanoutSettings.from_config(app.config)
    while claimed := outbox.claim(session, limit=50, lease_seconds=300, worker="tests"):
        for item in claimed:
            if item.kind is OutboxKind.event:
                result = fanout.expand(session, item, settings)
            elif item.kind is OutboxKind.mail and item.recipient == PERSON:
                # A mail server refusing it quotes the address in the delivery log.
                result = Result(False, f"550 5.1.1 <{PERSON}>: Recipient address rejected")
            elif item.kind is OutboxKind.webhook and PERSON in json.dumps(item.payload):
                # So may a receiver's answer (kept as the attempt's detail and last error).
                result = Result(False, f"HTTP 422: author {PERSON} is not known here")
            else:
                continue  # stays claimed and pending, as a mail waiting for its retry
            outbox.finish(session, item, result, outbox.RetryPolicy())


def _as_person(http, article, **fields):
    body = {"name": "Pat Private", "email": PERSON.upper(), "body": "My own words."} | fields
    return http.post(
        f"/api/v1/articles/{article}/comments",
        json=body,
        headers={"User-Agent": PERSON_UA, "Idempotency-Key": f"k-{article}-{len(fields)}"},
        environ_base={"REMOTE_ADDR": PERSON_IP},
    )


@pytest.fixture
def story(app, client, auth, db_session, moderator) -> Story:  # noqa: F811
    webhooks.create(
        db_session, "http://127.0.0.1:9/public", list(outbox.EVENTS), allow_private=True
    )
    webhooks.create(
        db_session,
        "http://127.0.0.1:9/moderation",
        list(outbox.EVENTS),
        moderation=True,
        allow_private=True,
    )
    replied = _as_person(client, ARTICLE, notify_replies=True, url=PERSON_URL)
    assert replied.status_code == 202, replied.get_data(as_text=True)
    replied = replied.get_json()["id"]
    reason = f"Checked with {PERSON} by mail"
    assert moderate(client, auth, replied, "approve", reason).status_code == 200
    reply = submit(client, name="Olu", email=OTHER, body="A reply.", parent_id=replied)
    reply = reply.get_json()["id"]
    assert moderate(client, auth, reply, "approve").status_code == 200
    held = _as_person(client, SECOND, body="Held words.").get_json()["id"]
    others = submit(client, name="Olu", email=OTHER, body="Unrelated.").get_json()["id"]
    fan_out(db_session, app)
    db_session.expire_all()
    return Story(replied=replied, reply=reply, held=held, others=others)


def dump(session) -> list[tuple[str, str]]:
    """Every row of every table as (table, text of the row): what a backup would hold."""
    rows = []
    for table in db.metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            text = json.dumps({k: v for k, v in row.items()}, default=str, ensure_ascii=False)
            rows.append((table.name, text))
    return rows


def hits(session, needle: str) -> list[tuple[str, str]]:
    """The rows, in any table and any column, that hold `needle` (any case)."""
    session.expire_all()
    return [(t, text) for t, text in dump(session) if needle.lower() in text.lower()]
