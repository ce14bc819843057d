"""Mail through a real SMTP server: moderators' held-comment mail and its one-click links,
digests, reply notifications with unsubscribe, approval notices, and SMTP outages."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from commentsvc.models import (
    HeldMail,
    OutboxAttempt,
    OutboxMessage,
    OutboxState,
    ScheduledJob,
    utcnow,
)
from commentsvc.status import Status
from tests.helpers import ARTICLE, EMAIL, moderate, published, submit
from tests.notify.helpers import (
    UNSUBSCRIBE,
    decision_links,
    html_of,
    outbox_rows,
    path_of,
    text_of,
)
from tests.review.conftest import csrf_from, signed_in

HOSTILE_NAME = '<img src=x onerror="alert(1)">Zed'
HOSTILE_BODY = "Nice <script>alert('x')</script> and <b>bold</b> http://example.com"


def held_comment(client, **overrides) -> int:
    response = submit(client, **overrides)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()["id"]


def make_due(session) -> None:
    """Let rows waiting for a retry go now (as if their backoff had passed)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.pending)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()


def test_a_held_comment_mails_each_moderator_who_chose_every_comment(
    client, db_session, moderator, smtp, drain
):
    held_comment(client, name=HOSTILE_NAME, body=HOSTILE_BODY, url="https://zed.example")
    drain()

    (mail,) = smtp.to(moderator.email)
    assert mail["Subject"] == f"[comments.example] Please moderate: “{ARTICLE}”"
    assert mail["From"] == "Comments <comments@news.example>"
    assert mail["Auto-Submitted"] == "auto-generated"
    (row,) = outbox_rows(db_session, recipient=moderator.email)
    assert mail["Message-ID"] == f"<{row.delivery_id}@news.example>"
    text = text_of(mail)
    for shown in (HOSTILE_NAME, EMAIL, "127.0.0.1", "https://zed.example", HOSTILE_BODY):
        assert shown in text
    assert "History: 1 pending" in text
    assert "Held because:" in text
    assert set(decision_links(mail)) == {"approve", "spam", "reject"}
    html = html_of(mail)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Zed" in html
    assert "&lt;script&gt;alert" in html  # the comment's own text, as the sanitiser shows it
    assert "<b>bold</b>" in html
    assert 'rel="nofollow ugc noopener"' in html


@pytest.mark.parametrize("choice", [HeldMail.none, HeldMail.digest])
def test_moderators_who_chose_otherwise_get_no_mail_per_comment(
    client, db_session, moderator, smtp, drain, choice
):
    moderator.held_mail = choice
    db_session.commit()
    held_comment(client)
    drain()

    assert smtp.messages == []


def test_an_approve_link_opens_a_page_and_one_press_approves(
    client, db_session, moderator, smtp, drain
):
    comment_id = held_comment(client)
    drain()
    links = decision_links(smtp.to(moderator.email)[0])

    # Opening the link (as a mail scanner would) decides nothing.
    page = client.get(path_of(links["approve"]))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Approve comment #{comment_id}?" in text
    assert "A thoughtful comment." in text
    db_session.expire_all()
    from commentsvc.models import Comment

    assert db_session.get(Comment, comment_id).status is Status.pending

    token = csrf_from(client, path_of(links["approve"]))
    done = client.post(path_of(links["approve"]), data={"csrf_token": token})
    assert done.status_code == 200
    assert f"Comment #{comment_id} is now approved" in done.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Comment, comment_id).status is Status.approved
    event = db_session.get(Comment, comment_id)
    from commentsvc.services import moderation

    last = moderation.events_for(db_session, event.id)[-1]
    assert (last.action, last.moderator_id, last.reason) == (
        "approve",
        moderator.id,
        "From the link in a mail",
    )


def test_a_used_link_and_its_siblings_do_nothing_and_say_so(
    client, db_session, moderator, smtp, drain
):
    from commentsvc.models import Comment

    comment_id = held_comment(client)
    drain()
    links = decision_links(smtp.to(moderator.email)[0])
    token = csrf_from(client, path_of(links["approve"]))
    assert client.post(path_of(links["approve"]), data={"csrf_token": token}).status_code == 200

    for action in ("approve", "spam"):
        again = client.post(path_of(links[action]), data={"csrf_token": token})
        assert again.status_code == 409
        assert "used already, or the comment was decided since" in again.get_data(as_text=True)
        assert client.get(path_of(links[action])).status_code == 409
    db_session.expire_all()
    assert db_session.get(Comment, comment_id).status is Status.approved


def test_an_altered_link_does_nothing_and_says_so(client, db_session, moderator, smtp, drain):
    from commentsvc.models import Comment

    comment_id = held_comment(client)
    drain()
    link = path_of(decision_links(smtp.to(moderator.email)[0])["spam"])
    token = csrf_from(client, link)
    altered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")

    for response in (client.get(altered), client.post(altered, data={"csrf_token": token})):
        assert response.status_code == 400
        assert "not valid: it was altered" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Comment, comment_id).status is Status.pending


def test_an_expired_link_does_nothing_and_says_so(
    client, app, db_session, moderator, smtp, drain, monkeypatch
):
    import time

    from commentsvc.models import Comment

    comment_id = held_comment(client)
    drain()
    link = path_of(decision_links(smtp.to(moderator.email)[0])["approve"])
    token = csrf_from(client, "/review/login")
    days = app.config["MODERATION_LINK_DAYS"]
    later = time.time() + days * 86400 + 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)

    for response in (client.get(link), client.post(link, data={"csrf_token": token})):
        assert response.status_code == 410
        assert "expired" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Comment, comment_id).status is Status.pending


def test_the_daily_digest_lists_what_was_held_since_the_last(
    client, app, db_session, moderator, smtp, drain
):
    from commentsvc import jobs

    moderator.held_mail = HeldMail.digest
    db_session.commit()
    held_comment(client, body="First held")
    held_comment(client, body="Second")
    drain()  # schedules the jobs for their hour; sends nothing per comment
    assert smtp.messages == []
    db_session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == "digest")
        .values(next_run_at=utcnow() - timedelta(minutes=1))
    )
    db_session.commit()
    drain()

    (digest,) = smtp.to(moderator.email)
    assert digest["Subject"] == "[comments.example] 2 comments await moderation"
    text = text_of(digest)
    assert "First held" in text and "Second" in text
    assert text.count("Approve: https://comments.example/review/decide/") == 2
    job = db_session.get(ScheduledJob, "digest")
    assert job.next_run_at > utcnow() and job.last_error is None
    # Nothing new since: the next digest stays unsent.
    assert "digest" in jobs.run_due(db_session, app.config, now=job.next_run_at)
    drain()
    assert len(smtp.to(moderator.email)) == 1


def subscribed_parent(client, auth, email="parent@example.org", article=ARTICLE) -> int:
    return published(client, auth, article, email=email, notify_replies=True)


def test_a_published_reply_mails_the_author_who_opted_in(client, auth, db_session, smtp, drain):
    parent = subscribed_parent(client, auth)
    reply = held_comment(client, parent_id=parent, name="Bilal", body="It does, *if* registered.")
    drain()
    assert smtp.to("parent@example.org") == []  # held: nothing to tell yet

    assert moderate(client, auth, reply, "approve").status_code == 200
    drain()

    (mail,) = smtp.to("parent@example.org")
    assert mail["Subject"] == f"[comments.example] New reply to your comment on “{ARTICLE}”"
    text = text_of(mail)
    assert "Bilal replied to your comment" in text
    assert f"https://comments.example/embed/{ARTICLE}#comment-{reply}" in text
    unsubscribe = UNSUBSCRIBE.search(text).group(0)
    assert mail["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As sent: one plain <URL>, not an encoded word a mail program would not recognise.
    assert f"\r\nList-Unsubscribe: <{unsubscribe}>\r\n".encode() in smtp.raw[-1]
    assert EMAIL not in mail.as_string()  # the replier's address stays private
    assert "127.0.0.1" not in mail.as_string()

    # Back to pending and approved again: still one mail for one reply.
    assert moderate(client, auth, reply, "pend").status_code == 200
    assert moderate(client, auth, reply, "approve").status_code == 200
    drain()
    assert len(smtp.to("parent@example.org")) == 1


def test_no_reply_mail_without_opting_in_or_to_oneself(client, auth, db_session, smtp, drain):
    quiet = published(client, auth, email="quiet@example.org")
    published(client, auth, parent_id=quiet, body="Reply to the quiet one")
    mine = subscribed_parent(client, auth, email="self@example.org")
    published(client, auth, parent_id=mine, email="self@example.org", body="Answering myself")
    drain()

    assert smtp.to("quiet@example.org") == [] and smtp.to("self@example.org") == []


def test_one_click_unsubscribe_stops_that_threads_mail(client, auth, db_session, smtp, drain):
    parent = subscribed_parent(client, auth)
    other = subscribed_parent(client, auth, article="another-article")
    published(client, auth, parent_id=parent, body="First reply")
    drain()
    unsubscribe = path_of(UNSUBSCRIBE.search(text_of(smtp.to("parent@example.org")[0])).group(0))

    # What a mail program does for RFC 8058: one POST, no page, no sign-in.
    response = client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200

    published(client, auth, parent_id=parent, body="Second reply")
    published(client, auth, "another-article", parent_id=other, body="Elsewhere")
    drain()
    texts = [text_of(m) for m in smtp.to("parent@example.org")]
    assert len(texts) == 2
    assert "Elsewhere" in texts[1]  # the other thread still tells


def test_the_unsubscribe_page_stops_all_mail_from_the_site_for_good(
    client, auth, db_session, smtp, drain
):
    parent = subscribed_parent(client, auth)
    published(client, auth, parent_id=parent, body="First reply")
    drain()
    unsubscribe = path_of(UNSUBSCRIBE.search(text_of(smtp.to("parent@example.org")[0])).group(0))

    page = client.get(unsubscribe)
    assert page.status_code == 200
    assert "Stop all reply mail from this site" in page.get_data(as_text=True)
    done = client.post(unsubscribe, data={"scope": "site"})
    assert done.status_code == 200
    assert "no more reply notifications from this site" in done.get_data(as_text=True)

    # Ticking the box again later does not sign the address up again.
    again = subscribed_parent(client, auth, article="another-article")
    published(client, auth, "another-article", parent_id=again, body="New thread reply")
    published(client, auth, parent_id=parent, body="Second reply")
    drain()
    assert len(smtp.to("parent@example.org")) == 1


def test_an_altered_unsubscribe_link_says_so(client, db_session):
    response = client.get("/unsubscribe/WyJ4QGV4YW1wbGUub3JnIiwgMV0.forged")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    assert client.post("/unsubscribe/nonsense", data={"scope": "site"}).status_code == 400


def test_no_approval_mail_unless_the_setting_is_on(
    client, app, auth, db_session, smtp, drain, monkeypatch
):
    first = held_comment(client, email="author@example.org")
    assert moderate(client, auth, first, "approve").status_code == 200
    drain()
    assert smtp.to("author@example.org") == []

    monkeypatch.setitem(app.config, "MAIL_AUTHOR_ON_APPROVAL", True)
    second = held_comment(client, email="author@example.org", body="Second thought")
    assert moderate(client, auth, second, "approve").status_code == 200
    drain()

    (mail,) = smtp.to("author@example.org")
    assert mail["Subject"] == f"[comments.example] Your comment on “{ARTICLE}” is published"
    assert "Second thought" in text_of(mail)


def test_smtp_down_means_a_retry_later_never_a_lost_mail(
    client, app, db_session, moderator, smtp, drain, monkeypatch
):
    from tests.notify.servers import free_port

    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    held_comment(client)
    drain()

    (row,) = outbox_rows(db_session, recipient=moderator.email)
    assert row.state is OutboxState.pending and row.attempts == 1
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
    assert row.next_attempt_at > utcnow()
    (attempt,) = db_session.query(OutboxAttempt).filter_by(message_id=row.id).all()
    assert attempt.ok is False and attempt.finished_at is not None

    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    make_due(db_session)
    drain()
    (mail,) = smtp.to(moderator.email)
    assert mail["Message-ID"] == f"<{row.delivery_id}@news.example>"
    (row,) = outbox_rows(db_session, recipient=moderator.email)
    assert row.state is OutboxState.sent and row.attempts == 2


def test_out_of_attempts_the_row_fails_and_admins_can_send_it_again(
    client,
    app,
    db_session,
    moderator,
    smtp,
    drain,
    monkeypatch,
    admin,
):
    from tests.notify.servers import free_port

    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 2)
    moderator.held_mail = HeldMail.none
    db_session.commit()
    held_comment(client)
    drain()
    make_due(db_session)
    drain()
    (row,) = outbox_rows(db_session, recipient=admin.email)
    assert row.state is OutboxState.failed and row.attempts == 2

    signed_in(client, admin)
    page = client.get("/review/outbox").get_data(as_text=True)
    assert row.delivery_id in page and "Connection refused" in page
    token = csrf_from(client, "/review/outbox")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    assert (
        client.post(f"/review/outbox/{row.id}/retry", data={"csrf_token": token}).status_code == 302
    )
    drain()
    assert len(smtp.to(admin.email)) == 1
    (row,) = outbox_rows(db_session, recipient=admin.email)
    assert row.state is OutboxState.sent


def test_without_a_mail_server_mails_become_files(
    client, app, db_session, moderator, drain, monkeypatch, caplog
):
    import email
    import email.policy
    from pathlib import Path

    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://comments.example")
    held_comment(client)
    with caplog.at_level("INFO", logger="commentsvc.mail"):
        drain()

    (row,) = outbox_rows(db_session, recipient=moderator.email)
    path = Path(app.instance_path) / "mail" / f"{row.delivery_id}.eml"
    try:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["To"] == moderator.email
        assert set(decision_links(message)) == {"approve", "spam", "reject"}
        assert f"Please moderate: “{ARTICLE}”" in caplog.text
    finally:
        path.unlink(missing_ok=True)


def test_a_moderator_chooses_on_their_profile_page(client, db_session, moderator):
    signed_in(client, moderator)
    page = client.get("/review/profile")
    assert page.status_code == 200
    assert "A daily digest" in page.get_data(as_text=True)

    token = csrf_from(client, "/review/profile")
    response = client.post("/review/profile", data={"csrf_token": token, "held_mail": "digest"})
    assert response.status_code == 302
    db_session.expire_all()
    assert moderator.held_mail is HeldMail.digest
    bad = client.post("/review/profile", data={"csrf_token": token, "held_mail": "hourly"})
    assert bad.status_code == 422
    db_session.expire_all()
    assert moderator.held_mail is HeldMail.digest
