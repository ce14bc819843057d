"""The service's own pages: a front page pointing at the doors (health checks: ops/health)."""

from flask import Blueprint, current_app, render_template, send_from_directory

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    return render_template("index.html")


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for /favicon.ico on every page of every door.
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )
