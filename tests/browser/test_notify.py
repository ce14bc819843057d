"""Notifications in Chromium: the widget's opt-in box, and a mail's approve link opening the
confirmation page, on the served app with its worker run as a user would."""

import email
import email.policy
import re
import subprocess
import sys
import uuid
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.browser.test_widget import approve, fill, open_demo, unique

ROOT = Path(__file__).resolve().parents[2]


def run_worker(live_server) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "commentsvc", "worker", "--once"],
        env=live_server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def mails_to(live_server, address: str) -> list:
    found = []
    for path in sorted((live_server.instance_path / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            found.append(message)
    return found


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def save(page, screenshots, name: str) -> None:
    page.screenshot(path=screenshots / name, full_page=True)


def test_the_widget_opt_in_brings_the_reply_mail(live_server, page, screenshots):
    article, reader = unique(), f"{unique('zoe')}@example.org"
    posted = []
    page.on(
        "request",
        lambda r: r.method == "POST" and "/comments" in r.url and posted.append(r.post_data_json),
    )
    widget = open_demo(page, live_server, article)
    fill(widget, "Does the subsidy cover blower fans?", email=reader)
    box = widget.get_by_label("Notify me of follow-up comments by email.")
    expect(box).not_to_be_checked()
    box.check()
    save(page, screenshots, "widget-notify-checkbox.png")
    widget.get_by_role("button", name="Post Comment").click()
    expect(widget.locator(".comment-respond .notice")).to_have_text(
        "Your comment is awaiting moderation."
    )
    assert posted[-1]["notify_replies"] is True
    expect(box).not_to_be_checked()  # the next comment asks again

    parent_id = next(c for c in page_comments(live_server, article, reader))
    approve(live_server, parent_id)
    status, reply = live_server.api(
        "POST",
        f"/api/v1/articles/{article}/comments",
        {"name": "Bilal", "email": "bilal@example.org", "body": "It does.", "parent_id": parent_id},
    )
    assert status == 202
    approve(live_server, reply["id"])
    run_worker(live_server)

    (mail,) = mails_to(live_server, reader)
    assert "Bilal replied to your comment" in plain(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def page_comments(live_server, article: str, email_address: str):
    """The ids of `email_address`'s comments on the article, from the moderation API."""
    status, body = live_server.api("GET", f"/api/v1/comments?article_id={article}&status=pending")
    assert status == 200
    return [c["id"] for c in body["comments"] if c["author"]["email"] == email_address]


def test_the_no_js_form_has_the_opt_in_too(live_server, page):
    article, reader = unique(), f"{unique('nojs')}@example.org"
    page.goto(f"{live_server.url}/embed/{article}")
    page.locator("#f-body").fill("Posted without JavaScript.")
    page.locator("#f-name").fill("Nojs Reader")
    page.locator("#f-email").fill(reader)
    page.get_by_label("Notify me of follow-up comments by email.").check()
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".notice")).to_have_text("Your comment is awaiting moderation.")

    engine = create_engine(live_server.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            count = connection.execute(
                text("SELECT count(*) FROM subscriptions WHERE email = :email"), {"email": reader}
            ).scalar()
    finally:
        engine.dispose()
    assert count == 1


def test_a_mails_approve_link_opens_the_confirmation_page(live_server, page, screenshots):
    article = unique()
    body = f"Held for the link test {uuid.uuid4().hex[:6]}"
    status, held = live_server.api(
        "POST",
        f"/api/v1/articles/{article}/comments",
        {"name": "Dana", "email": "dana@example.org", "body": body},
    )
    assert status == 202
    run_worker(live_server)
    mail = next(m for m in mails_to(live_server, live_server.moderator_email) if body in plain(m))
    link = re.search(r"Approve: (\S+)", plain(mail)).group(1)

    page.goto(link)
    expect(page.get_by_role("heading", name=f"Approve comment #{held['id']}?")).to_be_visible()
    expect(page.locator(".comment-html")).to_contain_text(body)
    save(page, screenshots, "decide-confirm.png")
    assert comment_status(live_server, held["id"]) == "pending"  # opening it decided nothing

    page.get_by_role("button", name="Approve").click()
    expect(
        page.get_by_role("heading", name=f"Comment #{held['id']} is now approved")
    ).to_be_visible()
    save(page, screenshots, "decide-done.png")
    assert comment_status(live_server, held["id"]) == "approved"
    assert page.problems == []

    page.goto(link)
    expect(page.get_by_role("heading", name="Nothing was changed")).to_be_visible()
    expect(page.locator(".notice-error")).to_contain_text("used already")
    save(page, screenshots, "decide-reused.png")
    assert all("409 (CONFLICT)" in problem for problem in page.problems)  # the page's own status


def comment_status(live_server, comment_id: int) -> str:
    status, comment = live_server.api("GET", f"/api/v1/comments/{comment_id}")
    assert status == 200
    return comment["status"]
