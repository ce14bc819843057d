"""The service's own pages: a front page pointing at the doors, and a health check."""

from flask import Blueprint, render_template
from sqlalchemy import text

from .extensions import db

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    return render_template("index.html")


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers, for load balancers and `make run`'s users."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
