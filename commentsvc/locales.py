"""The languages commentsvc ships, and how a requested language tag maps to one of them.

Pure: no Flask. The selector (`i18n.py`) asks `match()` with what the request names.
"""

DEFAULT = "en"
# Code -> the language's own name, as a picker shows it.
LOCALES = {
    "en": "English",
    "ur": "اردو",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
}
# Written right to left: pages in these get dir="rtl".
RTL = frozenset({"ur", "ar", "fa", "he", "ps", "sd", "ug", "yi"})


def match(tag: str | None) -> str | None:
    """The shipped locale a language tag names ("ur-PK" -> "ur", "fr_CA" -> "fr"), or None."""
    if not tag or not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LOCALES else None


def direction(locale: str) -> str:
    """ "rtl" or "ltr"."""
    return "rtl" if match(locale) in RTL or locale in RTL else "ltr"
