"""An imported comment in the review UI: its audit row names the import, not the policy."""

from sqlalchemy import select

from commentsvc.models import Comment
from commentsvc.services import importing
from commentsvc.transfer import wordpress
from tests.review.conftest import signed_in
from tests.transfer.conftest import FIXTURES


def test_the_history_shows_the_import(client, admin, db_session):
    importing.import_records(
        db_session, wordpress.parse(str(FIXTURES / "wordpress.xml")), source="wordpress"
    )
    comment_id = db_session.scalar(select(Comment.id).where(Comment.source_id == "103"))

    page = signed_in(client, admin).get(f"/review/comments/{comment_id}").get_data(as_text=True)

    assert "imported from WordPress, comment 103" in page
    assert "<bdi>import</bdi>" in page and ">policy<" not in page
