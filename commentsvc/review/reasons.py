"""Held reasons as compact tags: a few words each, the whole sentence one hover away."""

from . import bp

_PROBLEMS = {"missing": "no form token", "forged": "bad form token", "expired": "form > 24 h old"}


def _words(reason: dict) -> str:
    matches = reason["details"].get("matches") or [{}]
    first = matches[0]
    what = f"IP {first.get('entry')}" if first.get("field") == "ip" else f"“{first.get('entry')}”"
    return what + (f" +{len(matches) - 1}" if len(matches) > 1 else "")


def _time_trap(reason: dict) -> str:
    details = reason["details"]
    if details.get("problem"):
        return _PROBLEMS.get(details["problem"], "bad form token")
    return f"posted in {details.get('seconds', 0):.1f} s"


def _checker(reason: dict) -> str:
    details = reason["details"]
    service = details.get("service", "checker")
    return f"{service}: spam" if details.get("answer") == "spam" else f"{service} failed"


_LABELS = {
    "moderation_mode": lambda r: (
        "moderation: all" if r["details"].get("mode") == "all" else "first comment"
    ),
    "links": lambda r: f"{r['details'].get('links', '?')} links",
    "moderation_words": lambda r: "moderation word " + _words(r),
    "disallowed_words": lambda r: "disallowed " + _words(r),
    "honeypot": lambda r: "honeypot filled",
    "time_trap": _time_trap,
    "repeat_offender": lambda r: f"{r['details'].get('count', '?')} earlier spam",
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
