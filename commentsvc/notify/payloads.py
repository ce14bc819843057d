"""What a webhook delivery says, per event; /openapi.json documents these same schemas.

Every endpoint gets the comment as the service knows it, except the author's email,
IP address and User-Agent and the held reasons: those go to moderation endpoints only.
"""

from marshmallow import Schema, fields

from ..status import Status

MODERATION_ONLY = "Sent to moderation endpoints only."
# Dropped from the payload of an endpoint that is not a moderation endpoint.
PRIVATE_FIELDS = ("author.email", "ip", "user_agent", "held_reasons")
STATUSES = [s.value for s in Status]


class WebhookAuthor(Schema):
    name = fields.String()
    url = fields.String(allow_none=True)
    email = fields.String(metadata={"description": MODERATION_ONLY})


class WebhookComment(Schema):
    id = fields.Integer()
    article_id = fields.String()
    parent_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": STATUSES})
    staff = fields.Boolean(metadata={"description": "Written by one of the site's moderators."})
    author = fields.Nested(WebhookAuthor)
    body = fields.String(metadata={"description": "The text as submitted."})
    html = fields.String(metadata={"description": "The sanitised HTML the thread shows."})
    created_at = fields.String(metadata={"format": "date-time"})
    ip = fields.String(allow_none=True, metadata={"description": MODERATION_ONLY})
    user_agent = fields.String(allow_none=True, metadata={"description": MODERATION_ONLY})
    held_reasons = fields.List(fields.Raw(), metadata={"description": MODERATION_ONLY})


class ErasedComment(Schema):
    id = fields.Integer()
    article_id = fields.String()


class CommentCreated(Schema):
    comment = fields.Nested(WebhookComment, metadata={"description": "With its status."})


class CommentModerated(Schema):
    comment = fields.Nested(WebhookComment)
    from_ = fields.String(data_key="from", attribute="from", metadata={"enum": STATUSES})
    to = fields.String(metadata={"enum": STATUSES})
    action = fields.String(
        metadata={"enum": ["approve", "reject", "spam", "pend", "undo"]},
    )
    reason = fields.String(allow_none=True)


class CommentEdited(Schema):
    comment = fields.Nested(WebhookComment, metadata={"description": "With its new text."})


class CommentErased(Schema):
    comment = fields.Nested(ErasedComment)


EVENTS: dict[str, type[Schema]] = {
    "comment.created": CommentCreated,
    "comment.moderated": CommentModerated,
    "comment.edited": CommentEdited,
    "comment.erased": CommentErased,
}
DESCRIPTIONS = {
    "comment.created": "A comment was submitted (or a moderator replied); `status` says "
    "whether it was published or held.",
    "comment.moderated": "A comment moved from one status to another.",
    "comment.edited": "A moderator changed a comment's text.",
    "comment.erased": "A comment's text and author data were erased.",
}


def envelope_schema(event: str) -> type[Schema]:
    """The whole body of one event's delivery: type, timestamp and data."""
    return Schema.from_dict(
        {
            "type": fields.String(metadata={"enum": [event]}),
            "timestamp": fields.String(metadata={"format": "date-time"}),
            "data": fields.Nested(EVENTS[event]),
        },
        name=f"Webhook{''.join(p.title() for p in event.split('.'))}",
    )


def build(event: str, data: dict, *, moderation: bool, timestamp: str) -> dict:
    """The payload for one endpoint: private fields only for moderation endpoints."""
    schema = EVENTS[event]
    nested = "comment" in schema._declared_fields and event != "comment.erased"
    exclude = () if moderation or not nested else tuple(f"comment.{f}" for f in PRIVATE_FIELDS)
    return {"type": event, "timestamp": timestamp, "data": schema(exclude=exclude).dump(data)}
