"""/unsubscribe/<token>: a reader stops reply mail, without signing in, for good.

The link comes from a reply mail (and its List-Unsubscribe header). Opening it only asks;
the page's buttons stop mail for that thread or for the whole site. A mail program's
one-click POST (RFC 8058, body `List-Unsubscribe=One-Click`) stops the thread's mail.
"""

from flask import current_app, render_template, request

from ..errors import LinkInvalid
from ..extensions import db
from ..services import notifications
from . import bp
from .assets import versioned_url

# The token in the address is the reader's key to their subscription: keep it out of
# Referer headers, caches and frames.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    secret = current_app.config["SECRET_KEY"]
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    whole_site = request.method == "POST" and not one_click and request.form.get("scope") == "site"
    try:
        if request.method == "POST":
            found = notifications.unsubscribe(db.session, secret, token, whole_site=whole_site)
        else:
            found = notifications.read_unsubscribe(db.session, secret, token)
    except LinkInvalid as exc:
        return _page(exc.status, problem=exc.message)
    if one_click:
        return "Unsubscribed.\n", 200, {**HEADERS, "Content-Type": "text/plain; charset=utf-8"}
    return _page(200, found=found, done=request.method == "POST", whole_site=whole_site)


def _page(status: int, **values):
    html = render_template(
        "widget/unsubscribe.html", token=request.view_args["token"], asset=versioned_url, **values
    )
    return html, status, HEADERS
