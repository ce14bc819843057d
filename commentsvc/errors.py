"""Domain errors: raised by services, presented by each door in its own way.

Each error carries the HTTP status that fits it, so every door maps it the same way:
the API answers it as JSON, the review UI and the widget as a page or a form message.
"""


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = "The request could not be completed."
    # Seconds after which trying again may work (429s answer it as Retry-After).
    retry_after: int | None = None

    def __init__(self, message: str | None = None, *, fields: dict[str, list[str]] | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(self.message)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = "Not found."


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    default_message = "Some fields are not valid."


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"
    default_message = "The comment cannot move to that status."


class CommentsClosed(DomainError):
    status = 403
    code = "comments_closed"
    default_message = "Comments are closed for this article."


class Duplicate(DomainError):
    status = 409
    code = "duplicate"
    default_message = (
        "Duplicate comment detected; it looks as though you\u2019ve already said that!"
    )


class TooFast(DomainError):
    """The same address or email posted again too soon; `retry_after` says when it may."""

    status = 429
    code = "too_fast"
    default_message = "You are posting comments too quickly. Slow down."

    def __init__(self, message: str | None = None, *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
