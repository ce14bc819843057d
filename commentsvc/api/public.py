"""Reader-facing endpoints: submit a comment, read a thread, count comments."""

import functools

import orjson
from flask import Response, current_app, request

from .. import avatars, cache, threads, web
from ..extensions import db, limiter, read_connection
from ..schemas import HELD_MESSAGE
from ..services import idempotency, reading, submission
from ..status import Status
from ..web import refuse_cross_site
from . import bp
from .auth import optional_key
from .io import (
    IDEMPOTENCY_KEY_PATTERN,
    IDEMPOTENCY_KEY_RULE,
    check_article_id,
    client,
    idempotency_key,
    load_args,
    load_body,
    settings,
)
from .openapi import doc
from .reads import FORM_TOKEN_HEADER, counts_answer, thread_answer
from .schemas import (
    CommentIn,
    CountsOut,
    CountsQuery,
    PublicCommentOut,
    SubmitOut,
    ThreadOut,
    ThreadQuery,
)

# Schemas keep no state between loads; building one per request costs more than the load.
_THREAD_QUERY = ThreadQuery()
_COUNTS_QUERY = CountsQuery()

IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        f"{IDEMPOTENCY_KEY_RULE}; send a new random one (a UUID) with each comment and the "
        "same one when retrying it. For 24 hours a repeated key answers the first answer "
        "(with `Idempotent-Replayed: true`) and stores nothing new; the same key with "
        "different content answers 422. Refused requests do not use the key up."
    ),
    "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
}


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


@bp.post("/articles/<article_id:article_id>/comments")
@doc(
    "Submit a comment",
    tag="public",
    body=CommentIn,
    responses={
        201: (PublicCommentOut, "Published at once (the policy approved it)."),
        202: (SubmitOut, "Held for moderation."),
    },
    errors=(401, 403, 404, 409, 429),
    parameters=[IDEMPOTENCY_KEY_PARAMETER],
)
@limiter.limit(_submit_limit, methods=["POST"])
def submit_comment(article_id: str):
    refuse_cross_site()
    check_article_id(article_id)
    key = idempotency_key()
    config = settings()
    data = load_body(
        _comment_in(config.body_max_length, form=False),
        form_schema=_comment_in(config.body_max_length, form=True),
    )
    trusted = optional_key()  # another service, with its key: no form, no time-trap
    token = data.pop("form_token", None)
    stamp = None if trusted else web.read_form_token(token, article_id)
    once = None
    if key is not None:
        once = idempotency.Once(key, idempotency.fingerprint("api", article_id, data), _answer)
    try:
        comment = submission.submit_comment(
            db.session, article_id, data, client(), config, once=once, stamp=stamp, trusted=trusted
        )
    except idempotency.Replay as replay:
        return _json(replay.body, replay.status, {"Idempotent-Replayed": "true"})
    return _json(*_answer(comment))


def _json(body: dict, status: int, headers=None) -> Response:
    # Keys sorted, as Flask writes them: a replayed answer is the first one, byte for byte,
    # whichever order the database kept them in.
    data = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return Response(data, status, headers, mimetype="application/json")


@functools.cache
def _comment_in(body_max_length: int, *, form: bool) -> CommentIn:
    # One per limit (a setting) and kind of body: see _THREAD_QUERY.
    return CommentIn(body_max_length=body_max_length, form=form)


def _answer(comment) -> tuple[dict, int]:
    """The answer to a stored comment: what SubmitOut (held) or PublicCommentOut (published)
    dumps, built as the public thread builds its comments (a test holds them equal)."""
    public = _public(comment)
    if comment.status is Status.approved:
        return public, 201
    # Spam is answered like any held comment: telling a spammer helps them adapt.
    return {
        "id": comment.id,
        "status": "pending",
        "message": str(HELD_MESSAGE),
        "comment": public,
    }, 202


def _public(comment) -> dict:
    secret = current_app.config["SECRET_KEY"]
    (public,) = threads.public_comments(
        [threads.ThreadNode(comment, removed=False)], lambda email: avatars.token(email, secret)
    )
    # Kept with an idempotency key as JSON, which has no datetimes.
    public["created_at"] = public["created_at"].isoformat()
    return public


@bp.get("/articles/<article_id:article_id>/comments")
@doc(
    "Read the approved thread of an article",
    tag="public",
    query=ThreadQuery,
    responses={200: (ThreadOut, "One page of top-level comments, replies nested.")},
    errors=(422,),
    headers={FORM_TOKEN_HEADER: "A new form token (also on 304): post it back as `form_token`."},
)
def get_thread(article_id: str):
    # Ordinary reads are answered before Flask, by reads.PublicReads; this view answers
    # the rest (HEAD, a key, unusual parameters) and is the reference the lane matches.
    check_article_id(article_id)
    args = load_args(_THREAD_QUERY)
    config = settings()
    with read_connection(db.engine) as conn:
        thread = reading.thread_for(
            conn,
            cache.current(),
            article_id,
            reading.Page(args["order"], args["limit"], args["cursor"]),
            auto_create=config.articles_auto_create,
            close_after_days=config.close_after_days,
            thread_depth=config.thread_depth,
            secret=current_app.config["SECRET_KEY"],
            matches=request.if_none_match.contains_weak,
        )
    status, body, headers = thread_answer(thread, request.accept_encodings["gzip"] > 0)
    # JSON even on a 304 (werkzeug drops its entity headers there): it is no page.
    response = Response(body, status, headers, mimetype="application/json")
    # Per-reader headers go here, on the 200 and the 304 alike: the body stays the same
    # bytes for every reader, so it can be cached.
    response.headers[FORM_TOKEN_HEADER] = web.form_token(article_id)
    return response


@bp.get("/counts")
@doc(
    "Count approved comments of several articles",
    tag="public",
    query=CountsQuery,
    responses={200: (CountsOut, "Approved comments per article id; 0 when unknown.")},
    errors=(422,),
)
def get_counts():
    args = load_args(_COUNTS_QUERY, lists=("article_id",))
    with read_connection(db.engine) as conn:
        counts = reading.counts_for(conn, args["article_id"])
    # The shape CountsOut documents, encoded directly.
    status, body, headers = counts_answer(counts, request.headers.get("If-None-Match"))
    return Response(body, status, headers, mimetype="application/json")
