"""The moderators' review UI: /review/ (server-rendered, works without JavaScript)."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from . import auth  # noqa: E402, F401  (registers the user loader)
