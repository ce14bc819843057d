"""The moderators' review UI: /review/ (server-rendered, works without JavaScript)."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

# Routes and handlers register on import; auth also installs the user loader and the
# guard that every view passes (signed in, and an admin for admin pages).
from . import (  # noqa: E402, F401
    admin,
    auth,
    comments,
    errors,
    headers,
    notifications,
    pages,
    privacy,
    queue,
    reasons,
    settings,
    signin,
    webhooks,
)
