"""Held reasons as compact tags: a few words each, the whole sentence one hover away."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from . import bp

_PROBLEMS = {
    "missing": _l("no form token"),
    "forged": _l("bad form token"),
    "expired": _l("form > 24 h old"),
}


def _words(reason: dict) -> str:
    matches = reason["details"].get("matches") or [{}]
    first = matches[0]
    entry = first.get("entry")
    what = gettext("IP %(address)s", address=entry) if first.get("field") == "ip" else f"“{entry}”"
    return what + (f" +{len(matches) - 1}" if len(matches) > 1 else "")


def _time_trap(reason: dict) -> str:
    details = reason["details"]
    if details.get("problem"):
        return str(_PROBLEMS.get(details["problem"], _PROBLEMS["forged"]))
    return gettext("posted in %(seconds)s s", seconds=f"{details.get('seconds', 0):.1f}")


def _checker(reason: dict) -> str:
    details = reason["details"]
    service = details.get("service", "checker")
    if details.get("answer") == "spam":
        return gettext("%(service)s: spam", service=service)
    return gettext("%(service)s failed", service=service)


_LABELS = {
    "moderation_mode": lambda r: (
        gettext("moderation: all")
        if r["details"].get("mode") == "all"
        else gettext("first comment")
    ),
    "links": lambda r: gettext("%(num)s links", num=r["details"].get("links", "?")),
    "moderation_words": lambda r: gettext("moderation word %(words)s", words=_words(r)),
    "disallowed_words": lambda r: gettext("disallowed %(words)s", words=_words(r)),
    "honeypot": lambda r: gettext("honeypot filled"),
    "time_trap": _time_trap,
    "repeat_offender": lambda r: gettext(
        "%(num)s earlier spam", num=r["details"].get("count", "?")
    ),
    "checker": _checker,
}


@bp.app_template_filter("reason_tag")
def reason_tag(reason) -> str:
    """A few words for one reason: "moderation: all", "3 links", "honeypot filled"."""
    if not isinstance(reason, dict):
        return str(reason)[:40]
    label = _LABELS.get(reason.get("rule"))
    try:
        return label(reason) if label else reason.get("message", "")[:40]
    except (KeyError, TypeError, ValueError):
        return reason.get("rule") or "reason"


@bp.app_template_filter("reason_outcome")
def reason_outcome(reason) -> str:
    """hold or spam, for the tag's colour."""
    details = reason.get("details") if isinstance(reason, dict) else None
    return (details or {}).get("outcome", "hold")


_STATUS_WORDS = {
    "pending": _l("pending"),
    "approved": _l("approved"),
    "spam": _l("spam"),
    "rejected": _l("rejected"),
}


@bp.app_template_global("status_word")
def status_word(value: str) -> str:
    """A status in the page's language, lower case as the badges show it."""
    return str(_STATUS_WORDS.get(value, value))
