"""The submission policy in Chromium, on a server with the README's defaults: a bot that
fills the honeypot and posts at once lands in Spam; a person who takes their time is held
only for the configured reasons; admins try settings with a preview before saving them."""

import re
import uuid

from playwright.sync_api import expect

HELD = "Your comment is awaiting moderation."
# What a careless bot does in the widget: fill every input it finds, submit at once.
BOT_FILLS_EVERYTHING = """(host) => {
  const root = host.shadowRoot;
  const values = {body: "Great post! Visit cheap-meds.example", name: "Best Pills",
                  email: "bot@spam.example", url: "https://cheap-meds.example",
                  subject: "https://cheap-meds.example"};
  for (const input of root.querySelectorAll("form input[name], form textarea[name]")) {
    input.value = values[input.name] ?? "spam";
  }
  root.querySelector("form").requestSubmit();
}"""


def _article() -> str:
    return f"policy-{uuid.uuid4().hex[:8]}"


def _reader_address(page) -> str:
    """Every request of this tab comes from an address of its own (the server trusts one proxy)."""
    n = uuid.uuid4().int
    address = f"10.{n % 256}.{(n >> 8) % 256}.{(n >> 16) % 256}"
    # Added where the request leaves the browser (not as a page header, which would make
    # every cross-origin fetch need a preflight).
    page.route(
        "**/*",
        lambda route: route.continue_(
            headers={**route.request.headers, "x-forwarded-for": address}
        ),
    )
    return address


def _refusals_only(problems: list[str]) -> bool:
    """The browser logs each 4xx answer to fetch as a console error; nothing else may appear."""
    return all(re.search(r"status of (409|429)", p) for p in problems)


def _comment(server, comment_id: int) -> dict:
    status, answer = server.api("GET", f"/api/v1/comments/{comment_id}")
    assert status == 200, answer
    return answer


def _queue(server, article: str) -> list[dict]:
    status, answer = server.api("GET", f"/api/v1/comments?article_id={article}")
    assert status == 200, answer
    return answer["comments"]


def _open_widget(page, server, article: str):
    page.goto(f"{server.host_url}/demo/?article={article}")
    widget = page.locator(f'[data-commentsvc-article="{article}"]')
    expect(widget.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    return widget


def test_a_bot_that_fills_the_honeypot_and_posts_at_once_lands_in_spam(policy_server, page):
    article = _article()
    _reader_address(page)
    widget = _open_widget(page, policy_server, article)

    widget.evaluate(BOT_FILLS_EVERYTHING)

    expect(widget.locator(".comment-respond .notice")).to_have_text(HELD)  # told nothing
    (stored,) = _queue(policy_server, article)
    assert stored["status"] == "spam"
    rules = {r["rule"]: r for r in stored["held_reasons"]}
    assert {"honeypot", "time_trap"} <= set(rules)
    # Posted as soon as the widget was drawn: under 3 s (under 1 s is spam by itself, but
    # a loaded test machine may take longer than that to draw the page).
    assert rules["time_trap"]["details"]["seconds"] < 3

    # Straight away again, as a bot does: refused (the same text: a duplicate), and
    # nothing stored twice.
    widget.evaluate(BOT_FILLS_EVERYTHING)
    expect(widget.locator(".comment-respond .notice")).to_have_text(
        "Duplicate comment detected; it looks as though you\u2019ve already said that!"
    )
    assert len(_queue(policy_server, article)) == 1
    assert _refusals_only(page.problems)


def test_a_bot_on_the_no_js_form_lands_in_spam_too(policy_server, page):
    article = _article()
    _reader_address(page)
    page.goto(f"{policy_server.url}/embed/{article}")
    page.evaluate(
        """() => {
          const values = {email: "bot2@spam.example", url: "https://cheap-meds.example"};
          for (const input of document.querySelectorAll("form [name]:not([type=hidden])")) {
            input.value = values[input.name] || "cheap pills";
          }
          document.querySelector("form").submit();
        }"""
    )

    expect(page.locator(".notice")).to_have_text(HELD)
    (stored,) = _queue(policy_server, article)
    assert stored["status"] == "spam"
    assert "honeypot" in [r["rule"] for r in stored["held_reasons"]]


def test_a_person_who_waits_is_held_only_for_the_configured_reasons(
    policy_server, page, screenshots
):
    article = _article()
    address = _reader_address(page)
    widget = _open_widget(page, policy_server, article)
    trap = widget.locator("#f-subject")
    expect(trap).to_have_attribute("tabindex", "-1")
    assert widget.locator(".comment-form-subject").get_attribute("aria-hidden") == "true"
    box = trap.bounding_box()
    assert box is None or box["x"] + box["width"] < 0  # off-screen, not type=hidden

    widget.locator("#f-body").fill("The retrofit cut the smoke in our village by half.")
    widget.locator("#f-name").fill("Amrita Kaur")
    widget.locator("#f-email").fill(f"amrita-{uuid.uuid4().hex[:6]}@example.org")
    widget.locator("#f-url").focus()
    page.keyboard.press("Tab")  # Tab skips the trap: the next stop is the first checkbox
    assert widget.evaluate("(host) => host.shadowRoot.activeElement.id") == "f-notify"
    page.wait_for_timeout(3200)  # longer than COMMENTSVC_MIN_FORM_SECONDS
    widget.get_by_role("button", name="Post Comment").click()

    expect(widget.locator(".comment-respond .notice")).to_have_text(HELD)
    page.screenshot(path=screenshots / "policy-person-held.png", full_page=True)
    (stored,) = _queue(policy_server, article)
    assert stored["status"] == "pending" and stored["remote_addr"] == address
    assert [r["rule"] for r in stored["held_reasons"]] == ["moderation_mode"]
    assert page.problems == []


def _sign_in(page, server):
    page.goto(server.url + "/review/login")
    page.get_by_label("Email").fill(server.admin_email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()


def test_the_settings_page_previews_then_saves(policy_server, page, screenshots):
    article = _article()
    for n, body in enumerate(["Buy cheap pills today", "Cheap pills again", "A fair point."]):
        status, held = policy_server.api(
            "POST",
            f"/api/v1/articles/{article}/comments",
            {"name": f"R{n}", "email": f"r{n}-{article}@example.org", "body": body},
        )
        assert status == 202, held
        action = "spam" if "pills" in body else "approve"
        policy_server.api("POST", f"/api/v1/comments/{held['id']}/moderation", {"action": action})
    _sign_in(page, policy_server)
    page.get_by_role("navigation", name="Review UI").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Discussion settings")).to_be_visible()

    page.get_by_label("Publish at once, unless a rule below holds it").check()
    page.locator("#disallowed-words").fill("cheap pills")
    page.get_by_role("button", name="Preview").click()

    # The server's database is shared by this module's tests: count what is there.
    status, spam = policy_server.api("GET", "/api/v1/comments?status=spam&limit=200")
    status, approved = policy_server.api("GET", "/api/v1/comments?status=approved&limit=200")
    total_spam, total_approved = len(spam["comments"]), len(approved["comments"])
    assert total_spam >= 2 and total_approved >= 1
    preview = page.get_by_role("region", name=re.compile("Preview"))
    expect(preview).to_contain_text(
        f"With these settings, {total_spam} of the {total_spam} comments moderators marked as "
        "spam would have gone to spam"
    )
    expect(preview).to_contain_text(
        f"0 of the {total_approved} approved comments would have been held"
    )
    expect(page.locator("#disallowed-words")).to_have_value("cheap pills")
    page.screenshot(path=screenshots / "settings-discussion-preview.png", full_page=True)

    page.get_by_role("button", name="Save Changes").click()
    expect(page.get_by_role("status").first).to_contain_text("Settings saved.")
    status, saved = policy_server.api("GET", "/api/v1/settings/discussion")
    assert saved["disallowed_words"] == ["cheap pills"] and saved["moderation"] == "none"
    page.get_by_role("navigation", name="Review UI").get_by_role("link", name="Activity").click()
    expect(page.locator("table")).to_contain_text("moderation: all → none")
    page.screenshot(path=screenshots / "activity-settings.png", full_page=True)

    page.goto(f"{policy_server.url}/review/?status=spam&article={article}")
    expect(page.locator(".tag").first).to_be_visible()
    page.screenshot(path=screenshots / "queue-spam-tab.png", full_page=True)
    policy_server.api(
        "PUT", "/api/v1/settings/discussion", {"moderation": None, "disallowed_words": None}
    )
    assert page.problems == []
