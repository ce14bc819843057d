"""The readers' door: /embed.js, the server-rendered /embed/<article_id>, and /demo/."""

from flask import Blueprint

bp = Blueprint("widget", __name__)

from . import assets, demo, unsubscribe, views  # noqa: E402, F401  (routes register on import)
