"""One comment in full: raw beside rendered, its history, editing and replying as staff."""

from sqlalchemy import select

from commentsvc.models import Comment, ModerationEvent
from commentsvc.status import Status
from tests.helpers import moderate, row_counts

from .conftest import held, post


def test_detail_shows_raw_and_rendered_text_and_history(mod_client, auth):
    comment_id = held(mod_client, body="Plain *text* with <b>bold</b>")
    moderate(mod_client, auth, comment_id, "approve", reason="On topic")
    page = mod_client.get(f"/review/comments/{comment_id}").get_data(as_text=True)
    assert "Plain *text* with &lt;b&gt;bold&lt;/b&gt;" in page  # as submitted, escaped
    assert "<p>Plain *text* with <b>bold</b></p>" in page  # as published
    assert "Moderation history" in page
    assert (
        "API key “<bdi>tests</bdi>”" in page and "pending → approved" in page and "On topic" in page
    )
    assert "Mozilla" not in page or "User agent" in page


def test_missing_comment_is_a_404_page(mod_client):
    response = mod_client.get("/review/comments/999999")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_edit_re_sanitises_and_logs_before_and_after(mod_client, moderator, db_session):
    comment_id = held(mod_client, body="Original text")
    path = f"/review/comments/{comment_id}"
    response = post(
        mod_client,
        f"{path}/edit",
        {"body": "Edited <script>alert(1)</script> text", "reason": "Tidy"},
        token_from=path,
    )
    assert response.status_code == 302
    comment = db_session.get(Comment, comment_id)
    assert comment.body == "Edited <script>alert(1)</script> text"
    assert "<script>" not in comment.html and "&lt;script&gt;" in comment.html
    event = db_session.scalars(
        select(ModerationEvent).where(ModerationEvent.comment_id == comment_id)
    ).one()
    assert event.action == "edit" and event.moderator_id == moderator.id
    assert event.details == {"before": "Original text", "after": comment.body}
    assert "Text before and after" in mod_client.get(path).get_data(as_text=True)


def test_an_empty_edit_is_refused_next_to_the_field(mod_client, db_session):
    comment_id = held(mod_client)
    before = row_counts(db_session)
    response = post(mod_client, f"/review/comments/{comment_id}/edit", {"body": "   "})
    assert response.status_code == 422
    assert "The comment cannot be empty." in response.get_data(as_text=True)
    assert row_counts(db_session) == before


def test_reply_as_moderator_is_published_as_staff(mod_client, auth, moderator, db_session):
    parent = held(mod_client, "staff-thread", body="When does the subsidy close?")
    response = post(mod_client, f"/review/comments/{parent}/reply", {"body": "On **March** 31st."})
    assert response.status_code == 302
    reply = db_session.scalars(select(Comment).where(Comment.parent_id == parent)).one()
    assert reply.is_staff and reply.moderator_id == moderator.id
    assert reply.status is Status.approved
    # Replying to a held comment approves it, in the same decision.
    assert db_session.get(Comment, parent).status is Status.approved
    actions = db_session.scalars(
        select(ModerationEvent.action).where(ModerationEvent.comment_id.in_([parent, reply.id]))
    ).all()
    assert sorted(actions) == ["approve", "reply"]
    thread = mod_client.get("/api/v1/articles/staff-thread/comments").get_json()
    (top,) = thread["comments"]
    (answer,) = top["replies"]
    assert answer["staff"] is True and answer["author"]["name"] == "mod"
    assert "mod@example.org" not in str(thread)


def test_no_reply_under_spam(mod_client, auth, db_session):
    parent = held(mod_client)
    moderate(mod_client, auth, parent, "spam")
    before = row_counts(db_session)
    response = post(mod_client, f"/review/comments/{parent}/reply", {"body": "Hello"})
    assert response.status_code == 422
    assert "approve it first" in response.get_data(as_text=True)
    assert row_counts(db_session) == before
