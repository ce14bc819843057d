"""Input fields every door reads with marshmallow, and the article id's rule.

Every string a request carries (JSON bodies, forms, query strings) is loaded through
`Text` or a field built on it, so one place refuses what no field should hold: text
that is not valid Unicode (a lone surrogate from JSON's "\\ud800") and control
characters (NUL and the rest of C0 and C1; PostgreSQL cannot even store NUL).
"""

import functools
import re
import sys
import unicodedata
from datetime import UTC

from flask_babel import gettext
from marshmallow import ValidationError, fields
from marshmallow.validate import Length

from . import threads
from .config import word_list
from .policy.words import network

# Segments of letters, digits and - _ . : joined by single slashes. Browsers rewrite "."
# and ".." segments, empty ones and a trailing slash out of a URL, so an id holding one
# would name a thread no page can reach; one ending in "/comments" would read as the
# thread address of another article. The same rule, in ECMA-262 syntax, is the pattern
# /openapi.json gives (with ARTICLE_ID_MAX_LENGTH as maxLength).
ARTICLE_ID_PATTERN = (
    r"^(?!\.\.?(?:/|$))(?!.*/\.\.?(?:/|$))"
    r"[A-Za-z0-9_.:-]+(?:/[A-Za-z0-9_.:-]+)*(?<!/comments)$"
)
ARTICLE_ID_MAX_LENGTH = 200
ARTICLE_ID = re.compile(ARTICLE_ID_PATTERN)
ARTICLE_ID_RULE = (
    f"1 to {ARTICLE_ID_MAX_LENGTH} characters: segments of letters, digits and - _ . : "
    'joined by single slashes, no segment "." or "..", not ending in "/comments"'
)

LINE_BREAKS = "\n\r\u2028\u2029"
# Embedding, override and isolate controls: in a name or an address they can make
# "evil\u202egnp.exe" read as "evilexe.png" and reorder the text that follows.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that draw nothing, favoured for names that look blank.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")
# Spaces, zero-width and format characters, marks with nothing to sit on, unassigned.
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Cn", "Mn", "Me"})
# Every character `text_problem` may object to (C0 and C1 are exactly category Cc): text
# without any, which is nearly all of it, is passed by one scan in C.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def valid_article_id(value: str) -> bool:
    return len(value) <= ARTICLE_ID_MAX_LENGTH and ARTICLE_ID.fullmatch(value) is not None


def text_problem(value: str, *, multiline: bool = False, bidi: bool = True) -> str | None:
    """Say what makes `value` unfit for a text field, or None when it is fine.

    Tabs and line breaks are allowed only in multi-line text; bidi controls only
    where `bidi` is true (everywhere but names and addresses).
    """
    if _SUSPECT.search(value) is None:
        return None
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return gettext("This is not valid Unicode text (it holds a lone surrogate).")
        if char in "\t" + LINE_BREAKS:
            if not multiline:
                return gettext("Line breaks and tabs are not allowed here.")
        elif unicodedata.category(char) == "Cc":
            return gettext(
                "Control characters such as %(code)s are not allowed.", code=f"U+{code:04X}"
            )
        elif not bidi and char in BIDI_CONTROLS:
            return gettext(
                "Text-direction controls such as %(code)s are not allowed here.",
                code=f"U+{code:04X}",
            )
    return None


# The same rules as `text_problem`, as JSON Schema patterns (ECMA-262 and Python alike)
# for /openapi.json: C0 and C1 controls never; tabs and line breaks only in multi-line
# text, or around trimmed text; bidi controls only where allowed. Lone surrogates are
# not text at all (UTF-8 cannot carry them), and regex engines disagree on a class
# naming them, so the patterns leave them to the prose.
_NEVER = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BREAKS = r"\t\n\r\u2028\u2029"
_BIDI = r"\u202a-\u202e\u2066-\u2069"
# What str.strip() removes that is not refused anyway: tabs, line breaks and spaces.
_EDGE = _BREAKS + r" \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"


def text_pattern(*, multiline: bool, trim: bool, bidi: bool, visible: bool = False) -> str:
    """The pattern a `Text` field's values match, for the API's document.

    `visible` adds `Name`'s rule: some character that draws something (one of
    `visible_class`, which holds none of the refused ones).
    """
    inner = _NEVER + ("" if multiline else _BREAKS) + ("" if bidi else _BIDI)
    text = f"[^{inner}]*[{visible_class()}][^{inner}]*" if visible else f"[^{inner}]*"
    if trim and not multiline:
        return f"^[{_EDGE}]*{text}[{_EDGE}]*$"
    return f"^{text}$"


def _class_char(code: int) -> str:
    # \uXXXX reads the same in ECMA-262 and Python; beyond the BMP they share no escape,
    # so those characters stand as themselves (as ECMA-262 reads them with the u flag).
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)


@functools.cache
def visible_class() -> str:
    """The inside of a character class of what `visible` counts, from this Python's
    Unicode database (so the document and the server agree exactly)."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in INVISIBLE_CATEGORIES or char in BLANK_LOOKING:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        _class_char(a) if a == b else f"{_class_char(a)}-{_class_char(b)}" for a, b in ranges
    )


def visible(value: str) -> bool:
    """True when some character of `value` draws something."""
    return any(
        unicodedata.category(c) not in INVISIBLE_CATEGORIES and c not in BLANK_LOOKING
        for c in value
    )


def normalise_newlines(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


class Text(fields.String):
    """The base of every string input: valid Unicode, no control characters.

    `multiline` admits tabs and line breaks (CRLF and CR become LF); `trim` removes
    the white space around the text before it is checked further.
    """

    bidi = True

    def __init__(self, *args, multiline: bool = False, trim: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline
        self.trim = trim

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        # Controls are looked for before trimming, which would drop some (U+0085, U+001F)
        # unseen; line breaks after, since surrounding ones are trimmed away.
        problem = text_problem(value, multiline=True, bidi=self.bidi)
        if problem is None:
            if self.multiline:
                value = normalise_newlines(value)
            if self.trim:
                value = value.strip()
            problem = text_problem(value, multiline=self.multiline, bidi=self.bidi)
        if problem:
            raise ValidationError(problem)
        return value


class Trimmed(Text):
    """A string with surrounding white space removed before it is checked."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("trim", True)
        super().__init__(*args, **kwargs)


class Name(Trimmed):
    """A person's or a key's name: one line, something visible, no direction controls."""

    bidi = False

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if value and not visible(value):
            raise ValidationError(gettext("Enter a name with at least one visible character."))
        return value


class Email(Text, fields.Email):
    bidi = False


class TrimmedEmail(Email):
    # Stored lower-case so one person's comments are found together.
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("trim", True)
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


class Url(Text, fields.Url):
    bidi = False
    # What marshmallow's Url takes with http(s) only, as /openapi.json says it.
    PATTERN = r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}\.?(?::[0-9]{1,5})?(?:[/?#]\S*)?$"


class ArticleIdField(Text):
    def __init__(self, *args, **kwargs):
        metadata = {
            "pattern": ARTICLE_ID_PATTERN,
            "description": f"Article ids are {ARTICLE_ID_RULE}.",
        }
        kwargs["metadata"] = {**metadata, **kwargs.get("metadata", {})}
        kwargs.setdefault("validate", Length(1, ARTICLE_ID_MAX_LENGTH))
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not valid_article_id(value):
            raise ValidationError(
                gettext("Not a valid article id (%(rule)s).", rule=ARTICLE_ID_RULE)
            )
        return value


class WholeNumber(fields.Integer):
    """An integer that refuses 1.5 instead of reading it as 1 (forms still send "7")."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)


class JsonInteger(fields.Integer):
    """An integer as JSON writes it: 7 or 7.0 (the same number), never "7", 7.5 or true."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)


class JsonBoolean(fields.Boolean):
    """true or false, never 0, 1 or "yes"; forms' checkboxes are read by `FormInput`."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Moment(fields.AwareDateTime):
    """An ISO 8601 time (UTC when it names no offset) that UTC can hold: years 1 to 9999.

    The first and last representable days are refused whatever the offset, so a time
    never overflows when it is moved to UTC ("9999-12-31T23:59:59-05:00" would).
    """

    PATTERN = r"^(?!0000-|0001-01-01|9999-12-31)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("pattern", self.PATTERN)
        metadata["description"] = (
            metadata.get("description", "") + " From 0001-01-02 to 9999-12-30."
        ).strip()
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and re.match(self.PATTERN, value) is None:
            raise ValidationError("Enter a time from 0001-01-02 to 9999-12-30.")
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError as exc:
            raise ValidationError("Enter a time from 0001-01-02 to 9999-12-30.") from exc


FORM_TRUE = frozenset({"1", "on", "true", "yes"})
FORM_FALSE = frozenset({"", "0", "off", "false", "no"})


def from_form(field, value):
    """What an HTML form's string means for a JSON-typed field; anything unclear unchanged."""
    if not isinstance(value, str):
        return value
    if isinstance(field, JsonBoolean):
        word = value.strip().lower()
        return True if word in FORM_TRUE else False if word in FORM_FALSE else value
    if isinstance(field, JsonInteger) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return value


class Cursor(Text):
    """A page's place: opaque, only a `next_cursor` this service gave out is valid."""

    def __init__(self, *args, **kwargs):
        metadata = {
            "pattern": r"^[A-Za-z0-9_-]+$",
            "minLength": 1,
            "description": "The `next_cursor` of the page before, as given; any other "
            "value answers 422.",
        }
        kwargs["metadata"] = {**metadata, **kwargs.get("metadata", {})}
        super().__init__(*args, **kwargs)

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

    @staticmethod
    def json_schema() -> dict:
        """What /openapi.json says of it (all but the rule for things that look like IPs)."""
        line = text_pattern(multiline=False, trim=False, bidi=True)
        return {
            "type": ["string", "array", "null"],
            # Lines split where str.splitlines() splits; a tab or another control is refused.
            "pattern": r"^[^\x00-\x09\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]*$",
            "items": {"type": "string", "pattern": line, "maxLength": WORD_MAX_LENGTH},
            "maxItems": WORDS_MAX,
            "description": f"One entry a line, or a list; at most {WORDS_MAX} entries of "
            f"up to {WORD_MAX_LENGTH} characters each. Entries that look like IP "
            "addresses or ranges must be valid ones.",
        }

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("Send one entry a line, or a list of strings.")
        unfit = next((p for v in value if (p := text_problem(v))), None)
        if unfit:
            raise ValidationError(unfit)
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
