"""Settings → Discussion (admins only): WordPress's discussion settings, with a preview.

"Preview" runs the settings on the form over the last month's comments (the same dry
run as `flask --app commentsvc policy check`) before anything is saved.
"""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from .. import web
from ..extensions import db
from ..models import utcnow
from ..policy import dry_run
from ..schemas import DiscussionIn
from ..services import discussion, policy_check
from . import bp
from .auth import actor, admin_only

PREVIEW_DAYS = 30


def _page(values: dict, current: discussion.Current, status: int = 200, **extra):
    return render_template(
        "review/settings_discussion.html",
        values=values,
        current=current,
        errors=extra.pop("errors", {}),
        preview_days=PREVIEW_DAYS,
        outcomes=dry_run.OUTCOMES,
        statuses=dry_run.DECIDED,
        Outcome=dry_run.Outcome,
        Status=dry_run.Status,
        **extra,
    ), status


@bp.get("/settings/discussion")
@admin_only
def discussion_settings():
    current = discussion.current(db.session, web.settings())
    return _page(current.as_dict(), current)


@bp.post("/settings/discussion")
@admin_only
def save_discussion_settings():
    form = request.form.to_dict()
    form.pop("csrf_token", None)
    wanted = form.pop("do", "save")
    # An unticked checkbox sends nothing: on this page that means "off".
    form["checker_enabled"] = form.get("checker_enabled") == "on"
    try:
        changes = DiscussionIn(form=True).load(form)
    except ValidationError as exc:
        current = discussion.current(db.session, web.settings())
        return _page(form, current, 422, errors=exc.messages)
    if wanted == "preview":
        since = utcnow() - timedelta(days=PREVIEW_DAYS)
        report = policy_check.preview(db.session, web.settings(), changes, since)
        current = discussion.current(db.session, web.settings())
        return _page(form, current, report=report)
    discussion.save(db.session, changes, actor(), web.settings())
    flash({"text": gettext("Settings saved. They apply to the next comment.")}, "success")
    return redirect(url_for("review.discussion_settings"))
