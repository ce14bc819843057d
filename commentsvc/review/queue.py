"""The queue: status tabs, filters, row actions, bulk actions and undo."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .. import web
from ..errors import DomainError
from ..extensions import db
from ..i18n import plural
from ..services import moderation, overview
from ..status import Status
from ..threads import MAX_ID
from . import bp
from .auth import actor, safe_back
from .forms import PAGE_SIZE, BulkForm, ModerateForm, QueueQuery, UndoForm, load_form, load_query

COMMENT = f"/comments/<int(max={MAX_ID}):comment_id>"
# How the bulk confirmation names the move: "Move 3 comments to approved?"
MOVES = {
    "approve": _l("to approved"),
    "reject": _l("to rejected"),
    "spam": _l("to spam"),
    "pend": _l("to pending"),
    "unspam": _l("out of spam (back where they were)"),
}


@bp.get("/")
def queue():
    args = load_query(QueueQuery())
    status = None if args["status"] == "all" else Status(args["status"])
    comments, next_cursor = moderation.list_comments(
        db.session,
        status=status,
        order=args["order"],
        limit=PAGE_SIZE,
        cursor=args["cursor"],
        **args["filters"],
    )
    return render_template(
        "review/queue.html",
        args=args,
        comments=comments,
        next_cursor=next_cursor,
        counts=overview.queue_counts(db.session, **args["filters"]),
        histories=overview.author_histories(db.session, {c.author_email for c in comments}),
        excerpts=overview.parent_excerpts(db.session, {c.parent_id for c in comments}),
    )


def _one_done(action: str, comment_id: int) -> str:
    # Whole sentences, so each language orders its words its own way.
    return {
        "approve": gettext("Comment #%(id)s approved.", id=comment_id),
        "reject": gettext("Comment #%(id)s rejected.", id=comment_id),
        "spam": gettext("Comment #%(id)s marked as spam.", id=comment_id),
        "pend": gettext("Comment #%(id)s back to pending.", id=comment_id),
        "unspam": gettext("Comment #%(id)s moved out of spam.", id=comment_id),
    }[action]


def _many_done(action: str, n: int) -> str:
    return {
        "approve": plural("%(num)s comment approved.", "%(num)s comments approved.", n),
        "reject": plural("%(num)s comment rejected.", "%(num)s comments rejected.", n),
        "spam": plural("%(num)s comment marked as spam.", "%(num)s comments marked as spam.", n),
        "pend": plural("%(num)s comment back to pending.", "%(num)s comments back to pending.", n),
        "unspam": plural(
            "%(num)s comment moved out of spam.", "%(num)s comments moved out of spam.", n
        ),
    }[action]


def _decided(comments, action: str, batch_id: str) -> None:
    if len(comments) == 1:
        text = _one_done(action, comments[0].id)
    else:
        text = _many_done(action, len(comments))
    flash({"text": text, "undo": batch_id}, "success")


def _refused(exc: DomainError) -> None:
    # Services raise msgids (N_); the moderator reads them in their language.
    details = [gettext(m) for messages in exc.fields.values() for m in messages]
    flash({"text": " ".join([gettext(exc.message), *details[:5]])}, "error")


@bp.post(f"{COMMENT}/moderate")
def moderate_comment(comment_id: int):
    data = load_form(ModerateForm())
    back = safe_back(data["back"])
    batch_id = moderation.new_batch_id()
    try:
        comments = moderation.moderate(
            db.session,
            [comment_id],
            data["action"],
            actor(),
            data["reason"],
            batch_id,
            report=web.checker() is not None,
        )
    except DomainError as exc:
        _refused(exc)
        return redirect(back)
    _decided(comments, data["action"], batch_id)
    # Land on the comment that followed this one in the list the moderator was reading.
    focus = request.args.get("focus", type=int)
    return redirect(f"{back}#c-{focus}" if focus else back)


@bp.post("/bulk")
def bulk():
    data = load_form(BulkForm(), lists=("ids", "page_ids"))
    back = safe_back(data["back"])
    if not data["bulk_action"]:
        flash(
            {"text": gettext("Choose a bulk action first (the menu says “Bulk actions”).")}, "error"
        )
        return redirect(back)
    if not data["chosen"]:
        flash({"text": gettext("Select at least one comment first.")}, "error")
        return redirect(back)
    if not data["confirm"]:
        return render_template(
            "review/bulk_confirm.html",
            data=data,
            back=back,
            move=MOVES[data["bulk_action"]],
            comments=overview.comments_by_ids(db.session, data["chosen"]),
        )
    batch_id = moderation.new_batch_id()
    try:
        comments = moderation.moderate(
            db.session,
            data["chosen"],
            data["bulk_action"],
            actor(),
            None,
            batch_id,
            report=web.checker() is not None,
        )
    except DomainError as exc:
        _refused(exc)
        return redirect(back)
    _decided(comments, data["bulk_action"], batch_id)
    return redirect(back)


@bp.post("/undo")
def undo():
    data = load_form(UndoForm())
    back = safe_back(data["back"])
    try:
        comments = moderation.undo(db.session, data["batch_id"], actor())
    except DomainError as exc:
        _refused(exc)
        return redirect(back)
    text = plural(
        "Undone: %(num)s comment back where it was.",
        "Undone: %(num)s comments back where they were.",
        len(comments),
    )
    flash({"text": text}, "success")
    return redirect(back)


def queue_url(args: dict, **changes) -> str:
    """The queue's address with these filters changed (None drops one); for templates."""
    params = {
        key: args.get(key) for key in ("status", "article", "q", "email", "since", "until", "order")
    }
    params.update(changes)
    defaults = {"status": "pending", "order": "newest"}
    clean = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in params.items()
        if v not in (None, "") and defaults.get(k) != v
    }
    return url_for("review.queue", **clean)


bp.add_app_template_global(queue_url, "review_queue_url")
