"""Input fields every door reads with marshmallow, and the article id's rule."""

import re

from marshmallow import ValidationError, fields

from . import threads

ARTICLE_ID = re.compile(r"[A-Za-z0-9_.:/-]{1,200}")
ARTICLE_ID_RULE = "1 to 200 letters, digits or any of - _ . : /"


def valid_article_id(value: str) -> bool:
    # An id ending in /comments would read as the thread URL of another article.
    return bool(ARTICLE_ID.fullmatch(value)) and not value.endswith("/comments")


class Trimmed(fields.String):
    """A string with surrounding white space removed before it is checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class TrimmedEmail(fields.Email):
    # Stored lower-case so one person's comments are found together.
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class ArticleIdField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not valid_article_id(value):
            raise ValidationError(f"Not a valid article id ({ARTICLE_ID_RULE}).")
        return value


class WholeNumber(fields.Integer):
    """An integer that refuses 1.5 instead of reading it as 1 (forms still send "7")."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)


class Cursor(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return threads.decode_cursor(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError("Not a page this service gave out.") from exc
