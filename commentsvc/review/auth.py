"""Who is signed in to the review UI: Flask-Login over the Moderator rows."""

from flask_login import UserMixin

from ..extensions import db, login_manager
from ..models import Moderator

login_manager.session_protection = "strong"
login_manager.login_view = "review.login"
login_manager.login_message = "Sign in to moderate comments."


class SignedIn(UserMixin):
    """The session's view of a moderator; the row itself stays plain data."""

    def __init__(self, moderator: Moderator):
        self.moderator = moderator
        self.id = moderator.id

    def get_id(self) -> str:
        # A password change gives a new id, so it signs out every other session.
        return f"{self.moderator.id}:{self.moderator.password_hash[-12:]}"


@login_manager.user_loader
def load_user(user_id: str) -> SignedIn | None:
    """Load the moderator a session names; deactivated ones are signed out."""
    moderator_id, _, fingerprint = user_id.partition(":")
    moderator = db.session.get(Moderator, int(moderator_id)) if moderator_id.isdigit() else None
    if moderator is None or not moderator.is_active:
        return None
    if moderator.password_hash[-12:] != fingerprint:
        return None
    return SignedIn(moderator)
