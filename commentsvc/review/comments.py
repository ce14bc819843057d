"""One comment in full: raw and rendered side by side, its history, edit and reply."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from ..errors import DomainError
from ..extensions import db
from ..services import moderation, overview, staff
from . import bp
from .auth import actor, me
from .forms import EditForm, ReplyForm, check_length, load_form
from .queue import COMMENT


def _detail(comment_id: int, status: int = 200, **form_state):
    comment = moderation.get_comment(db.session, comment_id)
    page = render_template(
        "review/comment.html",
        comment=comment,
        events=moderation.events_for(db.session, comment_id),
        history=overview.author_histories(db.session, [comment.author_email]).get(
            comment.author_email, {}
        ),
        excerpts=overview.parent_excerpts(db.session, [comment.parent_id]),
        edit_errors=form_state.get("edit_errors", {}),
        reply_errors=form_state.get("reply_errors", {}),
        form=form_state.get("form", {}),
    )
    return page, status


@bp.get(COMMENT)
def comment_detail(comment_id: int):
    return _detail(comment_id)


@bp.post(f"{COMMENT}/edit")
def edit_comment(comment_id: int):
    try:
        data = load_form(EditForm())
        check_length(data["body"], current_app.config["BODY_MAX_LENGTH"])
        moderation.edit_comment(db.session, comment_id, data["body"], actor(), data["reason"])
    except ValidationError as exc:
        return _detail(comment_id, 422, edit_errors=exc.messages, form=_posted())
    flash(
        {
            "text": gettext(
                "Comment #%(id)s edited; the old text is kept in its history.", id=comment_id
            )
        },
        "success",
    )
    return redirect(url_for("review.comment_detail", comment_id=comment_id))


@bp.post(f"{COMMENT}/reply")
def reply(comment_id: int):
    try:
        data = load_form(ReplyForm())
        check_length(data["body"], current_app.config["BODY_MAX_LENGTH"])
        comment = staff.reply_as_moderator(
            db.session,
            comment_id,
            data["body"],
            me(),
            max_depth=int(current_app.config["THREAD_DEPTH"]),
        )
    except ValidationError as exc:
        return _detail(comment_id, 422, reply_errors=exc.messages, form=_posted())
    except DomainError as exc:
        if exc.fields:
            return _detail(comment_id, 422, reply_errors=exc.fields, form=_posted())
        raise
    flash({"text": gettext("Your reply #%(id)s is published.", id=comment.id)}, "success")
    return redirect(url_for("review.comment_detail", comment_id=comment.id))


def _posted() -> dict:
    return request.form.to_dict()
