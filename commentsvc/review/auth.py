"""Who is signed in to the review UI, and what they may open.

Flask-Login over the Moderator rows. Every view of the blueprint is for signed-in
moderators unless marked `public`; views marked `admin_only` are for admins.
"""

from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for
from flask_babel import gettext
from flask_login import UserMixin, current_user

from ..extensions import db, login_manager
from ..i18n import N_
from ..models import Moderator, Role
from ..services import Actor, signins
from . import bp

login_manager.session_protection = "strong"
login_manager.login_view = "review.login"
login_manager.login_message = N_("Sign in to moderate comments.")
# Flask-Login flashes it translated, in the page's language.
login_manager.localize_callback = gettext


class SignedIn(UserMixin):
    """The session's view of a moderator; the row itself stays plain data."""

    def __init__(self, moderator: Moderator, session_token: str):
        self.moderator = moderator
        self.id = moderator.id
        self.session_token = session_token

    def get_id(self) -> str:
        # The cookie names the server-side session, not the moderator: ending the
        # session (signing out, a password change) makes every copy of the cookie void.
        return self.session_token

    @property
    def is_admin(self) -> bool:
        return self.moderator.role is Role.admin


@login_manager.user_loader
def load_user(user_id: str) -> SignedIn | None:
    """Load the moderator whose live session the cookie names; ended, expired or
    deactivated ones are signed out."""
    moderator = signins.moderator_for(db.session, user_id)
    return SignedIn(moderator, user_id) if moderator is not None else None


def public(view):
    """Mark a view as open to anyone (the sign-in and set-password pages)."""
    view.review_public = True
    return view


def admin_only(view):
    """Mark a view as for admins only; other moderators get 403."""
    view.review_admin_only = True
    return view


@bp.before_request
def _guard():
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, "review_public", False):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if getattr(view, "review_admin_only", False) and not current_user.is_admin:
        abort(403, gettext("This page is for admins."))
    return None


def me() -> Moderator:
    return current_user.moderator


def actor() -> Actor:
    return Actor(moderator_id=current_user.moderator.id)


def safe_back(target: str | None, default: str | None = None) -> str:
    """A place inside the review UI to return to; anything else becomes the queue."""
    if target:
        parts = urlsplit(target)
        path = parts.path
        if (
            not parts.scheme
            and not parts.netloc
            and path.startswith("/review/")
            and "\\" not in target
            and not path.startswith("//")
        ):
            return target
    return default or url_for("review.queue")
