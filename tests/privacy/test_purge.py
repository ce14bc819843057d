"""The retention purge: IPs and User-Agents older than COMMENTSVC_IP_RETENTION_DAYS go."""

from datetime import timedelta

from sqlalchemy import select, update

from commentsvc import jobs
from commentsvc.models import Comment, OutboxMessage, ScheduledJob, utcnow
from commentsvc.services import privacy
from tests.privacy.conftest import PERSON_IP, PERSON_UA, hits


def _age(session, comment_ids, days: float) -> None:
    when = utcnow() - timedelta(days=days)
    session.execute(update(Comment).where(Comment.id.in_(comment_ids)).values(created_at=when))
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.comment_id.in_(comment_ids))
        .values(created_at=when)
    )
    session.commit()


def _client_data(session, comment_id):
    session.expire_all()
    comment = session.get(Comment, comment_id)
    return comment.remote_addr, comment.user_agent


def test_old_client_data_is_cleared_and_recent_kept(story, db_session):
    _age(db_session, [story.replied, story.reply], days=31)
    _age(db_session, [story.held], days=29)

    cleared = privacy.purge_client_data(db_session, days=30)

    assert cleared == 2
    assert _client_data(db_session, story.replied) == (None, None)
    assert _client_data(db_session, story.reply) == (None, None)
    assert _client_data(db_session, story.held) == (PERSON_IP, PERSON_UA)
    # The outbox rows of the old comments lost theirs too; the recent one's keep them.
    rows = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.comment_id == story.replied)
    )
    assert PERSON_IP not in str([r.payload for r in rows])
    assert {t for t, _ in hits(db_session, PERSON_IP)} == {"comments", "outbox"}
    assert privacy.purge_client_data(db_session, days=30) == 0  # nothing left to clear


def test_an_ip_quoted_in_held_reasons_goes_with_it(story, db_session):
    comment = db_session.get(Comment, story.held)
    comment.held_reasons = [
        {"rule": "moderation_words", "message": f"the client IP {PERSON_IP} is in the list"}
    ]
    db_session.commit()
    _age(db_session, [story.replied, story.held], days=40)

    privacy.purge_client_data(db_session, days=30)

    db_session.expire_all()
    reasons = db_session.get(Comment, story.held).held_reasons
    assert reasons[0]["message"] == "the client IP [removed] is in the list"
    assert hits(db_session, PERSON_IP) == []


def test_zero_days_keeps_everything(story, db_session):
    _age(db_session, [story.replied], days=400)
    assert privacy.purge_client_data(db_session, days=0) == 0
    assert _client_data(db_session, story.replied) == (PERSON_IP, PERSON_UA)


def test_the_worker_runs_the_purge_daily_once(story, app, db_session):
    _age(db_session, [story.replied], days=31)
    now = utcnow()
    jobs.run_due(db_session, app.config, now=now)  # first sight: scheduled, not run
    job = db_session.get(ScheduledJob, "client-data-purge")
    assert job is not None and job.next_run_at > now
    assert (job.next_run_at.hour, job.next_run_at.minute) == (3, 0)
    assert _client_data(db_session, story.replied) == (PERSON_IP, PERSON_UA)

    due = job.next_run_at
    assert "client-data-purge" in jobs.run_due(db_session, app.config, now=due)
    assert _client_data(db_session, story.replied) == (None, None)
    db_session.expire_all()
    job = db_session.get(ScheduledJob, "client-data-purge")
    assert job.next_run_at == due + timedelta(days=1) and job.last_error is None
    # A second worker looking at the same moment finds it taken.
    assert "client-data-purge" not in jobs.run_due(db_session, app.config, now=due)


def test_the_purge_command_prints_the_count(story, runner, db_session):
    _age(db_session, [story.replied, story.held], days=31)

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert "Cleared the IP address and User-Agent of 2 comments older than 30 days" in (
        result.output
    )
    assert _client_data(db_session, story.held) == (None, None)
