"""Input fields every door reads with marshmallow, and the article id's rule."""

import re

from marshmallow import ValidationError, fields

from . import threads
from .config import word_list
from .policy.words import network

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


# "10.0.0.0/33" or "1.2.3.4.5" was meant as an address and would never match as a word.
_LOOKS_LIKE_IP = re.compile(r"[0-9a-fA-F:.]*\d[0-9a-fA-F:.]*(?:/\d+)?")
WORD_MAX_LENGTH = 200
WORDS_MAX = 2000


class WordList(fields.Field):
    """A word list: one entry a line (a string, as a textarea sends it) or a list of strings."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("Send one entry a line, or a list of strings.")
        entries = word_list(value)
        problems = [
            f"“{e[:40]}…” is longer than {WORD_MAX_LENGTH} characters."
            for e in entries
            if len(e) > WORD_MAX_LENGTH
        ]
        problems += [
            f"“{e}” is not a valid IP address or range."
            for e in entries
            if _LOOKS_LIKE_IP.fullmatch(e)
            and ("." in e or ":" in e)
            and network(e) is None
            and not _plain_number(e)
        ]
        if len(entries) > WORDS_MAX:
            problems.append(f"Keep the list under {WORDS_MAX} entries.")
        if problems:
            raise ValidationError(problems[:5])
        return list(entries)

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value or [])


def _plain_number(entry: str) -> bool:
    # "3.5" or "1.000" are numbers someone may well want to catch, not addresses.
    return entry.count(".") == 1 and ":" not in entry and "/" not in entry
