"""Privacy requests over the API: export and erase one address's data (moderate keys).

Answers carry `Cache-Control: no-store`: they hold a person's data, and the request's
own address (the query string) names them.
"""

from marshmallow import RAISE

from ..extensions import db
from ..models import Scope
from ..schemas import ErasureIn, PrivacyQuery
from ..services import privacy
from . import bp
from .auth import require_key
from .io import actor, load_args, load_body
from .openapi import doc
from .schemas import ErasureOut, PrivacyExportOut

NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/privacy")
@doc(
    "Export everything stored about an email address",
    tag="privacy",
    query=PrivacyQuery,
    responses={200: (PrivacyExportOut, "The data; an unknown address has empty lists.")},
    errors=(422,),
)
@require_key(Scope.moderate)
def export_address():
    # The review UI's pages pass more in their query; an API client's extra is a mistake.
    args = load_args(PrivacyQuery(unknown=RAISE))
    return PrivacyExportOut().dump(privacy.export_address(db.session, args["email"])), NO_STORE


@bp.post("/privacy/erase")
@doc(
    "Anonymise or remove an email address's comments and clear it everywhere else",
    tag="privacy",
    body=ErasureIn,
    responses={200: (ErasureOut, "Done, as one audited decision (`count` 0: nothing held).")},
)
@require_key(Scope.moderate)
def erase_address():
    data = load_body(ErasureIn())
    result = privacy.erase_address(db.session, data["email"], mode=data["mode"], actor=actor())
    return ErasureOut().dump(result), NO_STORE
