"""Reading requests and building the small objects every API view needs."""

import re

from flask import g, request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest

from ..errors import ValidationFailed
from ..fields import ARTICLE_ID_RULE, valid_article_id
from ..services import Actor
from ..web import client, settings  # noqa: F401  (the API's views read them from here)
from .errors import ApiError

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Visible ASCII but the quote and the backslash, 1 to 255 of them; optionally in double
# quotes, as the IETF draft writes it (a structured-field string).
_KEY = r"[\x21\x23-\x5b\x5d-\x7e]{1,255}"
IDEMPOTENCY_KEY = re.compile(rf'"({_KEY})"|({_KEY})')
IDEMPOTENCY_KEY_PATTERN = rf'^(?:"{_KEY}"|{_KEY})$'  # the same, for JSON Schema
IDEMPOTENCY_KEY_RULE = (
    '1 to 255 visible ASCII characters other than " and \\, optionally in double quotes'
)


def load_body(schema, *, form_schema=None) -> dict:
    """Load the request body through `schema`; an HTML form through `form_schema`.

    The schemas may be shared between requests: nothing here changes them. Without
    `form_schema`, only JSON is taken.
    :raise ApiError: 415 for a content type other than JSON (or a form, when allowed),
        400 for JSON that does not parse or is not an object.
    :raise marshmallow.ValidationError: the fields are not valid (answered 422).
    """
    allow_form = form_schema is not None
    if request.mimetype == "application/json":
        try:
            data = request.get_json()
        except BadRequest as exc:
            raise ApiError(
                400, "malformed_json", gettext("The request body is not valid JSON.")
            ) from exc
        if not isinstance(data, dict):
            raise ApiError(
                400, "malformed_json", gettext("The request body must be a JSON object.")
            )
    elif allow_form and request.mimetype in FORM_TYPES:
        data = request.form.to_dict()
        schema = form_schema  # built with form=True: its numbers and checkboxes are strings
    else:
        message = (
            gettext("Send the body as application/json or an HTML form.")
            if allow_form
            else gettext("Send the body as application/json.")
        )
        raise ApiError(415, "unsupported_media_type", message)
    return schema.load(data)


def load_args(schema, lists: tuple[str, ...] = ()) -> dict:
    """Load the query string through `schema`; names in `lists` may repeat."""
    data = request.args.to_dict()
    data.update({name: request.args.getlist(name) for name in lists})
    return schema.load(data)


def idempotency_key() -> str | None:
    """The request's Idempotency-Key without its quotes, or None when it sends none.

    :raise ApiError: 400 when it is sent more than once or does not fit the rule.
    """
    values = request.headers.getlist("Idempotency-Key")
    if not values:
        return None
    match = IDEMPOTENCY_KEY.fullmatch(values[0]) if len(values) == 1 else None
    if match is None:
        raise ApiError(
            400,
            "invalid_idempotency_key",
            gettext(
                "Send one Idempotency-Key of %(rule)s (a UUID is a good choice).",
                rule=IDEMPOTENCY_KEY_RULE,
            ),
        )
    return match.group(1) or match.group(2)


def check_article_id(article_id: str) -> str:
    """:raise ValidationFailed: 422 when the id could never name an article."""
    if not valid_article_id(article_id):
        raise ValidationFailed(
            gettext("This is not a valid article id."),
            fields={"article_id": [gettext("Article ids are %(rule)s.", rule=ARTICLE_ID_RULE)]},
        )
    return article_id


def actor() -> Actor:
    return g.actor
