"""What every door reads off a request the same way: the client, the settings, its origin,
the form token.

Below the doors (the API, the review UI and the widget import it; it imports none of them).
"""

from urllib.parse import urlsplit

from flask import current_app, g, request
from werkzeug.exceptions import NotFound, RequestURITooLarge
from werkzeug.routing import BaseConverter, PathConverter

from . import checker as checkers
from . import tokens
from .config import Settings
from .errors import CrossSiteRefused
from .extensions import db
from .services import Client, discussion
from .threads import MAX_ID


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


def allowed_origin(origin: str | None) -> bool:
    """True for an origin listed in COMMENTSVC_ALLOWED_ORIGINS (or when it lists "*")."""
    return origin_allowed(current_app.config["ALLOWED_ORIGINS"], origin)


def origin_allowed(origins: list[str], origin: str | None) -> bool:
    """True when `origins` (the configured list) lists `origin`, or lists "*"."""
    return bool(origin) and ("*" in origins or origin.rstrip("/") in origins)


def own_origin(origin: str) -> bool:
    """True when `origin` is this service's: the request's own address or PUBLIC_URL's."""
    own = {request.host_url.rstrip("/")}
    if current_app.config.get("PUBLIC_URL"):
        parts = urlsplit(current_app.config["PUBLIC_URL"])
        own.add(f"{parts.scheme}://{parts.netloc}")
    return origin.rstrip("/") in own


def refuse_cross_site() -> None:
    """Refuse a browser's request that a page of an untrusted origin made it send.

    Browsers name the page behind every POST in `Origin` (and in `Sec-Fetch-Site`,
    which no page can forge); a form or a no-cors `fetch` needs no CORS preflight, so
    this check is what stops another site storing comments through its visitors.
    Requests with neither header come from programs, not pages, and pass.
    :raise CrossSiteRefused: `Origin: null` (a sandboxed frame, a local file), an
        origin neither this service's nor allowed, or a cross-site request without one.
    """
    origin = request.headers.get("Origin")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if origin is None:
        if fetch_site in (None, "same-origin", "none"):
            return
        raise CrossSiteRefused(_refusal("another site"))
    if origin == "null":
        raise CrossSiteRefused(_refusal("a page without an origin (a sandboxed frame or a file)"))
    if fetch_site == "same-origin" or own_origin(origin) or allowed_origin(origin):
        return
    raise CrossSiteRefused(_refusal(origin))


def _refusal(source: str) -> str:
    return (
        f"This request came from {source}, which may not post comments here: only this "
        "service's pages and the sites in its allowed origins may. Nothing was saved."
    )


def form_token(article_id: str) -> str:
    """A new form token for this article: the time-trap's clock starts now."""
    return tokens.form_token(current_app.config["SECRET_KEY"], article_id)


def check_form_token(token: str | None, article_id: str) -> tokens.FormStamp:
    """:raise tokens.TokenRefused: missing, forged, for another article, or too old."""
    return tokens.check_form_token(current_app.config["SECRET_KEY"], token, article_id)


def read_form_token(token: str | None, article_id: str) -> tokens.FormStamp:
    """What a form token says; a bad one is a stamp with its problem, not an error."""
    return tokens.read_form_token(current_app.config["SECRET_KEY"], token, article_id)


def refuse_long_url() -> None:
    """Before-request hook: a URL past MAX_URL_LENGTH bytes answers 414 (JSON on the API).

    :raise RequestURITooLarge: the path and query, as sent, are longer than the limit.
    """
    target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    length = len(target) if target else len(request.path.encode()) + len(request.query_string)
    limit = int(current_app.config["MAX_URL_LENGTH"])
    if length > limit:
        raise RequestURITooLarge(f"The address is longer than the {limit} bytes accepted here.")


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


class ArticleIdConverter(PathConverter):
    """`<article_id:article_id>`: any path but one ending in "/comments", checked in the view.

    Ids that break the rule still reach the view, which refuses them with 422 and the rule;
    only "/comments" stays out, so `PUT /articles/x/comments` is no article's address and
    the thread's `Allow` header names only the methods the thread answers.
    """

    regex = r"[^/].*?(?<!/comments)"


class IdConverter(BaseConverter):
    """`<id:comment_id>`: a row id, 1 to 2**31 - 1 (the databases' INTEGER).

    Any run of digits reaches this converter, so an id out of range answers 404 like an
    unknown one; Werkzeug's bounded `int` would let the URL fall through to other rules
    and answer 405 with an `Allow` header for methods that then 404.
    """

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise NotFound(f"Ids run from 1 to {MAX_ID}.")
        return number
