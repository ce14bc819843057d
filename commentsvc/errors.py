"""Domain errors: raised by services, presented by each door in its own way.

Each error carries the HTTP status that fits it, so every door maps it the same way:
the API answers it as JSON, the review UI and the widget as a page or a form message.
"""

from flask_babel import lazy_gettext as _l

from .i18n import N_


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = _l("The request could not be completed.")
    # Seconds after which trying again may work (429s answer it as Retry-After).
    retry_after: int | None = None

    def __init__(self, message: str | None = None, *, fields: dict[str, list[str]] | None = None):
        self.message = message or str(self.default_message)
        self.fields = fields or {}
        super().__init__(self.message)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    default_message = _l("Some fields are not valid.")


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"
    default_message = _l("The comment cannot move to that status.")


class CommentsClosed(DomainError):
    status = 403
    code = "comments_closed"
    default_message = _l("Comments are closed for this article.")


class CrossSiteRefused(DomainError):
    status = 403
    code = "cross_site_refused"
    default_message = _l(
        "Comments can be posted from a browser only by this service's pages and the sites "
        "it allows; nothing was saved."
    )


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"
    default_message = _l(
        "This Idempotency-Key was already used for a different request. "
        "Send a new key with each new comment; reuse it only to retry the same one."
    )


class IdempotencyKeyInUse(DomainError):
    status = 409
    code = "idempotency_key_in_use"
    default_message = _l(
        "A request with this Idempotency-Key is still being answered. Retry in a moment."
    )


class LinkExpired(DomainError):
    status = 410
    code = "link_expired"
    default_message = _l("This link has expired. Nothing was changed.")


class LinkInvalid(DomainError):
    status = 400
    code = "link_invalid"
    default_message = _l(
        "This link is not valid: it was altered or cut short. Nothing was changed."
    )


class LinkUsed(DomainError):
    status = 409
    code = "link_used"
    default_message = _l(
        "This link was used already, or the comment was decided since. Nothing was changed."
    )


class Duplicate(DomainError):
    status = 409
    code = "duplicate"
    default_message = _l(
        "Duplicate comment detected; it looks as though you\u2019ve already said that!"
    )


class TooFast(DomainError):
    """The same address or email posted again too soon; `retry_after` says when it may."""

    status = 429
    code = "too_fast"
    default_message = _l("You are posting comments too quickly. Slow down.")

    def __init__(self, message: str | None = None, *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Unavailable(Exception):
    """A dependency (the database, Redis) did not answer; trying again later may work.

    Not a DomainError on purpose: code that catches refusals to present them (a flash
    message, a 422 form) must let an outage through to the 503 every door answers.
    """

    status = 503
    code = "unavailable"
    # A msgid, not a lazy string: presenting it must not ask the (absent) database
    # for a moderator's language; the door translates it (ops/outage.py).
    default_message = N_(
        "The service is briefly unavailable; nothing was saved. Try again in a moment."
    )
    retry_after = 5

    def __init__(self, message: str | None = None, *, dependency: str = "database"):
        self.message = message or self.default_message
        self.dependency = dependency
        self.fields: dict[str, list[str]] = {}
        super().__init__(self.message)
