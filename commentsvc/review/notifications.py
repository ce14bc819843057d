"""Mail from the review UI's side: a moderator's choice, one-click decisions, the outbox."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext
from flask_babel import lazy_gettext as _l

from ..errors import LinkExpired, LinkInvalid, LinkUsed
from ..extensions import db
from ..models import HeldMail, OutboxState
from ..services import notifications, outbox
from . import bp
from .auth import admin_only, me, public
from .forms import LanguageForm, ProfileForm, load_form

HELD_MAIL_CHOICES = [
    (
        HeldMail.each,
        _l("Every held comment"),
        _l("A mail for each comment held for moderation."),
    ),
    (
        HeldMail.digest,
        _l("A daily digest"),
        _l("One mail a day listing the comments held since."),
    ),
    (HeldMail.none, _l("None"), _l("No mail; I read the queue.")),
]
STATE_LABELS = {
    "sent": _l("sent"),
    "pending": _l("waiting"),
    "failed": _l("failed"),
    "cancelled": _l("dropped"),
}


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    if request.method == "POST":
        data = load_form(ProfileForm())
        notifications.set_held_mail(db.session, me().id, data["held_mail"])
        flash({"text": gettext("Saved: your mail settings.")}, "success")
        return redirect(url_for("review.profile"))
    return render_template("review/profile.html", moderator=me(), choices=HELD_MAIL_CHOICES)


@bp.post("/profile/language")
def profile_language():
    data = load_form(LanguageForm())
    notifications.set_locale(db.session, me().id, data["locale"])
    with force_locale(data["locale"] or get_locale()):
        flash({"text": gettext("Saved: your language.")}, "success")
    return redirect(url_for("review.profile"))


@bp.route("/decide/<token>", methods=["GET", "POST"])
@public
def decide(token: str):
    """A mail's approve/spam/reject link: the page asks, one button press decides.

    Opening the page changes nothing (mail scanners fetch links); the link stops working
    once the comment is decided, and after MODERATION_LINK_DAYS.
    """
    secret = current_app.config["SECRET_KEY"]
    max_age = int(current_app.config["MODERATION_LINK_DAYS"]) * 86400
    try:
        if request.method == "POST":
            found = notifications.decide(db.session, secret, token, max_age)
        else:
            found = notifications.check_decision(db.session, secret, token, max_age)
    except (LinkExpired, LinkInvalid, LinkUsed) as exc:
        page = render_template("review/decide.html", problem=exc, token=token)
        return page, exc.status
    return render_template(
        "review/decide.html", found=found, done=request.method == "POST", token=token
    )


@bp.get("/outbox")
@admin_only
def outbox_page():
    return render_template(
        "review/outbox.html",
        summary=outbox.summary(db.session),
        failed=outbox.listing(db.session, state=OutboxState.failed),
        waiting=outbox.listing(db.session, state=OutboxState.pending, limit=20),
        labels=STATE_LABELS,
        retry_url=lambda m: url_for("review.outbox_retry", message_id=m.id),
    )


@bp.post("/outbox/<int(max=2147483647):message_id>/retry")
@admin_only
def outbox_retry(message_id: int):
    row = outbox.redeliver(db.session, message_id)
    flash({"text": gettext("Queued again: %(id)s.", id=row.delivery_id)}, "success")
    return redirect(url_for("review.outbox_page"))
