"""Endpoints for other services: the queue, decisions, edits, erasure, articles."""

from .. import web
from ..extensions import db
from ..models import Scope
from ..services import articles, moderation
from . import bp
from .auth import require_key
from .io import actor, check_article_id, load_args, load_body, settings
from .openapi import doc
from .schemas import (
    ArticleIn,
    ArticleOut,
    BulkModerationIn,
    BulkOut,
    CommentEditIn,
    EventsOut,
    ModerationCommentOut,
    ModerationIn,
    QueueOut,
    QueueQuery,
)

COMMENT = "/comments/<id:comment_id>"


@bp.get("/comments")
@doc(
    "List comments for moderation",
    tag="moderation",
    query=QueueQuery,
    responses={200: (QueueOut, "Newest first, with email, IP and held reasons.")},
    errors=(422,),
)
@require_key(Scope.read)
def list_comments():
    args = load_args(QueueQuery())
    comments, next_cursor = moderation.list_comments(db.session, **args)
    return QueueOut().dump({"comments": comments, "next_cursor": next_cursor})


@bp.get(COMMENT)
@doc(
    "Read one comment in full",
    tag="moderation",
    responses={200: (ModerationCommentOut, "The comment.")},
    errors=(404,),
)
@require_key(Scope.read)
def get_comment(comment_id: int):
    return ModerationCommentOut().dump(moderation.get_comment(db.session, comment_id))


@bp.patch(COMMENT)
@doc(
    "Edit a comment's text",
    tag="moderation",
    body=CommentEditIn,
    responses={200: (ModerationCommentOut, "The comment, re-sanitised.")},
    errors=(404,),
)
@require_key(Scope.moderate)
def edit_comment(comment_id: int):
    data = load_body(CommentEditIn(body_max_length=settings().body_max_length))
    comment = moderation.edit_comment(
        db.session, comment_id, data["body"], actor(), data.get("reason")
    )
    return ModerationCommentOut().dump(comment)


@bp.delete(COMMENT)
@doc(
    "Erase a comment and the text of its history",
    tag="moderation",
    responses={204: (None, "Erased (also when it already was).")},
    errors=(404,),
)
@require_key(Scope.moderate)
def erase_comment(comment_id: int):
    moderation.erase_comment(db.session, comment_id, actor())
    return "", 204


@bp.get(f"{COMMENT}/events")
@doc(
    "Read a comment's moderation history",
    tag="moderation",
    responses={200: (EventsOut, "Oldest first.")},
    errors=(404,),
)
@require_key(Scope.read)
def comment_events(comment_id: int):
    return EventsOut().dump({"events": moderation.events_for(db.session, comment_id)})


@bp.post(f"{COMMENT}/moderation")
@doc(
    "Approve, reject, mark as spam, not spam, or send back to pending",
    tag="moderation",
    body=ModerationIn,
    responses={200: (ModerationCommentOut, "The comment with its new status.")},
    errors=(404, 409),
)
@require_key(Scope.moderate)
def moderate_comment(comment_id: int):
    data = load_body(ModerationIn())
    (comment,) = moderation.moderate(
        db.session,
        [comment_id],
        data["action"],
        actor(),
        data.get("reason"),
        report=web.checker() is not None,
    )
    return ModerationCommentOut().dump(comment)


@bp.post("/moderation/bulk")
@doc(
    "Moderate up to 500 comments at once, all or nothing",
    tag="moderation",
    body=BulkModerationIn,
    responses={200: (BulkOut, "Every comment moved.")},
    errors=(404, 409),
)
@require_key(Scope.moderate)
def moderate_bulk():
    data = load_body(BulkModerationIn())
    comments = moderation.moderate(
        db.session,
        data["ids"],
        data["action"],
        actor(),
        data.get("reason"),
        report=web.checker() is not None,
    )
    return BulkOut().dump({"changed": len(comments), "comments": comments})


@bp.put("/articles/<article_id:article_id>")
@doc(
    "Create or update an article (title, URL, open for comments)",
    tag="moderation",
    body=ArticleIn,
    responses={
        200: (ArticleOut, "Updated."),
        201: (ArticleOut, "Created."),
    },
)
@require_key(Scope.moderate)
def put_article(article_id: str):
    check_article_id(article_id)
    data = load_body(ArticleIn())
    article, created = articles.upsert(db.session, article_id, data)
    return ArticleOut().dump(article), 201 if created else 200
