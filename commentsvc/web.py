"""What every door reads off a request the same way: the client, the settings, the form token.

Below the doors (the API, the review UI and the widget import it; it imports none of them).
"""

from flask import current_app, g, request

from . import checker as checkers
from . import tokens
from .config import Settings
from .extensions import db
from .services import Client, discussion


def settings() -> Settings:
    """The settings the domain code takes, read from the app's configuration."""
    return Settings.from_config(current_app.config)


def discussion_settings() -> Settings:
    """The settings with what admins saved on Settings → Discussion laid over them."""
    return discussion.effective(db.session, settings())


def checker() -> checkers.Checker | None:
    """The external spam checker, when the settings switch it on."""
    return checkers.for_settings(discussion_settings())


def client() -> Client:
    """Where this request came from, as moderators will see it."""
    return Client(remote_addr=request.remote_addr, user_agent=request.user_agent.string)


def form_token(article_id: str) -> str:
    """A new form token for this article: the time-trap's clock starts now."""
    return tokens.form_token(current_app.config["SECRET_KEY"], article_id)


def check_form_token(token: str | None, article_id: str) -> tokens.FormStamp:
    """:raise tokens.TokenRefused: missing, forged, for another article, or too old."""
    return tokens.check_form_token(current_app.config["SECRET_KEY"], token, article_id)


def read_form_token(token: str | None, article_id: str) -> tokens.FormStamp:
    """What a form token says; a bad one is a stamp with its problem, not an error."""
    return tokens.read_form_token(current_app.config["SECRET_KEY"], token, article_id)


def retry_after(response, seconds: int | None):
    """Answer with this Retry-After, and keep it past the rate limiter's own header."""
    if seconds:
        response.headers["Retry-After"] = str(seconds)
        g.commentsvc_retry_after = str(seconds)
    return response


def keep_retry_after(response):
    """After-request hook, run after Flask-Limiter's: it would raise Retry-After to the end
    of its own window, but a refusal that knows when to retry (a flood) says so itself."""
    seconds = g.pop("commentsvc_retry_after", None)
    if seconds is not None:
        response.headers["Retry-After"] = seconds
    return response
