"""Webhook endpoints for other services: register, list, change, remove (moderate keys)."""

from flask import current_app

from ..extensions import db
from ..models import Scope
from ..services import webhooks
from . import bp
from .auth import require_key
from .io import load_body
from .openapi import doc
from .schemas import WebhookCreatedOut, WebhookIn, WebhookOut, WebhooksOut, WebhookUpdateIn

WEBHOOK = "/webhooks/<id:webhook_id>"


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"])


@bp.post("/webhooks")
@doc(
    "Register a webhook endpoint",
    tag="webhooks",
    body=WebhookIn,
    responses={201: (WebhookCreatedOut, "Registered; `secret` is shown this once.")},
)
@require_key(Scope.moderate)
def create_webhook():
    data = load_body(WebhookIn())
    webhook, _secret = webhooks.create(
        db.session,
        data["url"],
        data["events"],
        moderation=data["moderation"],
        description=data["description"],
        allow_private=_allow_private(),
    )
    return WebhookCreatedOut().dump(webhook), 201  # the only answer that holds the secret


@bp.get("/webhooks")
@doc(
    "List webhook endpoints",
    tag="webhooks",
    responses={200: (WebhooksOut, "Every endpoint, oldest first (never the secrets).")},
)
@require_key(Scope.moderate)
def list_webhooks():
    return WebhooksOut().dump({"webhooks": webhooks.list_all(db.session)})


@bp.get(WEBHOOK)
@doc(
    "Read a webhook endpoint",
    tag="webhooks",
    responses={200: (WebhookOut, "The endpoint.")},
    errors=(404,),
)
@require_key(Scope.moderate)
def get_webhook(webhook_id: int):
    return WebhookOut().dump(webhooks.get(db.session, webhook_id))


@bp.patch(WEBHOOK)
@doc(
    "Change a webhook endpoint",
    tag="webhooks",
    body=WebhookUpdateIn,
    responses={200: (WebhookOut, "Changed; deliveries already queued keep their payload.")},
    errors=(404,),
)
@require_key(Scope.moderate)
def update_webhook(webhook_id: int):
    data = load_body(WebhookUpdateIn())
    webhook = webhooks.update(db.session, webhook_id, data, allow_private=_allow_private())
    return WebhookOut().dump(webhook)


@bp.delete(WEBHOOK)
@doc(
    "Remove a webhook endpoint and its queued deliveries",
    tag="webhooks",
    responses={204: (None, "Removed.")},
    errors=(404,),
)
@require_key(Scope.moderate)
def delete_webhook(webhook_id: int):
    webhooks.delete(db.session, webhook_id)
    return "", 204
