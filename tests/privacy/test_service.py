"""Privacy requests in the service: export everything, erase everywhere, one audited decision."""

import pytest
from sqlalchemy import func, select

from commentsvc.models import Article, Comment, ModerationEvent, Subscription
from commentsvc.services import Actor, privacy
from commentsvc.status import Status
from tests.helpers import ARTICLE
from tests.privacy.conftest import OTHER, PERSON, PERSON_IP, PERSON_UA, PERSON_URL, SECOND, hits


def test_the_story_leaves_the_address_in_many_stores(story, db_session):
    # The erase tests below mean something only if the address was there to find.
    tables = {table for table, _ in hits(db_session, PERSON)}
    assert {"comments", "outbox", "outbox_attempts", "subscriptions", "moderation_events"} <= (
        tables
    )
    assert {table for table, _ in hits(db_session, PERSON_IP)} >= {"comments", "outbox"}


def test_export_holds_every_comment_with_its_article_and_trail(story, db_session):
    data = privacy.export_address(db_session, f"  {PERSON.upper()} ")

    assert (data["format"], data["version"], data["email"]) == (
        "commentsvc-privacy-export",
        1,
        PERSON,
    )
    assert [c["id"] for c in data["comments"]] == [story.replied, story.held]
    first, second = data["comments"]
    assert first["article"]["article_id"] == ARTICLE
    assert second["article"]["article_id"] == SECOND
    assert (first["status"], second["status"]) == ("approved", "pending")
    assert first["author"] == {"name": "Pat Private", "email": PERSON, "url": PERSON_URL}
    assert (first["ip_address"], first["user_agent"]) == (PERSON_IP, PERSON_UA)
    assert first["body"] == "My own words." and first["html"] == "<p>My own words.</p>"
    approve = [e for e in first["events"] if e["action"] == "approve"]
    assert approve[0]["reason"] == f"Checked with {PERSON} by mail"
    assert approve[0]["to_status"] == "approved"
    assert data["names"] == ["Pat Private"]
    assert data["urls"] == [PERSON_URL]
    assert data["ip_addresses"] == [PERSON_IP]
    assert data["user_agents"] == [PERSON_UA]
    assert [(s["article_id"], s["comment_id"]) for s in data["subscriptions"]] == [
        (ARTICLE, story.replied)
    ]
    assert [m["event"] for m in data["pending_mail"]] == ["mail.reply"]
    assert data["moderator_account"] is None
    # Nobody else's comment or address rides along.
    assert OTHER not in str(data) and story.reply not in [c["id"] for c in data["comments"]]


def test_an_unknown_address_exports_empty(story, db_session):
    data = privacy.export_address(db_session, "nobody@example.org")
    for key in ("comments", "names", "urls", "ip_addresses", "subscriptions", "pending_mail"):
        assert data[key] == []
    assert privacy.count(db_session, "nobody@example.org") == 0


def _versions(session) -> dict[str, int]:
    session.expire_all()
    return dict(session.execute(select(Article.article_id, Article.version)).all())


def _decision(session, batch_id: str) -> list[ModerationEvent]:
    return session.scalars(
        select(ModerationEvent).where(ModerationEvent.batch_id == batch_id)
    ).all()


@pytest.mark.parametrize("mode", ["anonymise", "remove"])
def test_erasure_leaves_no_trace_of_the_address_anywhere(story, db_session, moderator, mode):
    before = _versions(db_session)
    assert privacy.count(db_session, PERSON) == 2

    result = privacy.erase_address(
        db_session, PERSON.title(), mode=mode, actor=Actor(moderator_id=moderator.id)
    )

    assert (result.count, result.mode) == (2, mode)
    for needle in (PERSON, PERSON_IP, PERSON_UA, PERSON_URL):
        assert hits(db_session, needle) == [], needle
    # Other people's data is untouched.
    assert {t for t, _ in hits(db_session, OTHER)} >= {"comments", "outbox"}
    after = _versions(db_session)
    assert after[ARTICLE] > before[ARTICLE] and after[SECOND] > before[SECOND]
    assert db_session.scalar(select(func.count()).select_from(Subscription)) == 0
    assert privacy.count(db_session, PERSON) == 0
    assert privacy.export_address(db_session, PERSON)["comments"] == []


@pytest.mark.parametrize("mode", ["anonymise", "remove"])
def test_erasure_is_one_audited_decision_that_names_no_address(story, db_session, moderator, mode):
    result = privacy.erase_address(
        db_session, PERSON, mode=mode, actor=Actor(moderator_id=moderator.id)
    )

    events = _decision(db_session, result.batch_id)
    assert sorted(e.comment_id for e in events) == [story.replied, story.held]
    assert {e.action for e in events} == {"erase" if mode == "remove" else "anonymise"}
    assert all(e.moderator_id == moderator.id for e in events)
    assert all(e.details == {"request": "privacy", "mode": mode, "count": 2} for e in events)
    done = "removed" if mode == "remove" else "anonymised"
    assert {e.reason for e in events} == {f"Privacy request: 2 comments {done}"}


def test_anonymise_keeps_the_text_and_the_status(story, db_session, moderator, client):
    privacy.erase_address(db_session, PERSON, actor=Actor(moderator_id=moderator.id))

    db_session.expire_all()
    comment = db_session.get(Comment, story.replied)
    assert (comment.author_name, comment.author_email, comment.author_url) == (
        "Anonymous",
        "",
        None,
    )
    assert (comment.remote_addr, comment.user_agent) == (None, None)
    assert comment.body == "My own words." and comment.status is Status.approved
    assert comment.erased_at is None
    assert db_session.get(Comment, story.held).status is Status.pending
    # The moderator's reason keeps its sense without the address.
    approve = db_session.scalar(
        select(ModerationEvent).where(
            ModerationEvent.comment_id == story.replied, ModerationEvent.action == "approve"
        )
    )
    assert approve.reason == "Checked with [removed] by mail"
    thread = client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()
    (shown,) = [c for c in thread["comments"] if c["id"] == story.replied]
    assert (shown["author"]["name"], shown["author"]["url"]) == ("Anonymous", None)
    assert shown["html"] == "<p>My own words.</p>"


def test_remove_keeps_a_placeholder_where_there_are_replies(story, db_session, moderator, client):
    privacy.erase_address(db_session, PERSON, mode="remove", actor=Actor(moderator_id=moderator.id))

    db_session.expire_all()
    for comment_id in (story.replied, story.held):
        comment = db_session.get(Comment, comment_id)
        assert comment.erased_at is not None and comment.body == ""
    thread = client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()
    (placeholder,) = [c for c in thread["comments"] if c["id"] == story.replied]
    assert placeholder["removed"] is True
    assert [r["id"] for r in placeholder["replies"]] == [story.reply]
    assert "My own words." not in str(thread)


def test_erasing_an_unknown_address_changes_nothing(story, db_session, moderator):
    events = db_session.scalar(select(func.count()).select_from(ModerationEvent))
    result = privacy.erase_address(
        db_session, "nobody@example.org", mode="remove", actor=Actor(moderator_id=moderator.id)
    )
    assert (result.count, result.batch_id) == (0, None)
    assert db_session.scalar(select(func.count()).select_from(ModerationEvent)) == events


def test_an_unknown_mode_is_refused_and_changes_nothing(story, db_session, moderator):
    from commentsvc.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        privacy.erase_address(db_session, PERSON, mode="shred", actor=Actor())
    assert "mode" in refused.value.fields
    assert privacy.count(db_session, PERSON) == 2
