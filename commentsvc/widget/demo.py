"""/demo/: a news site's article page that embeds the widget, as a real site would.

`make run` serves it on a second port, so the widget talks to the service cross-origin.
`?article=<id>` (repeatable) shows other articles' widgets, one per id; `?frame=1` embeds
the server-rendered page in an <iframe> instead; `?page_size=<n>` pages the thread;
`?lang=<code>` sets the page's <html lang> (which the widget follows).
"""

from datetime import date

from flask import current_app, render_template, request
from flask_babel import format_date
from markupsafe import Markup

from ..fields import valid_article_id
from ..services.demo import ARTICLE_ID, ARTICLE_TITLE
from . import bp

SECOND_ARTICLE = ("demo-lahore-smog", "Lahore's smog season starts earlier every year")


@bp.get("/demo/")
def demo():
    """The demo article page; the widget's script comes from PUBLIC_URL (or this server)."""
    service = (current_app.config["PUBLIC_URL"] or request.url_root).rstrip("/")
    article_ids = [a for a in request.args.getlist("article") if valid_article_id(a)]
    page_size = request.args.get("page_size", "")
    return render_template(
        "demo/article.html",
        service=service,
        article_ids=article_ids or [ARTICLE_ID],
        title=ARTICLE_TITLE,
        frame=request.args.get("frame") == "1",
        page_size=page_size if page_size.isdigit() else "",
        listing=[(ARTICLE_ID, ARTICLE_TITLE), SECOND_ARTICLE],
        published=format_date(date(2026, 3, 10), "long"),
        commentsvc_link=Markup('<a href="%s/">commentsvc</a>') % service,
    )
