"""Request and response shapes more than one door uses: a reader's comment in and out.

The JSON API and the widget's no-JS form load the same `CommentIn` and dump the same
`PublicCommentOut`, so the two doors cannot drift; door-specific shapes stay in each door.
"""

from flask import current_app
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_dump,
    pre_load,
    validate,
    validates,
)

from . import avatars, threads
from .config import MODERATION_MODES
from .fields import (
    JsonBoolean,
    JsonInteger,
    Name,
    Text,
    Trimmed,
    TrimmedEmail,
    Url,
    WordList,
    from_form,
)
from .i18n import N_
from .services.privacy import MODES as ERASE_MODES

HELD_MESSAGE = _l("Your comment is awaiting moderation.")


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {"ids.0": [...]}, each in the request's language."""
    if isinstance(messages, list):
        # Messages marked N_() are msgids: each is answered in the request's language.
        return {prefix or "_body": [gettext(str(m)) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        flat.update(flatten(value, name))
    return flat


# ---- requests ---------------------------------------------------------------


class FormInput(Schema):
    """A request shape both JSON and HTML forms send: JSON is typed, a form sends strings.

    Built with `form=True` (or given it by the door that read a form), its numbers and
    checkboxes are read from their strings first; JSON's must already have their type.
    """

    def __init__(self, *args, form: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.form = form

    @pre_load
    def _form_strings(self, data, **kwargs):
        if not self.form or not isinstance(data, dict):
            return data
        return {
            key: from_form(self.fields[key], value) if key in self.fields else value
            for key, value in data.items()
        }


class _BodyRule(FormInput):
    """The body's length limit is configurable, so each schema is built with it."""

    body = Trimmed(required=True, multiline=True)

    def __init__(self, *args, body_max_length: int = 10_000, **kwargs):
        super().__init__(*args, **kwargs)
        self.body_max_length = body_max_length

    @validates("body")
    def _body_length(self, value: str, data_key: str) -> None:
        if not value:
            raise ValidationError(gettext("Write a comment before posting."))
        if len(value) > self.body_max_length:
            raise ValidationError(
                gettext(
                    "Keep the comment under %(max)s characters (this one has %(length)s).",
                    max=format_decimal(self.body_max_length),
                    length=format_decimal(len(value)),
                )
            )


class CommentIn(_BodyRule):
    name = Name(
        required=True,
        validate=validate.Length(1, 100, error=N_("Enter a name of 1 to 100 characters.")),
    )
    email = TrimmedEmail(
        required=True,
        validate=validate.Length(max=254),
        error_messages={"invalid": N_("Enter a valid email address.")},
    )
    url = Url(
        # JSON Schema's name; apispec would say "url"
        metadata={"format": "uri", "pattern": Url.PATTERN},
        schemes={"http", "https"},
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=200),
        error_messages={"invalid": N_("Enter a web address starting with http:// or https://.")},
    )
    parent_id = JsonInteger(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1, max=threads.MAX_ID),
        metadata={
            "description": "The comment this replies to: a published comment of the same "
            "article (any other id answers 422)."
        },
    )
    notify_replies = JsonBoolean(
        load_default=False,
        metadata={"description": "Mail the author when someone replies to this comment."},
    )
    form_token = Text(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The `Comment-Form-Token` header of the thread the form was shown "
            "with: when the form was shown. Without it (and without an API key) the comment "
            "is held."
        },
    )
    honeypot = Text(
        data_key="subject",
        allow_none=True,
        load_default="",
        metadata={
            "description": "Leave empty. The widget's forms hide this field from people; "
            "a comment that fills it is filed as spam."
        },
    )

    @pre_load
    def _blank_is_absent(self, data, **kwargs):
        # HTML forms send empty optional fields; they mean "not given".
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if not (k in ("url", "parent_id") and v == "")}
            url = data.get("url")
            if isinstance(url, str) and url.strip() and "://" not in url:
                data["url"] = "https://" + url.strip()
        return data


class DiscussionIn(FormInput):
    """Settings → Discussion: only the fields sent change; null returns one to its default."""

    moderation = Text(
        allow_none=True,
        validate=validate.OneOf(MODERATION_MODES, error="Choose all, first or none."),
        metadata={
            "description": "all: hold every comment; first: until the email has one "
            "approved; none: publish unless a rule holds it."
        },
    )
    max_links = JsonInteger(
        allow_none=True,
        validate=validate.Range(0, 1000, error="Enter a number from 0 to 1000."),
        metadata={"description": "More links than this holds a comment."},
    )
    moderation_words = WordList(
        allow_none=True,
        metadata={"description": "Held when one matches (words, phrases, IPs or CIDR ranges)."},
    )
    disallowed_words = WordList(
        allow_none=True, metadata={"description": "Filed as spam when one matches."}
    )
    close_after_days = JsonInteger(
        allow_none=True,
        validate=validate.Range(0, 36500, error="Enter a number of days from 0 (never) up."),
        metadata={"description": "Close comments this many days after publication; 0: never."},
    )
    checker_enabled = JsonBoolean(
        allow_none=True, metadata={"description": "Ask the external checker (Akismet)."}
    )


# ---- responses --------------------------------------------------------------


class ReasonOut(Schema):
    """Why one rule held a comment or filed it as spam."""

    rule = fields.String(
        metadata={
            "description": "moderation_mode, links, moderation_words, "
            "disallowed_words, honeypot, time_trap, repeat_offender, checker"
        }
    )
    message = fields.String(metadata={"description": "The reason in plain words."})
    details = fields.Dict(
        metadata={"description": "What the rule found; `outcome` is hold or spam."}
    )


class DiscussionOut(Schema):
    moderation = fields.String()
    max_links = fields.Integer()
    moderation_words = fields.List(fields.String())
    disallowed_words = fields.List(fields.String())
    close_after_days = fields.Integer()
    checker_enabled = fields.Boolean()
    checker_configured = fields.Boolean(
        metadata={"description": "Whether COMMENTSVC_AKISMET_URL and _KEY are set."}
    )
    saved = fields.List(
        fields.String(),
        metadata={"description": "Settings an admin saved; the others follow COMMENTSVC_*."},
    )


class AuthorOut(Schema):
    name = fields.String()
    url = fields.String(allow_none=True)
    avatar = fields.String(
        metadata={"description": "Identicon token: a keyed hash of the email, never the email."}
    )


class PublicCommentOut(Schema):
    """A comment as readers see it: never the email, the IP or the raw text."""

    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    author = fields.Nested(AuthorOut, allow_none=True)
    html = fields.String(allow_none=True)
    created_at = fields.DateTime(format="iso", allow_none=True)
    staff = fields.Boolean(metadata={"description": "Written by one of the site's moderators."})
    removed = fields.Boolean()
    replies = fields.List(fields.Nested(lambda: PublicCommentOut()))

    @pre_dump
    def _from_node(self, node, **kwargs):
        if not isinstance(node, threads.ThreadNode):
            node = threads.ThreadNode(node, removed=False)
        c = node.comment
        shown = not node.removed
        return {
            "id": c.id,
            "parent_id": c.parent_id,
            "author": _author(c) if shown else None,
            "html": c.html if shown else None,
            "created_at": c.created_at if shown else None,
            "staff": bool(c.is_staff) and shown,
            "removed": node.removed,
            "replies": node.replies,
        }


def _author(comment) -> dict:
    secret = current_app.config["SECRET_KEY"]
    return {
        "name": comment.author_name,
        "url": comment.author_url,
        "avatar": avatars.token(comment.author_email, secret),
    }


class ThreadOut(Schema):
    article_id = fields.String()
    title = fields.String(allow_none=True)
    comments_open = fields.Boolean()
    count = fields.Integer(metadata={"description": "Approved comments in the whole thread."})
    comments = fields.List(fields.Nested(PublicCommentOut))
    next_cursor = fields.String(allow_none=True)


class SubmitOut(Schema):
    id = fields.Integer()
    status = fields.String()
    message = fields.String()
    comment = fields.Nested(PublicCommentOut)


# ---- privacy requests: the API, the review UI and the CLI read the same shapes ----------


def _address(**kwargs) -> TrimmedEmail:
    """The address a privacy request is about (stored lower-case, so matched in any case)."""
    return TrimmedEmail(
        required=True,
        validate=validate.Length(max=254),
        error_messages={
            "invalid": "Enter a valid email address.",
            "required": "Name the email address.",
        },
        **kwargs,
    )


class PrivacyQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    email = _address(metadata={"description": "Matched in any case."})


class ErasureIn(Schema):
    email = _address()
    mode = Text(
        required=True,
        validate=validate.OneOf(ERASE_MODES, error="Choose anonymise or remove."),
        metadata={
            "description": "`anonymise`: the name becomes “Anonymous”; email, website, IP and "
            "User-Agent are cleared; the text stays. `remove`: the comments are erased "
            "(a placeholder stays where they have replies)."
        },
    )
