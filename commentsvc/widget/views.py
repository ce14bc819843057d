"""/embed/<article_id>: the thread and the form rendered on the server, working without JavaScript.

The form posts back here with a signed form token instead of a session cookie (the page
often lives in a third-party iframe); success answers with a redirect (post/redirect/get)
whose signed notice names the reader's comment, so the page can show it to them.
"""

from datetime import datetime

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.exceptions import UnprocessableEntity

from .. import avatars, cache, threads, web
from ..errors import (
    CommentsClosed,
    CrossSiteRefused,
    Duplicate,
    IdempotencyKeyInUse,
    NotFound,
    TooFast,
    Unavailable,
    ValidationFailed,
)
from ..extensions import db, limiter, read_connection
from ..fields import ARTICLE_ID_RULE, valid_article_id
from ..schemas import HELD_MESSAGE, CommentIn, PublicCommentOut, flatten
from ..services import idempotency, moderation, reading, submission
from ..status import Status
from ..tokens import TokenRefused
from ..web import client, refuse_cross_site, settings
from . import bp, present, tokens
from .assets import versioned_url

PUBLISHED_MESSAGE = _l("Thank you: your comment is published.")
STALE_FORM_MESSAGE = _l(
    "This form was too old or did not come from this page, so your comment was not saved. "
    "Your text is still below: press “Post Comment” again."
)
CLOSED_MESSAGE = _l("Comments are closed for this article.")
NO_ARTICLE_MESSAGE = _l("This article does not take comments.")
RATE_MESSAGE = _l("You are posting too quickly. Wait a minute, then press “Post Comment” again.")
CROSS_SITE_MESSAGE = _l(
    "This comment was sent by a page of another site, so it was not saved. "
    "To comment, use the form below."
)
FIELDS = ("body", "name", "email", "url")
PAGE_SIZE = 50
EMBED_ENDPOINTS = {"widget.thread", "widget.post"}
# What the page shows while the database is out of reach: no comments, an open form.
OFFLINE_THREAD = {"comments": [], "count": 0, "title": "", "next_cursor": None}
OFFLINE_THREAD["comments_open"] = True


@bp.app_template_filter("reltime")
def _reltime(iso: str) -> str:
    return present.relative_time(datetime.fromisoformat(iso))


@bp.app_template_filter("exacttime")
def _exacttime(iso: str) -> str:
    return present.exact_time(datetime.fromisoformat(iso))


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _check(article_id: str) -> None:
    """:raise UnprocessableEntity: the id could never name an article (nothing is created)."""
    if not valid_article_id(article_id):
        raise UnprocessableEntity(
            f"This is not a valid article id. Article ids are {ARTICLE_ID_RULE}."
        )


@bp.get("/embed/<article_id:article_id>")
def thread(article_id: str):
    """The thread and the form; `?notice=` (after posting) shows the reader their comment."""
    _check(article_id)
    own, message = _own_comment(article_id, request.args.get("notice"))
    return _render(article_id, own=own, message=message)


@bp.post("/embed/<article_id:article_id>")
@limiter.limit(_submit_limit, methods=["POST"])
def post(article_id: str):
    """Store a comment from the no-JS form and redirect back to the thread (303).

    Answers the page again, with the reader's text kept: 400 when the form token is
    missing, forged or expired; 422 for invalid fields; 403 when comments are closed;
    404 when the article is unknown and not created on first comment; 409 for a
    duplicate; 429 (with Retry-After) when posting again too soon. A page of another
    site posting here gets the page with a 403 message and none of its text.
    """
    _check(article_id)
    try:
        refuse_cross_site()
    except CrossSiteRefused:
        return _render(article_id, message=("error", CROSS_SITE_MESSAGE), status=403)
    form = request.form.to_dict()
    try:
        stamp = web.check_form_token(form.pop("token", None), article_id)
    except TokenRefused:
        return _render(article_id, values=form, message=("error", STALE_FORM_MESSAGE), status=400)
    config = settings()
    try:
        data = CommentIn(body_max_length=config.body_max_length, form=True).load(form)
        data.pop("form_token", None)
        comment_id = _store_once(article_id, data, stamp, config)
    except ValidationError as exc:
        return _render(article_id, values=form, errors=flatten(exc.messages), status=422)
    except ValidationFailed as exc:
        return _render(article_id, values=form, errors=exc.fields, status=422)
    except CommentsClosed:
        return _render(article_id, values=form, message=("error", CLOSED_MESSAGE), status=403)
    except NotFound:
        return _render(article_id, values=form, message=("error", NO_ARTICLE_MESSAGE), status=404)
    except IdempotencyKeyInUse as exc:
        return _render(article_id, values=form, message=("error", exc.message), status=409)
    except Unavailable as exc:
        # The thread cannot be read either: the form alone, with the reader's text.
        response = _render(
            article_id,
            values=form,
            message=("error", exc.message),
            status=exc.status,
            thread=OFFLINE_THREAD,
        )
        return web.retry_after(response, exc.retry_after)
    except (Duplicate, TooFast) as exc:
        response = _render(
            article_id, values=form, message=("error", exc.message), status=exc.status
        )
        return web.retry_after(response, exc.retry_after)
    notice = tokens.notice_token(article_id, comment_id)
    target = url_for(
        ".thread",
        article_id=article_id,
        notice=notice,
        **_kept_args(),
        _anchor=f"comment-{comment_id}",
    )
    return redirect(target, 303)


def _store_once(article_id: str, data: dict, stamp, config) -> int:
    """Store the comment; the same form sent again with the same text gets the first's id."""
    once, nonce = None, stamp.nonce
    if nonce:
        # The text is part of the key: a form sent again with other text (the browser's
        # back button) is another comment, not a retry.
        asked = idempotency.fingerprint("embed", article_id, data)
        once = idempotency.Once(f"embed:{nonce}:{asked[:32]}", asked, _form_answer)
    try:
        comment = submission.submit_comment(
            db.session, article_id, data, client(), config, once=once, stamp=stamp
        )
        return comment.id
    except idempotency.Replay as replay:
        return replay.body["id"]


def _form_answer(comment) -> tuple[dict, int]:
    return {"id": comment.id}, 303


@bp.errorhandler(429)
def _too_many(exc):
    if request.endpoint != "widget.post":
        return exc
    form = request.form.to_dict()
    form.pop("token", None)
    response = _render(
        request.view_args["article_id"], values=form, message=("error", RATE_MESSAGE), status=429
    )
    response.headers.update({k: v for k, v in exc.get_headers() if k.lower() == "retry-after"})
    return response


@bp.after_request
def _protect(response):
    """No inline script, no framing except by the site and the allowed origins."""
    if request.endpoint in EMBED_ENDPOINTS:
        response.headers["Content-Security-Policy"] = content_security_policy()
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Cache-Control"] = "no-store"  # the page carries a fresh form token
    return response


def content_security_policy() -> str:
    origins = current_app.config["ALLOWED_ORIGINS"]
    if "*" in origins:
        ancestors = "*"
    else:
        safe = [o for o in origins if o.startswith(("http://", "https://")) and _plain(o)]
        ancestors = " ".join(["'self'", *safe])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {ancestors}"
    )


def _plain(origin: str) -> bool:
    return not any(c in origin for c in " ;,'\"\r\n")


def _kept_args() -> dict:
    """The page's own options (title, page size), kept across the form's round trip."""
    return {k: request.args[k] for k in ("title", "limit") if request.args.get(k)}


def _limit() -> int:
    try:
        return min(max(int(request.args.get("limit", PAGE_SIZE)), 1), 200)
    except ValueError:
        return PAGE_SIZE


def _cursor():
    try:
        return threads.decode_cursor(request.args["cursor"]) if "cursor" in request.args else None
    except ValueError:
        return None


def _own_comment(article_id: str, notice: str | None):
    """The comment a notice names, shown to its author while it waits; and the message."""
    comment_id = tokens.read_notice(notice, article_id)
    if comment_id is None:
        return None, None
    try:
        comment = moderation.get_comment(db.session, comment_id)
    except NotFound:
        return None, None
    if comment.article.article_id != article_id or comment.erased_at is not None:
        return None, None
    if comment.status is Status.approved:
        return None, ("ok", PUBLISHED_MESSAGE)
    if comment.status in (Status.pending, Status.spam):
        # Spam is shown to its author exactly as a held comment, as the API answers it.
        return PublicCommentOut().dump(comment), ("ok", HELD_MESSAGE)
    return None, ("ok", HELD_MESSAGE)


def _render(
    article_id, *, values=None, errors=None, message=None, own=None, status=200, thread=None
):
    if thread is None:
        thread = _thread(article_id)
    comments = [*thread["comments"]]
    comments.reverse()  # the newest page, read oldest first (as WordPress shows it)
    if own is not None:
        own["pending"] = True
        _attach(comments, own)
    errors = dict(errors or {})
    general = [m for key, msgs in errors.items() if key not in FIELDS for m in msgs]
    reply_to = _find(
        comments, _int(request.args.get("replytocom") or (values or {}).get("parent_id"))
    )
    title = request.args.get("title", "")[:300] or thread["title"]
    html = render_template(
        "widget/page.html",
        article_id=article_id,
        title=title,
        heading=present.heading(thread["count"], title),
        comments=comments,
        next_cursor=thread["next_cursor"],
        newer=bool(request.args.get("cursor")),
        comments_open=thread["comments_open"],
        max_depth=int(current_app.config["THREAD_DEPTH"]),
        reply_to=reply_to,
        values=values or {},
        errors=errors,
        general_errors=general,
        message=message,
        token=web.form_token(article_id),
        kept=_kept_args(),
        identicon=avatars.identicon_svg,
        asset=versioned_url,
    )
    return current_app.response_class(html, status=status, mimetype="text/html")


def _thread(article_id: str) -> dict:
    config = settings()
    with read_connection(db.engine) as conn:
        return reading.thread_for(
            conn,
            cache.current(),
            article_id,
            reading.Page(order="newest", limit=_limit(), cursor=_cursor()),
            auto_create=config.articles_auto_create,
            close_after_days=config.close_after_days,
            thread_depth=config.thread_depth,
            secret=current_app.config["SECRET_KEY"],
        ).data()


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _find(nodes: list[dict], comment_id: int | None) -> dict | None:
    if comment_id is None:
        return None
    for node in nodes:
        if node["id"] == comment_id and not node["removed"]:
            return node
        found = _find(node["replies"], comment_id)
        if found:
            return found
    return None


def _attach(nodes: list[dict], own: dict) -> None:
    parent = _find(nodes, own["parent_id"])
    (parent["replies"] if parent else nodes).append(own)
