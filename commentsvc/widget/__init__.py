"""The readers' door: /embed.js, the server-rendered /embed/<article_id>, and /demo/."""

from flask import Blueprint

bp = Blueprint("widget", __name__)
