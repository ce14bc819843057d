"""Work over all stored comments, run from the command line."""

from sqlalchemy import select

from .. import sanitize
from ..models import Comment
from . import articles


def rerender_all(session, batch_size: int = 500) -> tuple[int, int]:
    """Re-sanitise every comment from its raw text; return (checked, changed)."""
    checked = changed = 0
    touched: set[int] = set()
    query = select(Comment).where(Comment.erased_at.is_(None)).order_by(Comment.id)
    for comment in session.scalars(query.execution_options(yield_per=batch_size)):
        checked += 1
        html = sanitize.render(comment.body)
        if html != comment.html:
            comment.html = html
            changed += 1
            touched.add(comment.article_pk)
        comment.sanitizer_version = sanitize.SANITIZER_VERSION
    articles.bump_versions(session, touched)
    session.commit()
    return checked, changed
