"""Articles (with their counts, opened and closed here) and the activity log."""

from functools import partial

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from ..extensions import db
from ..services import accounts, articles, overview
from ..web import discussion_settings
from . import bp
from .auth import admin_only
from .forms import PAGE_SIZE, ActivityQuery, ArticleForm, load_form, load_query


@bp.get("/articles")
def article_list():
    return render_template(
        "review/articles.html",
        rows=overview.articles_with_counts(db.session),
        # "Close comments after N days" closes articles as well as their own flag and date.
        is_open=partial(articles.is_open, close_after_days=_close_after_days()),
    )


@bp.post("/articles")
@admin_only
def article_update():
    try:
        data = load_form(ArticleForm())
    except ValidationError as exc:
        flash({"text": gettext("Not saved: %(error)s", error=_first_error(exc.messages))}, "error")
        return redirect(url_for("review.article_list"))
    if articles.find(db.session, data["article_id"]) is None:
        flash({"text": gettext("There is no such article.")}, "error")
        return redirect(url_for("review.article_list"))
    article, _ = articles.upsert(db.session, data["article_id"], data["changes"])
    if articles.is_open(article, _close_after_days()):
        text = gettext("Saved: comments on %(article)s are open.", article=article.article_id)
    else:
        text = gettext("Saved: comments on %(article)s are closed.", article=article.article_id)
    flash({"text": text}, "success")
    return redirect(url_for("review.article_list"))


def _close_after_days() -> int:
    return discussion_settings().close_after_days


@bp.get("/activity")
def activity():
    args = load_query(ActivityQuery())
    events, next_cursor = overview.list_events(db.session, limit=PAGE_SIZE, **args["filters"])
    return render_template(
        "review/activity.html",
        args=args,
        events=events,
        next_cursor=next_cursor,
        moderators=accounts.list_moderators(db.session),
        actions=overview.EVENT_ACTIONS,
    )


def _first_error(messages: dict) -> str:
    field, problems = next(iter(messages.items()))
    problem = problems[0] if isinstance(problems, list) else problems
    return f"{field}: {gettext(str(problem))}"
