"""The policy's vocabulary: what it is asked about, what it finds, what it decides.

Plain frozen dataclasses, no Flask and no database, so every rule is a pure function
of a `Submission` and a `Context` that the submission service gathers.
"""

import enum
from dataclasses import dataclass, field

from ..config import Defaults
from ..status import Status


class Outcome(enum.IntEnum):
    """What a rule asks for; a larger value is stronger and wins."""

    publish = 0
    hold = 1
    spam = 2
    refuse = 3


STATUS_FOR = {Outcome.publish: Status.approved, Outcome.hold: Status.pending}
STATUS_FOR[Outcome.spam] = Status.spam


@dataclass(frozen=True)
class Reason:
    """Why a rule fired: its name, a sentence for people, and details for programs."""

    rule: str
    message: str
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message, "details": dict(self.details)}


@dataclass(frozen=True)
class Finding:
    outcome: Outcome
    reason: Reason

    def as_dict(self) -> dict:
        """The stored shape: {rule, message, details}, the outcome among the details."""
        stored = self.reason.as_dict()
        stored["details"]["outcome"] = self.outcome.name
        return stored


@dataclass(frozen=True)
class Submission:
    """What was posted, and what the request said about itself."""

    name: str
    email: str
    url: str | None
    body: str
    ip: str | None = None
    user_agent: str | None = None
    honeypot: str = ""
    # Seconds since the form was shown, from its signed token; None when the token
    # is missing or bad, and then `form_problem` says which ("missing", "forged",
    # "expired").
    form_age: float | None = None
    form_problem: str | None = None
    # Sent with a valid API key: another service, not a browser form.
    trusted: bool = False


@dataclass(frozen=True)
class CheckAnswer:
    """What the external checker said: "spam", "ham", or "error" (with what went wrong)."""

    verdict: str
    detail: str = ""
    service: str = "Akismet"


@dataclass(frozen=True)
class Context:
    """The settings in force and what the database knows about this author."""

    moderation: str = Defaults.MODERATION  # all | first | none
    max_links: int = Defaults.MAX_LINKS
    approved_before: int = 0  # approved comments by the same email
    moderation_words: tuple[str, ...] = ()
    disallowed_words: tuple[str, ...] = ()
    min_form_seconds: int = Defaults.MIN_FORM_SECONDS
    flood_seconds: int = Defaults.FLOOD_SECONDS
    # Seconds since the same IP ("ip") or email ("email") last posted, and which it was.
    last_post_seconds: float | None = None
    last_post_by: str | None = None
    duplicate_of: int | None = None  # a comment of this email on this article, same text
    spam_repeat: int = Defaults.SPAM_REPEAT
    spam_by_email: int = 0
    spam_by_ip: int = 0
    checker: CheckAnswer | None = None  # None: the external checker did not run


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    findings: tuple[Finding, ...] = ()

    @property
    def status(self) -> Status | None:
        """The status to store the comment with; None when it is refused."""
        return STATUS_FOR.get(self.outcome)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(f.reason for f in self.findings)

    @property
    def refusal(self) -> Reason | None:
        """The first refusing rule's reason: it decides how the refusal is answered."""
        return next((f.reason for f in self.findings if f.outcome is Outcome.refuse), None)

    def stored_reasons(self) -> list[dict]:
        return [f.as_dict() for f in self.findings]
