"""Accessibility in Chromium: axe-core on every page, the keyboard paths, focus, motion, zoom.

axe-core comes from `axe-playwright-python`, which bundles `axe.min.js` (no network). The
rules are WCAG 2.1 A and AA plus the best-practice rules issue 13 names. Every page is
checked in each language of LANGS; the translations (issue 13's other half) add "ur".
"""

import json
import re
import uuid
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

HELD = "Your comment is awaiting moderation."

# Adding a language is this one line: every axe test runs once per entry.
LANGS = ["en"]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BEST_PRACTICE = [
    "landmark-unique",
    "landmark-one-main",
    "landmark-no-duplicate-main",
    "landmark-main-is-top-level",
    "page-has-heading-one",
    "region",
    "heading-order",
    "empty-heading",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {rule: {"enabled": True} for rule in BEST_PRACTICE},
    "resultTypes": ["violations"],
}
AXE = Axe()

REVIEW_PAGES = [
    "sign-in",
    "queue-pending",
    "queue-approved",
    "queue-spam",
    "queue-rejected",
    "queue-all",
    "comment",
    "articles",
    "activity",
    "moderators",
    "api-keys",
    "settings-discussion",
    "profile",
    "webhooks",
    "webhook",
    "outbox",
    "bulk-confirm",
]
READER_PAGES = ["demo-thread", "demo-field-errors", "demo-held", "embed", "embed-reply"]
READER_PAGES += ["embed-errors"]


def localised(url: str, lang: str) -> str:
    """The page in `lang`: `?lang=` on reader pages (the moderator's own choice in the review UI).

    English is the default and adds nothing, so the tests run before the translations land.
    """
    if lang == "en":
        return url
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode({"lang": lang})]))
    return urlunsplit(parts._replace(query=query))


def unique(prefix: str = "a11y") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _submit(live_server, article: str, **fields) -> int:
    body = {"name": "Amrita Kaur", "email": "amrita@example.org", "body": "First!"} | fields
    status, answer = live_server.api("POST", f"/api/v1/articles/{article}/comments", body)
    assert status == 202, answer
    return answer["id"]


def _decide(live_server, comment_id: int, action: str) -> None:
    status, answer = live_server.api(
        "POST", f"/api/v1/comments/{comment_id}/moderation", {"action": action}
    )
    assert status == 200, answer


@pytest.fixture(scope="module")
def thread(live_server) -> dict:
    """One article with a comment in each status, a reply, and one held for review."""
    article = unique()
    root = _submit(live_server, article, name="Bilal Ahmed", body="It does, if *registered*.")
    _decide(live_server, root, "approve")
    reply = _submit(live_server, article, name="Zoe", body="Where is the form?", parent_id=root)
    _decide(live_server, reply, "approve")
    held = _submit(live_server, article, name="Held Reader", body="Held for review.")
    spam = _submit(live_server, article, name="Cheap Watches", body="Buy watches")
    _decide(live_server, spam, "spam")
    rejected = _submit(live_server, article, name="Rude", body="Off topic.")
    _decide(live_server, rejected, "reject")
    return {"article": article, "root": root, "reply": reply, "held": held}


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/review/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Comments"))).to_be_visible()


@pytest.fixture(scope="module")
def admin(browser, live_server):
    """A browser context signed in as the admin, who sees every review page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    _sign_in(tab, live_server, live_server.admin_email)
    tab.close()
    yield context
    context.close()


@pytest.fixture(scope="module")
def webhook_id(admin, live_server) -> int:
    tab = admin.new_page()
    tab.goto(live_server.url + "/review/webhooks")
    tab.get_by_label("Address (https://…)").fill(f"https://hooks.example.org/{unique()}")
    tab.get_by_role("button", name="Register").click()
    link = tab.locator("table a[href*='/review/webhooks/']").last
    expect(link).to_be_visible()
    found = int(link.get_attribute("href").rstrip("/").rsplit("/", 1)[1])
    tab.close()
    return found


@pytest.fixture
def tab(browser):
    """A fresh tab that records page errors (for the reader's pages)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    yield page
    context.close()


def _widget(page, live_server, article: str, lang: str):
    page.goto(localised(f"{live_server.host_url}/demo/?article={article}", lang))
    widget = page.locator(f'[data-commentsvc-article="{article}"]')
    expect(widget.locator(".comment-list > li").first).to_be_visible()
    return widget


def open_reader_page(page, live_server, thread, name: str, lang: str) -> None:
    """Bring `page` to the reader's page called `name`, in the state that name says."""
    article = thread["article"]
    if name.startswith("demo"):
        widget = _widget(page, live_server, article, lang)
        if name == "demo-field-errors":
            widget.locator("#f-body").fill("A comment without a name.")
            widget.locator("#f-email").fill("not an address")
            widget.get_by_role("button", name=re.compile("Post")).click()
            expect(widget.locator("#f-name")).to_have_attribute("aria-invalid", "true")
        elif name == "demo-held":
            widget.locator("#f-body").fill("Checked by axe after posting.")
            widget.locator("#f-name").fill("Axe Reader")
            widget.locator("#f-email").fill(f"{unique()}@example.org")
            widget.get_by_role("button", name=re.compile("Post")).click()
            expect(widget.locator("li.comment.pending")).to_be_visible()
        return
    embed = f"{live_server.url}/embed/{article}"
    if name == "embed-reply":
        embed += f"?replytocom={thread['root']}"
    page.goto(localised(embed, lang))
    if name == "embed-errors":
        page.locator("#f-body").fill("Posted without JavaScript's help.")
        page.locator("#f-url").fill("ftp://files.example")
        page.evaluate("document.querySelector('.comment-form').submit()")  # skip `required`
        expect(page.locator("#f-url-error")).to_be_visible()


def open_review_page(page, live_server, thread, webhook_id, name: str, lang: str) -> None:
    """Bring `page` (signed in, except for the sign-in page) to the review page `name`."""
    review = live_server.url + "/review"
    if name.startswith("queue-"):
        status = name.removeprefix("queue-")
        url = f"{review}/?{urlencode({'status': status, 'article': thread['article']})}"
    elif name == "bulk-confirm":
        page.goto(localised(f"{review}/?article={thread['article']}", lang))
        page.locator("input[name=ids]").first.check()
        page.locator("#bulk-action").select_option("approve")
        # Without the script's inline confirmation, as a browser without JavaScript posts it.
        page.evaluate("document.getElementById('bulk-form').submit()")
        expect(page.get_by_role("button", name=re.compile("Yes, move"))).to_be_visible()
        return
    else:
        url = (
            review
            + {
                "sign-in": "/login",
                "comment": f"/comments/{thread['held']}",
                "articles": "/articles",
                "activity": "/activity",
                "moderators": "/moderators",
                "api-keys": "/api-keys",
                "settings-discussion": "/settings/discussion",
                "profile": "/profile",
                "webhooks": "/webhooks",
                "webhook": f"/webhooks/{webhook_id}",
                "outbox": "/outbox",
            }[name]
        )
    response = page.goto(localised(url, lang))
    assert response.status == 200, (name, response.status)


def axe_violations(page) -> list[dict]:
    results = AXE.run(page, options=AXE_OPTIONS)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [" ".join(map(str, n["target"])) for n in v["nodes"]][:5],
            "count": len(v["nodes"]),
        }
        for v in results.response["violations"]
    ]


def _check_axe(page, name: str, lang: str, screenshots) -> None:
    page.screenshot(path=screenshots / f"{name}-{lang}.png", full_page=True)
    violations = axe_violations(page)
    (screenshots / f"axe-{name}-{lang}.json").write_text(json.dumps(violations, indent=1))
    assert violations == [], json.dumps(violations, indent=1)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", READER_PAGES)
def test_axe_reader_pages(live_server, thread, tab, name, lang, screenshots):
    open_reader_page(tab, live_server, thread, name, lang)
    _check_axe(tab, name, lang, screenshots)
    assert tab.problems == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_axe_review_pages(live_server, thread, admin, webhook_id, browser, name, lang, screenshots):
    context = (
        browser.new_context(viewport={"width": 1280, "height": 900}) if name == "sign-in" else admin
    )
    page = context.new_page()
    try:
        open_review_page(page, live_server, thread, webhook_id, name, lang)
        _check_axe(page, f"review-{name}", lang, screenshots)
    finally:
        page.close()
        if context is not admin:
            context.close()


def test_axe_checks_the_rules_the_issue_names(tab):
    """The options really run the best-practice rules: a page without landmarks fails them."""
    tab.set_content("<html lang='en'><title>t</title><p style='color:#aaa'>Loose text</p></html>")
    found = {v["id"] for v in axe_violations(tab)}
    assert {"landmark-one-main", "page-has-heading-one", "region", "color-contrast"} <= found
