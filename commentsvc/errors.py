"""Domain errors: raised by services, presented by each door in its own way."""


class DomainError(Exception):
    code = "error"
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, *, fields: dict[str, list[str]] | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(self.message)


class NotFound(DomainError):
    code = "not_found"
    default_message = "Not found."


class ValidationFailed(DomainError):
    code = "validation_failed"
    default_message = "Some fields are not valid."


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_message = "The comment cannot move to that status."


class CommentsClosed(DomainError):
    code = "comments_closed"
    default_message = "Comments are closed for this article."
