"""WordPress's two word lists: "Comment Moderation" (held) and "Disallowed Comment Keys" (spam).

One entry a line, matched without regard to case as a whole word or phrase (white space
inside a phrase matches any white space) in the name, email, URL, text and User-Agent.
An entry that is an IP address or a CIDR range matches the client's IP instead.
"""

import functools
import ipaddress
import re
from dataclasses import dataclass

from .base import Context, Finding, Outcome, Reason, Submission

# Where a match was found, as the reason says it.
FIELDS = {
    "name": "the name",
    "email": "the email address",
    "url": "the website",
    "body": "the body",
    "user_agent": "the User-Agent",
}


@dataclass(frozen=True)
class Match:
    entry: str
    field: str  # a key of FIELDS, or "ip"


def fold(text: str) -> str:
    """Case and white space folded, as entries and texts are compared."""
    return " ".join(text.casefold().split())


def network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The IP range an entry names, or None when it is a word."""
    if not any(c.isdigit() for c in entry) or not (":" in entry or "." in entry):
        return None  # cheap test first: most entries are words
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _patterns(entries: tuple[str, ...]) -> tuple[tuple[str, re.Pattern], ...]:
    compiled = []
    for entry in entries:
        folded = fold(entry)
        if not folded or network(entry) is not None:
            continue
        # A word character at the entry's edge must not touch another one, so "cash"
        # matches "Cash!" but not "cashew"; an edge like "$" or "@" needs no boundary.
        head = r"(?<!\w)" if re.match(r"\w", folded[0]) else ""
        tail = r"(?!\w)" if re.match(r"\w", folded[-1]) else ""
        compiled.append((entry, re.compile(head + re.escape(folded) + tail)))
    return tuple(compiled)


def _networks(entries: tuple[str, ...]):
    return [(entry, net) for entry in entries if (net := network(entry)) is not None]


def matches(entries: tuple[str, ...], submission: Submission) -> list[Match]:
    """Every (entry, field) pair that matches, in list order, fields in FIELDS order."""
    found = []
    texts = {name: fold(getattr(submission, name) or "") for name in FIELDS}
    for entry, pattern in _patterns(tuple(entries)):
        found += [Match(entry, name) for name, text in texts.items() if pattern.search(text)]
    ip = _address(submission.ip)
    if ip is not None:
        found += [Match(entry, "ip") for entry, net in _networks(entries) if ip in net]
    return found


def _address(value: str | None):
    try:
        return ipaddress.ip_address(value) if value else None
    except ValueError:
        return None


def _finding(outcome: Outcome, rule: str, kind: str, found: list[Match], ip: str | None):
    if not found:
        return None
    first = found[0]
    if first.field == "ip":
        message = f"the client IP {ip} is in the {kind} list (“{first.entry}”)"
    else:
        message = f"matched {kind} word “{first.entry}” in {FIELDS[first.field]}"
    if len(found) > 1:
        message += f", and {len(found) - 1} more"
    details = {"matches": [{"entry": m.entry, "field": m.field} for m in found[:20]]}
    return Finding(outcome, Reason(rule, message, details))


def moderation_words(submission: Submission, context: Context) -> Finding | None:
    found = matches(context.moderation_words, submission)
    return _finding(Outcome.hold, "moderation_words", "moderation", found, submission.ip)


def disallowed_words(submission: Submission, context: Context) -> Finding | None:
    found = matches(context.disallowed_words, submission)
    return _finding(Outcome.spam, "disallowed_words", "disallowed", found, submission.ip)
