"""What the review UI's query strings and forms may hold, loaded through marshmallow.

Forms are read with `load_form(schema)`, query strings with `load_query(schema)`; a
field that does not fit raises marshmallow's ValidationError, which the blueprint
answers with a page naming the field.
"""

from datetime import UTC, date, datetime, time, timedelta

from flask import request
from flask_babel import format_number, gettext
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate

from .. import threads
from ..fields import ARTICLE_ID, Cursor, Email, Name, Text, Trimmed, TrimmedEmail
from ..i18n import N_
from ..locales import LOCALES
from ..models import HeldMail, Role, Scope
from ..services.overview import EVENT_ACTIONS
from ..services.privacy import MODES as ERASE_MODES
from ..status import DECISIONS, Status

TABS = ("pending", "approved", "spam", "rejected", "all")
PAGE_SIZE = 50


def load_form(schema: Schema, lists: tuple[str, ...] = ()) -> dict:
    data = request.form.to_dict()
    data.update({name: request.form.getlist(name) for name in lists})
    data.pop("csrf_token", None)
    return schema.load(data)


def load_query(schema: Schema) -> dict:
    return schema.load(request.args.to_dict())


def day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, UTC) if day else None


def day_after(day: date | None) -> datetime | None:
    """The exclusive end of a range that includes the whole of `day`."""
    return day_start(day + timedelta(days=1)) if day else None


class Checkbox(fields.Boolean):
    """An HTML checkbox: present ("on", "1", "y") means true, absent means false."""


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _blank_is_absent(self, data, **kwargs):
        # Empty inputs mean "not given", so optional fields fall back to their default.
        return {k: v for k, v in data.items() if v not in ("", None)}


class LoginForm(_Form):
    email = Trimmed(required=True, error_messages={"required": N_("Enter your email address.")})
    password = Text(required=True, error_messages={"required": N_("Enter your password.")})
    remember = Checkbox(load_default=False)
    next = Text(load_default=None)


class QueueQuery(_Form):
    status = Text(load_default="pending", validate=validate.OneOf(TABS))
    article = Trimmed(load_default=None, validate=validate.Regexp(ARTICLE_ID))
    q = Trimmed(load_default=None, validate=validate.Length(max=200))
    email = Trimmed(load_default=None, validate=validate.Length(max=254))
    since = fields.Date(load_default=None)
    until = fields.Date(load_default=None)
    order = Text(load_default="newest", validate=validate.OneOf(["newest", "oldest"]))
    cursor = Cursor(load_default=None)

    @post_load
    def _service_arguments(self, data, **kwargs):
        """Keep what the form showed, and add the arguments the services take."""
        data["filters"] = {
            "article_id": data["article"],
            "q": data["q"],
            "email": data["email"],
            "since": day_start(data["since"]),
            "until": day_after(data["until"]),
        }
        return data


class ModerateForm(_Form):
    action = Text(required=True, validate=validate.OneOf(DECISIONS))
    reason = Trimmed(load_default=None, multiline=True, validate=validate.Length(max=500))
    back = Text(load_default=None)


class BulkForm(_Form):
    # None: the menu still shows its neutral "Bulk actions" choice.
    bulk_action = Text(load_default=None, validate=validate.OneOf(DECISIONS))
    scope = Text(load_default="selected", validate=validate.OneOf(["selected", "page"]))
    ids = fields.List(fields.Integer(validate=validate.Range(1, threads.MAX_ID)), load_default=[])
    page_ids = fields.List(
        fields.Integer(validate=validate.Range(1, threads.MAX_ID)), load_default=[]
    )
    confirm = Checkbox(load_default=False)
    back = Text(load_default=None)

    @post_load
    def _chosen(self, data, **kwargs):
        chosen = data["page_ids"] if data["scope"] == "page" else data["ids"]
        data["chosen"] = list(dict.fromkeys(chosen))[:500]
        return data


class UndoForm(_Form):
    batch_id = Text(required=True, validate=validate.Regexp(r"^[0-9a-f]{32}$"))
    back = Text(load_default=None)


class EditForm(_Form):
    body = Trimmed(
        required=True,
        multiline=True,
        validate=validate.Length(min=1, error=N_("The comment cannot be empty.")),
        error_messages={"required": N_("The comment cannot be empty.")},
    )
    reason = Trimmed(load_default=None, multiline=True, validate=validate.Length(max=500))


class ReplyForm(_Form):
    body = Trimmed(
        required=True,
        multiline=True,
        validate=validate.Length(min=1, error=N_("Write a reply first.")),
        error_messages={"required": N_("Write a reply first.")},
    )


def check_length(body: str, limit: int) -> None:
    if len(body) > limit:
        raise ValidationError(
            {
                "body": [
                    gettext(
                        "Keep it under %(limit)s characters (this has %(length)s).",
                        limit=format_number(limit),
                        length=format_number(len(body)),
                    )
                ]
            }
        )


class ArticleForm(_Form):
    article_id = Text(required=True, validate=validate.Regexp(ARTICLE_ID))
    comments_open = Text(required=True, validate=validate.OneOf(["open", "closed"]))
    closes_on = fields.Date(load_default=None)

    @post_load
    def _changes(self, data, **kwargs):
        data["changes"] = {
            "comments_open": data["comments_open"] == "open",
            "closes_at": day_start(data["closes_on"]),
        }
        return data


class ActivityQuery(_Form):
    moderator = fields.Integer(load_default=None, validate=validate.Range(1, threads.MAX_ID))
    action = Text(load_default=None, validate=validate.OneOf(EVENT_ACTIONS))
    since = fields.Date(load_default=None)
    until = fields.Date(load_default=None)
    cursor = Cursor(load_default=None)

    @post_load
    def _service_arguments(self, data, **kwargs):
        data["filters"] = {
            "moderator_id": data["moderator"],
            "action": data["action"],
            "since": day_start(data["since"]),
            "until": day_after(data["until"]),
            "cursor": data["cursor"],
        }
        return data


class InviteForm(_Form):
    email = Email(required=True, error_messages={"invalid": N_("Enter a valid email address.")})
    name = Name(load_default=None, validate=validate.Length(max=100))
    role = fields.Enum(Role, load_default=Role.moderator)


class ModeratorForm(_Form):
    role = fields.Enum(Role, load_default=None)
    active = Text(load_default=None, validate=validate.OneOf(["yes", "no"]))


class ApiKeyForm(_Form):
    name = Name(
        required=True,
        validate=validate.Length(1, 100),
        error_messages={"required": N_("Name the key after what uses it.")},
    )
    scope = fields.Enum(Scope, load_default=Scope.read)


class SetPasswordForm(_Form):
    password = Text(required=True, error_messages={"required": N_("Choose a password.")})
    confirm = Text(load_default="")

    @post_load
    def _same(self, data, **kwargs):
        if data["password"] != data["confirm"]:
            raise ValidationError({"confirm": [N_("The two passwords differ.")]})
        return data


class ProfileForm(_Form):
    held_mail = fields.Enum(HeldMail, required=True)


class LanguageForm(_Form):
    # Absent (the empty option): follow the browser's Accept-Language.
    locale = Text(load_default=None, validate=validate.OneOf(list(LOCALES)))


class WebhookForm(_Form):
    url = Trimmed(required=True, error_messages={"required": N_("Enter the endpoint's address.")})
    events = fields.List(Text(), load_default=[])
    moderation = Checkbox(load_default=False)
    description = Trimmed(load_default=None, validate=validate.Length(max=200))


class ErasureForm(_Form):
    email = TrimmedEmail(
        required=True, error_messages={"invalid": N_("Enter a valid email address.")}
    )
    mode = Text(
        required=True,
        validate=validate.OneOf(ERASE_MODES),
        error_messages={"required": N_("Choose anonymise or remove.")},
    )
    # How many comments the confirmation named.
    count = fields.Integer(required=True, validate=validate.Range(0, threads.MAX_ID))


STATUS_LABELS = {
    Status.pending: _l("Pending"),
    Status.approved: _l("Approved"),
    Status.spam: _l("Spam"),
    Status.rejected: _l("Rejected"),
}
