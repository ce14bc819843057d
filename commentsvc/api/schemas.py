"""The API's request and response shapes; apispec reads them for /openapi.json."""

from marshmallow import RAISE, Schema, fields, validate

from .. import threads
from ..fields import ArticleIdField, Cursor, JsonBoolean, JsonInteger, Moment, Text, Trimmed, Url
from ..schemas import (  # noqa: F401  (the shared shapes are part of the API's contract)
    AuthorOut,
    CommentIn,
    DiscussionIn,
    DiscussionOut,
    PublicCommentOut,
    ReasonOut,
    SubmitOut,
    ThreadOut,
    _BodyRule,
)
from ..status import DECISIONS, Status

# ---- requests ---------------------------------------------------------------


class CommentEditIn(_BodyRule):
    reason = Trimmed(
        load_default=None, allow_none=True, multiline=True, validate=validate.Length(max=500)
    )


class ModerationIn(Schema):
    action = Text(
        required=True,
        validate=validate.OneOf(DECISIONS),
        metadata={
            "description": "`unspam` (not spam): back to the status the comment had before "
            "it was marked spam, else pending; the external checker is told."
        },
    )
    reason = Trimmed(
        load_default=None, allow_none=True, multiline=True, validate=validate.Length(max=500)
    )


class BulkModerationIn(ModerationIn):
    ids = fields.List(
        JsonInteger(validate=validate.Range(min=1, max=threads.MAX_ID)),
        required=True,
        validate=validate.Length(1, 500, error="Send between 1 and 500 ids."),
    )


class ArticleIn(Schema):
    """Only the fields sent are changed."""

    title = Trimmed(allow_none=True, validate=validate.Length(max=300))
    url = Url(
        # JSON Schema's name; apispec would say "url"
        metadata={"format": "uri", "pattern": Url.PATTERN},
        schemes={"http", "https"},
        allow_none=True,
        validate=validate.Length(max=2000),
        error_messages={"invalid": "Enter a web address starting with http:// or https://."},
    )
    comments_open = JsonBoolean()
    closes_at = Moment(
        allow_none=True,
        metadata={"description": "Comments close by themselves at this time (ISO 8601)."},
    )
    published_at = Moment(
        allow_none=True,
        metadata={
            "description": 'When the site published the article (ISO 8601): "close comments '
            'after N days" counts from it, else from the first comment.'
        },
    )


class _CacheBusting(Schema):
    """Query strings the widget's pages read: `_` busts a cache and is ignored; any other
    unknown parameter is refused (422), so a typo never passes as the default."""

    class Meta:
        unknown = RAISE

    cache_buster = Text(
        data_key="_", load_default=None, metadata={"description": "Ignored: a cache-buster."}
    )


class ThreadQuery(_CacheBusting):
    order = Text(load_default="oldest", validate=validate.OneOf(["oldest", "newest"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = Cursor(load_default=None)


class CountsQuery(_CacheBusting):
    article_id = fields.List(
        ArticleIdField(),
        required=True,
        validate=validate.Length(1, 100, error="Ask for between 1 and 100 article ids."),
    )


class ExportQuery(Schema):
    class Meta:
        unknown = RAISE

    article_id = fields.List(
        ArticleIdField(),
        load_default=None,
        metadata={"description": "Only these articles (repeat it); every article without it."},
    )


class QueueQuery(Schema):
    class Meta:
        unknown = RAISE  # a misspelt filter must not list everything

    status = fields.Enum(Status, load_default=None)
    article_id = ArticleIdField(load_default=None)
    q = Trimmed(load_default=None, validate=validate.Length(max=200))
    order = Text(load_default="newest", validate=validate.OneOf(["newest", "oldest"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = Cursor(load_default=None)


# ---- responses --------------------------------------------------------------


class CountsOut(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class ModerationCommentOut(Schema):
    """A comment as moderators see it: everything, including the author's email and IP."""

    id = fields.Integer()
    article_id = fields.String(attribute="article.article_id")
    parent_id = fields.Integer(allow_none=True)
    status = fields.Enum(Status)
    author = fields.Method(
        "_author", metadata={"type": "object", "description": "name, email and url"}
    )
    body = fields.String()
    html = fields.String()
    held_reasons = fields.List(
        fields.Nested(ReasonOut),
        metadata={"description": "Why the policy held it or filed it as spam."},
    )
    remote_addr = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    created_at = fields.DateTime(format="iso")
    updated_at = fields.DateTime(format="iso")
    erased_at = fields.DateTime(format="iso", allow_none=True)

    def _author(self, comment):
        return {
            "name": comment.author_name,
            "email": comment.author_email,
            "url": comment.author_url,
        }


class QueueOut(Schema):
    comments = fields.List(fields.Nested(ModerationCommentOut))
    next_cursor = fields.String(allow_none=True)


class BulkOut(Schema):
    changed = fields.Integer()
    comments = fields.List(fields.Nested(ModerationCommentOut))


class ActorOut(Schema):
    type = fields.String(
        metadata={
            "enum": ["moderator", "api_key", "policy", "import", "restored"],
            "description": "import: an import stored it; restored: from an imported trail, "
            "whose actor `name` tells as it came.",
        }
    )
    id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)


class EventOut(Schema):
    id = fields.Integer()
    comment_id = fields.Integer(
        allow_none=True, metadata={"description": "None for a change of the settings."}
    )
    action = fields.String()
    from_status = fields.Enum(Status, allow_none=True)
    to_status = fields.Enum(Status, allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)
    actor = fields.Method("_actor", metadata={"type": "object"})
    created_at = fields.DateTime(format="iso")

    def _actor(self, event):
        if event.moderator_id:
            return {"type": "moderator", "id": event.moderator_id, "name": event.moderator.email}
        if event.api_key_id:
            return {"type": "api_key", "id": event.api_key_id, "name": event.api_key.name}
        if event.actor_label == "import":
            return {"type": "import", "id": None, "name": None}
        if event.actor_label:
            return {"type": "restored", "id": None, "name": event.actor_label}
        return {"type": "policy", "id": None, "name": None}


class EventsOut(Schema):
    events = fields.List(fields.Nested(EventOut))


class ArticleOut(Schema):
    article_id = fields.String()
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    comments_open = fields.Boolean()
    closes_at = fields.DateTime(format="iso", allow_none=True)
    published_at = fields.DateTime(format="iso", allow_none=True)
    created_at = fields.DateTime(format="iso")


class ErrorBody(Schema):
    # `required`: every API error carries all four (`fields` may be empty).
    code = fields.String(required=True)
    message = fields.String(
        required=True,
        metadata={"description": "For people: in the Accept-Language where translated."},
    )
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Each refused field with what is wrong with it."},
    )
    # The X-Request-Id of the answer, so a client's report leads to the log line.
    request_id = fields.String(
        required=True,
        metadata={"description": "The answer's X-Request-Id: quote it in a report."},
    )


class ErrorOut(Schema):
    error = fields.Nested(ErrorBody, required=True)


# ---- privacy requests -------------------------------------------------------


class PrivacyExportOut(Schema):
    """Everything stored about one address (see README, "Privacy")."""

    format = fields.String(metadata={"description": "`commentsvc-privacy-export`"})
    version = fields.Integer()
    email = fields.String()
    exported_at = fields.String(metadata={"format": "date-time"})
    names = fields.List(fields.String())
    urls = fields.List(fields.String())
    ip_addresses = fields.List(fields.String())
    user_agents = fields.List(fields.String())
    comments = fields.List(
        fields.Dict(),
        metadata={
            "description": "Each comment with its article, author data, IP, User-Agent, "
            "text, status, held reasons and moderation events (oldest first)."
        },
    )
    subscriptions = fields.List(fields.Dict())
    unsubscribes = fields.List(fields.Dict())
    pending_mail = fields.List(fields.Dict())
    moderator_account = fields.Dict(allow_none=True)


class ErasureOut(Schema):
    count = fields.Integer(metadata={"description": "Comments anonymised or removed."})
    mode = fields.String()
    batch_id = fields.String(
        allow_none=True, metadata={"description": "The decision in the activity log."}
    )


# ---- webhooks ---------------------------------------------------------------

# http(s), a host, no user or password, an optional port; the rest as a URI has it.
WEBHOOK_URL_PATTERN = r"^https?://[^\s/?#@:\[\]]+(?::[0-9]{1,5})?(?:[/?#][^\s]*)?$"
WEBHOOK_EVENTS = ["comment.created", "comment.moderated", "comment.edited", "comment.erased"]


class WebhookIn(Schema):
    url = Trimmed(
        required=True,
        validate=validate.Length(max=2000),
        metadata={
            "format": "uri",
            "pattern": WEBHOOK_URL_PATTERN,
            "description": "Where deliveries are POSTed: http or https, a host, no "
            "credentials; an address inside the network is refused (422) unless "
            "COMMENTSVC_WEBHOOKS_ALLOW_PRIVATE is set.",
        },
    )
    events = fields.List(
        Text(validate=validate.OneOf(WEBHOOK_EVENTS)),
        required=True,
        validate=validate.Length(min=1, error="Choose at least one event."),
    )
    moderation = JsonBoolean(
        load_default=False,
        metadata={"description": "Include the author's email, IP and User-Agent."},
    )
    description = Trimmed(load_default=None, allow_none=True, validate=validate.Length(max=200))


class WebhookUpdateIn(Schema):
    """Only the fields sent are changed."""

    url = Trimmed(
        validate=validate.Length(max=2000),
        metadata={"format": "uri", "pattern": WEBHOOK_URL_PATTERN},
    )
    events = fields.List(
        Text(validate=validate.OneOf(WEBHOOK_EVENTS)),
        validate=validate.Length(min=1, error="Choose at least one event."),
    )
    moderation = JsonBoolean()
    description = Trimmed(allow_none=True, validate=validate.Length(max=200))


class WebhookOut(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String())
    moderation = fields.Boolean()
    description = fields.String(allow_none=True)
    created_at = fields.DateTime(format="iso")
    updated_at = fields.DateTime(format="iso")


class WebhookCreatedOut(WebhookOut):
    secret = fields.String(
        metadata={"description": "The signing secret (whsec_...): shown this once only."}
    )


class WebhooksOut(Schema):
    webhooks = fields.List(fields.Nested(WebhookOut))
