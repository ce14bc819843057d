"""The pure parts of notifications: backoff, address checks, signatures, links, payloads."""

import base64

import pytest
from standardwebhooks import Webhook

from commentsvc import links
from commentsvc.notify import payloads, webhooks
from commentsvc.services.outbox import _anonymised, backoff


@pytest.mark.parametrize("attempt", range(1, 15))
def test_backoff_doubles_up_to_the_cap_with_jitter(attempt):
    full = min(6 * 3600, 30 * 2 ** (attempt - 1))

    assert backoff(attempt, 30, 6 * 3600, rand=lambda: 0.0) == full / 2
    assert backoff(attempt, 30, 6 * 3600, rand=lambda: 1.0) == full
    assert full / 2 <= backoff(attempt, 30, 6 * 3600) <= full


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd12:3456::1",
        "::ffff:127.0.0.1",
        "::",
    ],
)
def test_addresses_inside_networks_are_refused(address):
    assert webhooks.refusal(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:85e5", "8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert webhooks.refusal(address) is None


def test_resolving_checks_every_address_a_name_has():
    with pytest.raises(webhooks.AddressRefused, match="loopback"):
        webhooks.resolve("localhost", 80, allow_private=False)
    assert "127.0.0.1" in webhooks.resolve("localhost", 80, allow_private=True)


def test_signatures_match_the_standard_webhooks_reference():
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    body = webhooks.encode({"type": "comment.created", "data": {"text": "naïve “quotes”"}})
    signature = webhooks.sign(secret, "msg_1", 1_700_000_000, body)

    from datetime import UTC, datetime

    expected = Webhook(secret).sign(
        "msg_1", datetime.fromtimestamp(1_700_000_000, UTC), body.decode()
    )
    assert signature == expected
    other = webhooks.sign(webhooks.new_secret(), "msg_1", 1_700_000_000, body)
    assert other != signature


def test_the_same_payload_always_encodes_to_the_same_bytes():
    assert webhooks.encode({"b": 1, "a": [2, 3]}) == webhooks.encode({"a": [2, 3], "b": 1})


def test_a_decision_link_round_trips_and_refuses_tampering():
    decision = links.Decision(comment_id=7, action="spam", moderator_id=2, state=41)
    token = links.decision_token("k", decision)

    assert links.read_decision("k", token, 60) == decision
    for bad in (token[:-2], token + "x", links.decision_token("other key", decision), "junk"):
        with pytest.raises(links.LinkInvalid):
            links.read_decision("k", bad, 60)


def test_a_decision_link_expires(monkeypatch):
    token = links.decision_token("k", links.Decision(7, "approve", 2, 0))
    import time

    later = time.time() + 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    with pytest.raises(links.LinkExpired):
        links.read_decision("k", token, 60)


def test_an_unsubscribe_link_round_trips_and_refuses_tampering():
    token = links.unsubscribe_token("k", "reader@example.org", 12)

    assert links.read_unsubscribe("k", token) == ("reader@example.org", 12)
    for bad in (token[:-1], links.unsubscribe_token("x", "reader@example.org", 12)):
        with pytest.raises(links.LinkInvalid):
            links.read_unsubscribe("k", bad)


SNAPSHOT = {
    "id": 3,
    "article_id": "a",
    "parent_id": None,
    "status": "pending",
    "staff": False,
    "author": {"name": "N", "email": "n@example.org", "url": None},
    "ip": "203.0.113.9",
    "user_agent": "UA",
    "body": "b",
    "html": "<p>b</p>",
    "held_reasons": ["links"],
    "created_at": "2026-01-01T00:00:00+00:00",
}


@pytest.mark.parametrize("event", ["comment.created", "comment.moderated", "comment.edited"])
def test_only_moderation_endpoints_get_private_fields(event):
    data = {"comment": SNAPSHOT, "from": "pending", "to": "spam", "action": "spam", "reason": None}
    public = payloads.build(event, data, moderation=False, timestamp="t")["data"]["comment"]
    private = payloads.build(event, data, moderation=True, timestamp="t")["data"]["comment"]

    assert "email" not in public["author"]
    assert not {"ip", "user_agent", "held_reasons"} & set(public)
    assert private["author"]["email"] == "n@example.org" and private["ip"] == "203.0.113.9"


def test_anonymising_clears_the_address_wherever_it_is():
    payload = {
        "items": [
            {"comment": dict(SNAPSHOT)},
            {"comment": SNAPSHOT | {"author": {"name": "O", "email": "o@example.org"}}},
        ]
    }

    cleaned = _anonymised(payload, "n@example.org", owner=False)
    first, second = (item["comment"] for item in cleaned["items"])
    assert first["author"] == {"name": "Anonymous", "email": None, "url": None}
    assert first["ip"] is None and first["user_agent"] is None
    assert second["author"]["email"] == "o@example.org"  # someone else's comment stays
