"""The whole site's comments as a streamed export (the format `flask export` writes)."""

from flask import Response, stream_with_context

from ..extensions import db
from ..models import Scope
from ..services import exporting
from . import bp
from .auth import require_key
from .io import load_args
from .openapi import doc
from .schemas import ExportQuery

_EXPORT_QUERY = ExportQuery()
EXPORT_LINE = {
    "type": "object",
    "description": "One JSON object per line: first the header "
    '`{"format": "commentsvc", "version": 1}`, then each article (`"type": "article"`) '
    'followed by its comments (`"type": "comment"`, oldest first, each with its audit '
    "`events`). The README section Import and export documents every field.",
    "properties": {
        "format": {"type": "string"},
        "version": {"type": "integer"},
        "type": {"type": "string", "enum": ["article", "comment"]},
    },
}


@bp.get("/export")
@doc(
    "Export articles, comments and their audit trail",
    tag="moderation",
    query=ExportQuery,
    responses={200: (EXPORT_LINE, "JSON Lines, streamed.", "application/x-ndjson")},
    errors=(422,),
    headers={"Content-Disposition": 'A download: `attachment; filename="comments.jsonl"`.'},
)
@require_key(Scope.moderate)
def export():
    args = load_args(_EXPORT_QUERY, lists=("article_id",))
    lines = exporting.export_lines(db.session, args["article_id"] or None)
    response = Response(stream_with_context(lines), mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = 'attachment; filename="comments.jsonl"'
    response.headers["Cache-Control"] = "no-store"
    return response
