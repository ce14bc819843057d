"""Settings → Discussion over the API: the same settings the review UI's page changes."""

from ..extensions import db
from ..models import Scope
from ..services import discussion
from . import bp
from .auth import require_key
from .io import actor, load_body, settings
from .openapi import doc
from .schemas import DiscussionIn, DiscussionOut


def _out(current: discussion.Current) -> dict:
    return DiscussionOut().dump(current.as_dict())


@bp.get("/settings/discussion")
@doc(
    "Read the discussion settings",
    tag="settings",
    responses={200: (DiscussionOut, "What is in force; `saved` names what an admin set.")},
)
@require_key(Scope.moderate)
def get_discussion():
    return _out(discussion.current(db.session, settings()))


@bp.put("/settings/discussion")
@doc(
    "Change the discussion settings",
    tag="settings",
    body=DiscussionIn,
    responses={200: (DiscussionOut, "The settings now in force; the change is logged.")},
)
@require_key(Scope.moderate)
def put_discussion():
    changes = load_body(DiscussionIn())
    return _out(discussion.save(db.session, changes, actor(), settings()))
