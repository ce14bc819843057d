"""A privacy request in Chromium: an admin downloads a reader's data, then erases it."""

import json
import re
import uuid
from pathlib import Path

from playwright.sync_api import expect


def _sign_in_admin(page, live_server):
    page.goto(live_server.url + "/review/login")
    page.get_by_label("Email").fill(live_server.admin_email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()


def _comment(live_server, article: str, email: str, **fields) -> int:
    body = {"name": "Pat Private", "email": email, "body": "My own words."} | fields
    status, answer = live_server.api("POST", f"/api/v1/articles/{article}/comments", body)
    assert status == 202, answer
    return answer["id"]


def test_an_admin_downloads_then_removes_a_readers_data(live_server, page, screenshots):
    article = f"browser-privacy-{uuid.uuid4().hex[:8]}"
    email = f"pat.{uuid.uuid4().hex[:8]}@example.org"
    replied = _comment(live_server, article, email)
    assert (
        live_server.api("POST", f"/api/v1/comments/{replied}/moderation", {"action": "approve"})[0]
        == 200
    )
    reply = _comment(
        live_server, article, "olu@example.org", name="Olu", body="A reply.", parent_id=replied
    )
    assert (
        live_server.api("POST", f"/api/v1/comments/{reply}/moderation", {"action": "approve"})[0]
        == 200
    )
    held = _comment(live_server, article, email, body="Held words.")

    _sign_in_admin(page, live_server)
    page.goto(f"{live_server.url}/review/?article={article}")
    page.locator(f"#c-{held} .history a").click()
    expect(page.locator(".filter-note")).to_contain_text(email)
    page.screenshot(path=screenshots / "privacy-history.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download data").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["email"] == email
    assert sorted(c["id"] for c in data["comments"]) == [replied, held]

    page.get_by_role("link", name="Erase…").click()
    expect(page.locator(".privacy-count")).to_contain_text("2 comments")
    page.get_by_label("Remove").check()
    page.screenshot(path=screenshots / "privacy-erase-confirm.png", full_page=True)
    page.get_by_role("button", name="Erase the data of 2 comments").click()

    expect(page.get_by_role("status").first).to_contain_text("2 comments removed")
    expect(page).to_have_url(re.compile(r"/review/\?status=all$"))
    page.screenshot(path=screenshots / "privacy-erased.png", full_page=True)
    assert page.problems == []

    status, after = live_server.api("GET", f"/api/v1/privacy?email={email}")
    assert status == 200 and after["comments"] == []
    status, thread = live_server.api("GET", f"/api/v1/articles/{article}/comments")
    (placeholder,) = thread["comments"]
    assert placeholder["removed"] is True
    assert [r["id"] for r in placeholder["replies"]] == [reply]
