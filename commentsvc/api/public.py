"""Reader-facing endpoints: submit a comment, read a thread, count comments."""

import hashlib

from flask import current_app, make_response, request

from .. import cache, web
from ..extensions import db, limiter
from ..schemas import HELD_MESSAGE
from ..services import articles, reading, submission
from ..status import Status
from . import bp
from .auth import optional_key
from .io import check_article_id, client, load_args, load_body, settings
from .openapi import doc
from .schemas import (
    CommentIn,
    CountsOut,
    CountsQuery,
    PublicCommentOut,
    SubmitOut,
    ThreadOut,
    ThreadQuery,
)

# Part of every thread ETag: bump it when the thread's JSON shape changes, so
# clients holding an old representation do not get a 304 for it.
THREAD_FORMAT = 1
# The widget's form token comes with the thread, beside its (shared, cached) body.
FORM_TOKEN_HEADER = "Comment-Form-Token"  # noqa: S105 - a header name


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


@bp.post("/articles/<path:article_id>/comments")
@doc(
    "Submit a comment",
    tag="public",
    body=CommentIn,
    responses={
        201: (PublicCommentOut, "Published at once (the policy approved it)."),
        202: (SubmitOut, "Held for moderation."),
    },
    errors=(401, 403, 404, 409, 429),
)
@limiter.limit(_submit_limit, methods=["POST"])
def submit_comment(article_id: str):
    check_article_id(article_id)
    config = settings()
    data = load_body(CommentIn(body_max_length=config.body_max_length), allow_form=True)
    trusted = optional_key()  # another service, with its key: no form, no time-trap
    token = data.pop("form_token", None)
    stamp = None if trusted else web.read_form_token(token, article_id)
    comment = submission.submit_comment(
        db.session, article_id, data, client(), config, stamp=stamp, trusted=trusted
    )
    if comment.status is Status.approved:
        return PublicCommentOut().dump(comment), 201
    # Spam is answered like any held comment: telling a spammer helps them adapt.
    held = {"id": comment.id, "status": "pending", "message": HELD_MESSAGE, "comment": comment}
    return SubmitOut().dump(held), 202


@bp.get("/articles/<path:article_id>/comments")
@doc(
    "Read the approved thread of an article",
    tag="public",
    query=ThreadQuery,
    responses={200: (ThreadOut, "One page of top-level comments, replies nested.")},
    errors=(422,),
    headers={FORM_TOKEN_HEADER: "A new form token (also on 304): post it back as `form_token`."},
)
def get_thread(article_id: str):
    check_article_id(article_id)
    args = load_args(ThreadQuery())
    config = web.discussion_settings()
    state = reading.thread_state(db.session, article_id, close_after_days=config.close_after_days)
    etag = _thread_etag(article_id, state.key, request.args.get("cursor", ""), args)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        # The ETag names this exact body, so it is the shared cache's key as well.
        body = cache.get(f"thread:{etag}")
        if body is None:
            body = _thread_body(article_id, state.article, args, config)
            cache.put(f"thread:{etag}", body)
        response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.headers[FORM_TOKEN_HEADER] = web.form_token(article_id)
    return response


def _thread_body(article_id: str, article, args: dict, config) -> bytes:
    page = reading.thread_page(
        db.session, article, order=args["order"], limit=args["limit"], cursor=args["cursor"]
    )
    thread = {
        "article_id": article_id,
        "title": article.title if article else None,
        "comments_open": articles.takes_comments(
            article,
            auto_create=config.articles_auto_create,
            close_after_days=config.close_after_days,
        ),
        "count": page.count,
        "comments": page.nodes,
        "next_cursor": page.next_cursor,
    }
    return current_app.json.dumps(ThreadOut().dump(thread)).encode()


def _thread_etag(article_id: str, state: str, cursor: str, args: dict) -> str:
    key = f"{THREAD_FORMAT}|{article_id}|{state}|{args['order']}|{args['limit']}|{cursor}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@bp.get("/counts")
@doc(
    "Count approved comments of several articles",
    tag="public",
    query=CountsQuery,
    responses={200: (CountsOut, "Approved comments per article id; 0 when unknown.")},
    errors=(422,),
)
def get_counts():
    args = load_args(CountsQuery(), lists=("article_id",))
    return CountsOut().dump({"counts": reading.counts_for(db.session, args["article_id"])})
