"""Admins only: webhook endpoints (register, change, remove) and each one's delivery log."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from ..errors import DomainError
from ..extensions import db
from ..services import outbox, webhooks
from ..services.outbox import EVENTS
from . import bp
from .auth import admin_only
from .forms import WebhookForm, load_form

WEBHOOK = "/webhooks/<int(max=2147483647):webhook_id>"


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"])


def _list_page(status: int = 200, **extra):
    return render_template(
        "review/webhooks.html",
        hooks=webhooks.list_all(db.session),
        events=EVENTS,
        errors=extra.pop("errors", {}),
        form=extra.pop("form", {}),
        **extra,
    ), status


def _errors(exc) -> dict:
    return exc.messages if isinstance(exc, ValidationError) else exc.fields


@bp.get("/webhooks")
@admin_only
def webhook_list():
    return _list_page()


@bp.post("/webhooks")
@admin_only
def webhook_create():
    try:
        data = load_form(WebhookForm(), lists=("events",))
        hook, secret = webhooks.create(
            db.session,
            data["url"],
            data["events"],
            moderation=data["moderation"],
            description=data["description"],
            allow_private=_allow_private(),
        )
    except (ValidationError, DomainError) as exc:
        form = request.form.to_dict() | {"events": request.form.getlist("events")}
        return _list_page(422, errors=_errors(exc), form=form)
    return _list_page(201, created=hook, secret=secret)


def _detail_page(webhook_id: int, status: int = 200, errors=None):
    hook = webhooks.get(db.session, webhook_id)
    page = render_template(
        "review/webhook.html",
        hook=hook,
        events=EVENTS,
        errors=errors or {},
        deliveries=outbox.listing(db.session, webhook_id=hook.id),
        retry_url=lambda m: url_for(
            "review.webhook_redeliver", webhook_id=hook.id, message_id=m.id
        ),
    )
    return page, status


@bp.get(WEBHOOK)
@admin_only
def webhook_detail(webhook_id: int):
    return _detail_page(webhook_id)


@bp.post(WEBHOOK)
@admin_only
def webhook_update(webhook_id: int):
    try:
        data = load_form(WebhookForm(), lists=("events",))
        webhooks.update(db.session, webhook_id, data, allow_private=_allow_private())
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and not exc.fields:
            raise
        return _detail_page(webhook_id, 422, _errors(exc))
    flash(
        {"text": gettext("Saved. Deliveries already queued keep what they were made with.")},
        "success",
    )
    return redirect(url_for("review.webhook_detail", webhook_id=webhook_id))


@bp.post(f"{WEBHOOK}/delete")
@admin_only
def webhook_delete(webhook_id: int):
    webhooks.delete(db.session, webhook_id)
    flash({"text": gettext("The endpoint and its queued deliveries are removed.")}, "success")
    return redirect(url_for("review.webhook_list"))


@bp.post(f"{WEBHOOK}/deliveries/<int(max=2147483647):message_id>/redeliver")
@admin_only
def webhook_redeliver(webhook_id: int, message_id: int):
    row = outbox.redeliver(db.session, message_id, webhook_id=webhook_id)
    text = gettext("Delivery %(id)s is queued again, with the same id.", id=row.delivery_id)
    flash({"text": text}, "success")
    return redirect(url_for("review.webhook_detail", webhook_id=webhook_id))
