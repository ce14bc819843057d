"""The review UI in a real browser: sign in, decide with the keyboard, bulk, undo, XSS."""

import re
import uuid

from playwright.sync_api import expect

HOSTILE = (
    "<img src=x onerror=alert(1)> <script>alert(1)</script> "
    '<a href="javascript:alert(1)">x</a> <svg onload=alert(1)>'
)


def _article(name: str) -> str:
    # The live server's database is shared by every browser test of the session.
    return f"browser-{name}-{uuid.uuid4().hex[:8]}"


def _held(live_server, article: str, **fields) -> int:
    body = {"name": "Reader", "email": "reader@example.org", "body": "Held for review."} | fields
    status, answer = live_server.api("POST", f"/api/v1/articles/{article}/comments", body)
    assert status == 202, answer
    return answer["id"]


def _status(live_server, comment_id: int) -> str:
    status, answer = live_server.api("GET", f"/api/v1/comments/{comment_id}")
    assert status == 200, answer
    return answer["status"]


def _sign_in(page, live_server, email=None):
    page.goto(live_server.url + "/review/")
    expect(page).to_have_url(re.compile(r"/review/login\?next="))
    page.get_by_label("Email").fill(email or live_server.moderator_email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()


def test_approve_with_the_a_key_publishes_the_comment(live_server, page, screenshots):
    article = _article("approve")
    older = _held(live_server, article, name="Older Reader", body="First, and older.")
    newer = _held(live_server, article, name="Amrita", body="Does the *subsidy* cover fans?")
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/review/?article={article}")
    rows = page.locator("tr.comment-row")
    expect(rows).to_have_count(2)
    expect(page.locator(f"#c-{newer}")).to_have_class(re.compile(r"\bcurrent\b"))
    page.screenshot(path=screenshots / "review-queue.png", full_page=True)

    page.keyboard.press("a")
    expect(page.locator(f"#c-{newer}")).to_have_count(0)
    expect(page.get_by_role("status").first).to_contain_text(f"Comment #{newer} approved.")
    # The moderator lands on the next comment, ready for the next key.
    expect(page.locator(f"#c-{older}")).to_have_class(re.compile(r"\bcurrent\b"))
    assert _status(live_server, newer) == "approved"
    status, thread = live_server.api("GET", f"/api/v1/articles/{article}/comments")
    assert status == 200
    assert [c["id"] for c in thread["comments"]] == [newer]

    page.keyboard.press("?")
    expect(page.get_by_role("region", name="Keyboard shortcuts")).to_be_visible()
    page.screenshot(path=screenshots / "review-queue-after-approve.png", full_page=True)
    page.keyboard.press("?")

    page.keyboard.press("e")  # edit: the detail page opens with the text field focused
    expect(page).to_have_url(re.compile(rf"/review/comments/{older}#edit$"))
    expect(page.get_by_label("Text (re-sanitised when saved)")).to_be_focused()
    assert page.problems == []


def test_bulk_spam_three_comments_then_undo(live_server, page, screenshots):
    article = _article("bulk")
    ids = [_held(live_server, article, body=f"Buy cheap watches {n}") for n in range(3)]
    keep = _held(live_server, article, body="A real comment.")
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/review/?article={article}")
    # Newest first: the real comment, then the three to spam. Select them with j and x.
    expect(page.locator(f"#c-{keep}")).to_have_class(re.compile(r"\bcurrent\b"))
    for comment_id in reversed(ids):
        page.keyboard.press("j")
        page.keyboard.press("x")
        expect(page.locator(f"#sel-{comment_id}")).to_be_checked()
    expect(page.locator(f"#sel-{keep}")).not_to_be_checked()
    page.get_by_label("Bulk action", exact=True).select_option("spam")
    page.get_by_role("button", name="Apply to selected").click()
    confirm = page.get_by_role("group", name="Confirm the bulk action")
    expect(confirm).to_contain_text("3 comments will change")
    page.screenshot(path=screenshots / "review-bulk-confirm.png", full_page=True)
    confirm.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("status").first).to_contain_text("3 comments marked as spam.")
    expect(page.locator("tr.comment-row")).to_have_count(1)
    assert [_status(live_server, i) for i in ids] == ["spam"] * 3
    assert _status(live_server, keep) == "pending"

    page.keyboard.press("u")
    expect(page.get_by_role("status").first).to_contain_text("Undone: 3 comments")
    expect(page.locator("tr.comment-row")).to_have_count(4)
    assert [_status(live_server, i) for i in ids] == ["pending"] * 3
    assert page.problems == []


def test_hostile_comment_runs_no_script(live_server, page, screenshots):
    article = _article("hostile")
    comment_id = _held(live_server, article, name="<script>alert(2)</script>", body=HOSTILE)
    _sign_in(page, live_server, live_server.admin_email)
    page.goto(f"{live_server.url}/review/?article={article}")
    row = page.locator(f"#c-{comment_id}")
    expect(row).to_contain_text("<img src=x onerror=alert(1)>")
    expect(row).to_contain_text("<script>alert(2)</script>")
    assert page.locator(".comment-html img, .comment-html script, .comment-html svg").count() == 0

    row.get_by_role("link", name="Details").click()
    expect(page.get_by_role("heading", name=f"Comment #{comment_id}")).to_be_visible()
    expect(page.locator("pre.raw").first).to_contain_text('<a href="javascript:alert(1)">x</a>')
    hrefs = page.locator(".comment-html a").evaluate_all("els => els.map(e => e.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    page.screenshot(path=screenshots / "review-detail.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/review/?article={article}")
    page.screenshot(path=screenshots / "review-queue-phone.png", full_page=True)
    assert page.problems == []


def test_admin_invites_a_moderator_who_sets_a_password_and_signs_in(
    live_server, browser, page, screenshots
):
    article = _article("admin")
    _held(live_server, article)
    _sign_in(page, live_server, live_server.admin_email)
    for name in ("Articles", "Activity", "API keys"):
        page.get_by_role("navigation", name="Review UI").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        page.screenshot(path=screenshots / f"review-{name.lower().replace(' ', '-')}.png")

    page.get_by_role("link", name="Moderators").click()
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name shown on their replies (optional)").fill("Nia")
    page.get_by_role("button", name="Invite").click()
    link = page.get_by_label("Set-password link").input_value()
    assert link.startswith(live_server.url + "/review/set-password/")
    page.screenshot(path=screenshots / "review-moderators.png", full_page=True)

    invited = browser.new_context().new_page()
    try:
        invited.goto(link)
        invited.get_by_label("New password (at least 10 characters)").fill("a long new password")
        invited.get_by_label("The same password again").fill("a long new password")
        invited.get_by_role("button", name="Set password").click()
        expect(invited.get_by_role("status")).to_contain_text("Your password is set")
        invited.get_by_label("Email").fill(email)
        invited.get_by_label("Password").fill("a long new password")
        invited.get_by_role("button", name="Sign in").click()
        expect(invited.get_by_role("heading", name="Comments")).to_be_visible()
        invited.goto(link)  # the link worked once
        expect(invited.get_by_role("heading", name=re.compile("not valid"))).to_be_visible()
    finally:
        invited.context.close()
    assert page.problems == []
