"""Units of work: plain functions that take the session, do one thing, commit once.

The JSON API, the review UI and the widget call these same functions, so what a
moderator can do in one door they can do, with the same rules, in another.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who moderates: a signed-in moderator or an API key (neither: the policy)."""

    moderator_id: int | None = None
    api_key_id: int | None = None


@dataclass(frozen=True)
class Client:
    """Where a submission came from; shown to moderators only."""

    remote_addr: str | None = None
    user_agent: str | None = None
