"""Admins answer a reader's privacy request from the author's history page.

"Download data" hands over the export as a JSON file; "Erase…" opens a page naming how
many comments would change and asking anonymise or remove; its form carries that count,
so a comment that arrived in between makes the page ask again instead of surprising.
"""

from datetime import UTC, datetime

import orjson
from flask import flash, redirect, render_template, url_for

from ..extensions import db
from ..i18n import plural
from ..schemas import PrivacyQuery
from ..services import privacy
from . import bp
from .auth import actor, admin_only
from .forms import ErasureForm, load_form, load_query


@bp.get("/privacy/export")
@admin_only
def privacy_export():
    email = load_query(PrivacyQuery())["email"]
    data = privacy.export_address(db.session, email)
    name = f"commentsvc-data-{datetime.now(UTC):%Y-%m-%d}.json"
    body = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    return body, {
        "Content-Type": "application/json",
        "Content-Disposition": f'attachment; filename="{name}"',
    }


def _confirm(email: str, status: int = 200, *, mode: str = "anonymise", changed: bool = False):
    page = render_template(
        "review/privacy_erase.html",
        email=email,
        count=privacy.count(db.session, email),
        mode=mode,
        changed=changed,
    )
    return page, status


@bp.get("/privacy/erase")
@admin_only
def privacy_erase_page():
    return _confirm(load_query(PrivacyQuery())["email"])


@bp.post("/privacy/erase")
@admin_only
def privacy_erase():
    data = load_form(ErasureForm())
    if privacy.count(db.session, data["email"]) != data["count"]:
        return _confirm(data["email"], 409, mode=data["mode"], changed=True)
    result = privacy.erase_address(db.session, data["email"], mode=data["mode"], actor=actor())
    flash({"text": _erased(result.count, result.mode)}, "success")
    return redirect(url_for("review.queue", status="all"))


def _erased(n: int, mode: str) -> str:
    if mode == "remove":
        return plural(
            "%(num)s comment removed; the address was cleared from subscriptions, waiting "
            "mail and the outbox. The activity log records the decision without the address.",
            "%(num)s comments removed; the address was cleared from subscriptions, waiting "
            "mail and the outbox. The activity log records the decision without the address.",
            n,
        )
    return plural(
        "%(num)s comment anonymised; the address was cleared from subscriptions, waiting "
        "mail and the outbox. The activity log records the decision without the address.",
        "%(num)s comments anonymised; the address was cleared from subscriptions, waiting "
        "mail and the outbox. The activity log records the decision without the address.",
        n,
    )
