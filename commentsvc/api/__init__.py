"""The JSON API for other services and the widget: /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402, F401  (routes register on import)
    cors,
    moderation,
    public,
    settings,
    transfer,
    webhooks,
)

bp.after_request(cors.apply)
