"""Accessibility in Chromium: axe-core on every page, the keyboard paths, focus, motion, zoom.

axe-core comes from `axe-playwright-python`, which bundles `axe.min.js` (no network). The
rules are WCAG 2.1 A and AA plus the best-practice rules issue 13 names. Every page is
checked in each language of LANGS; the translations (issue 13's other half) add "ur".
"""

import json
import re
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

HELD = "Your comment is awaiting moderation."

# Adding a language is this one line: every axe test runs once per entry.
LANGS = ["en", "ur"]
# The browser's languages for each: the review UI follows them when a moderator chose none.
BROWSER_LOCALE = {"en": "en-GB", "ur": "ur-PK"}

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
    "sign-in-refused",
    "not-found",
    "queue-pending",
    "queue-approved",
    "queue-spam",
    "queue-rejected",
    "queue-all",
    "queue-by-author",
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
    "privacy-erase",
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
    article, email = unique(), f"{unique('bilal')}@example.org"
    root = _submit(
        live_server, article, name="Bilal Ahmed", email=email, body="It does, if *registered*."
    )
    _decide(live_server, root, "approve")
    reply = _submit(live_server, article, name="Zoe", body="Where is the form?", parent_id=root)
    _decide(live_server, reply, "approve")
    held = _submit(live_server, article, name="Held Reader", body="Held for review.")
    spam = _submit(live_server, article, name="Cheap Watches", body="Buy watches")
    _decide(live_server, spam, "spam")
    rejected = _submit(live_server, article, name="Rude", body="Off topic.")
    _decide(live_server, rejected, "reject")
    return {"article": article, "root": root, "reply": reply, "held": held, "email": email}


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
            widget.locator("button.submit").click()
            expect(widget.locator("#f-name")).to_have_attribute("aria-invalid", "true")
        elif name == "demo-held":
            widget.locator("#f-body").fill("Checked by axe after posting.")
            widget.locator("#f-name").fill("Axe Reader")
            widget.locator("#f-email").fill(f"{unique()}@example.org")
            widget.locator("button.submit").click()
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
    if name == "queue-by-author":  # one author's comments, with the privacy-request actions
        url = f"{review}/?{urlencode({'status': 'all', 'email': thread['email']})}"
    elif name.startswith("queue-"):
        status = name.removeprefix("queue-")
        url = f"{review}/?{urlencode({'status': status, 'article': thread['article']})}"
    elif name == "sign-in-refused":
        page.goto(localised(f"{review}/login", lang))
        page.locator("#email").fill(f"{unique()}@example.org")  # no account's throttle
        page.locator("#password").fill("not the password")
        page.locator("button[type=submit]").click()
        expect(page.get_by_role("alert")).to_be_visible()
        return
    elif name == "not-found":
        response = page.goto(localised(f"{review}/comments/2147483647", lang))
        assert response.status == 404
        return
    elif name == "bulk-confirm":
        page.goto(localised(f"{review}/?article={thread['article']}", lang))
        page.locator("input[name=ids]").first.check()
        page.locator("#bulk-action").select_option("approve")
        # Without the script's inline confirmation, as a browser without JavaScript posts it.
        page.evaluate("document.getElementById('bulk-form').submit()")
        expect(page.locator("form button.button-primary")).to_be_visible()
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
                "privacy-erase": f"/privacy/erase?{urlencode({'email': thread['email']})}",
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
    signed_in = not name.startswith("sign-in")
    context = admin
    if lang != "en" or not signed_in:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale=BROWSER_LOCALE[lang]
        )
        if signed_in:
            context.add_cookies(admin.cookies())
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


# ---- keyboard alone

DEEP_ACTIVE = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body) return null;
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.name || "", type: el.type || "",
    label: el.getAttribute("aria-label") || "", text: (el.textContent || "").trim().slice(0, 80),
    invalid: el.getAttribute("aria-invalid"), describedby: el.getAttribute("aria-describedby"),
    inComment: el.closest(".comment") ? el.closest(".comment").id : null,
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(DEEP_ACTIVE)


def press_until(page, wanted, key: str = "Tab", limit: int = 80) -> dict:
    """Press `key` until the focused element (through shadow roots) satisfies `wanted`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now and wanted(now):
            return now
        seen.append(now and (now["tag"], now["id"] or now["text"][:20]))
    pytest.fail(f"{key} never reached it; focus went through {seen}")


def test_reader_replies_and_posts_with_the_keyboard_alone(live_server, thread, tab, screenshots):
    widget = _widget(tab, live_server, thread["article"], "en")
    root = f"comment-{thread['root']}"
    reply = press_until(tab, lambda f: f["label"] == "Reply to Bilal Ahmed")
    assert reply["tag"] == "button" and reply["inComment"] == root

    tab.keyboard.press("Enter")  # Reply: the form moves under the comment, focus into it
    now = focused(tab)
    assert (now["id"], now["inComment"]) == ("f-body", root)
    tab.keyboard.type("Which office takes the forms?")
    assert press_until(tab, lambda f: f["text"] == "Cancel reply", "Shift+Tab", 3)
    tab.keyboard.press("Space")  # Cancel reply: focus back on the Reply button it came from
    assert focused(tab)["label"] == "Reply to Bilal Ahmed"
    expect(widget.locator(".comment-reply-title > span")).to_have_text("Leave a Reply")

    tab.keyboard.press("Enter")
    assert focused(tab)["id"] == "f-body"
    expect(widget.locator("#f-body")).to_have_value("Which office takes the forms?")
    press_until(tab, lambda f: f["id"] == "f-name", limit=1)
    tab.keyboard.type("Keyboard Reader")
    press_until(tab, lambda f: f["text"] == "Post Comment", limit=6)
    tab.keyboard.press("Enter")  # no email: the field says so, and has the focus

    status = widget.get_by_role("status")
    expect(status).to_have_text("Please correct the fields marked below.")
    expect(status).to_have_attribute("aria-live", "polite")
    now = focused(tab)
    assert (now["id"], now["invalid"], now["describedby"]) == ("f-email", "true", "f-email-error")
    expect(widget.locator("#f-email-error")).to_have_text("Enter a valid email address.")
    tab.screenshot(path=screenshots / "keyboard-reader-field-error.png", full_page=True)

    tab.keyboard.type(f"{unique('kb')}@example.org")
    press_until(tab, lambda f: f["text"] == "Post Comment", limit=5)
    tab.keyboard.press("Space")
    expect(status).to_have_text(HELD)
    mine = widget.locator(f"#{root} .children li.pending")
    expect(mine).to_contain_text("Which office takes the forms?")
    assert focused(tab)["text"] == "Post Comment"  # the form moved back; focus stayed with it
    expect(widget.locator("#f-email")).not_to_have_attribute("aria-invalid", "true")
    tab.screenshot(path=screenshots / "keyboard-reader-held.png", full_page=True)
    assert tab.problems == []


def _keyboard_sign_in(page, live_server) -> None:
    page.goto(live_server.url + "/review/")
    # autofocus: Chromium may apply it a moment after the load event
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(live_server.moderator_email)
    page.keyboard.press("Tab")
    page.keyboard.type(live_server.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=re.compile("^Comments"))).to_be_visible()


def _select_rows_and_action(page, ids: list[int], action: str) -> None:
    for comment_id in ids:
        press_until(page, lambda f, c=comment_id: f["id"] == f"sel-{c}")
        page.keyboard.press("Space")
        expect(page.locator(f"#sel-{comment_id}")).to_be_checked()
    press_until(page, lambda f: f["id"] == "bulk-action", "Shift+Tab")
    page.keyboard.type(action)  # a select's own type-ahead
    press_until(page, lambda f: f["text"] == "Apply to selected", limit=1)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("script", [True, False], ids=["inline-confirm", "confirmation-page"])
def test_moderator_bulk_action_with_the_keyboard_alone(browser, live_server, script, screenshots):
    article = unique()
    ids = [_submit(live_server, article, body=f"Cheap watches {n}") for n in range(3)]
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=script
    )
    page = context.new_page()
    try:
        _keyboard_sign_in(page, live_server)
        page.goto(f"{live_server.url}/review/?article={article}")
        chosen = ids[:2]  # newest first: ids[2] is the first row
        _select_rows_and_action(page, chosen[::-1], "Mark as spam")
        if script:
            assert focused(page)["id"] == "bulk-confirm-yes"
            expect(page.locator("#bulk-confirm-text")).to_contain_text("2 comments will change")
        else:
            expect(page.get_by_role("heading", name="Move 2 comments to spam?")).to_be_visible()
            press_until(page, lambda f: f["text"].startswith("Yes, move 2"))
        page.screenshot(path=screenshots / f"keyboard-bulk-{'js' if script else 'nojs'}.png")
        page.keyboard.press("Enter")
        expect(page.locator(".messages")).to_contain_text("2 comments marked as spam.")
    finally:
        context.close()
    for comment_id in ids:
        status, answer = live_server.api("GET", f"/api/v1/comments/{comment_id}")
        assert status == 200
        assert answer["status"] == ("spam" if comment_id in chosen else "pending"), comment_id


# ---- what every page does: visible focus, 200 % zoom, reduced motion

# For the focused element (through shadow roots): its outline, and the colour behind the
# outline (the nearest painted background of its parents, a shadow root's host included).
FOCUS_RING = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body) return null;
  const up = (node) => node.parentElement || node.getRootNode().host || null;
  let behind = "rgb(255, 255, 255)";
  for (let node = up(el); node; node = up(node)) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && bg !== "transparent" && !/, 0\\)$/.test(bg)) { behind = bg; break; }
  }
  const style = getComputedStyle(el);
  // Each element gets a number the first time, so a lap round the page is noticed.
  window.__stops = window.__stops || new Map();
  if (!window.__stops.has(el)) window.__stops.set(el, window.__stops.size + 1);
  return {
    stop: window.__stops.get(el),
    what: `${el.tagName}#${el.id}.${el.className} ${(el.textContent || "").trim().slice(0, 30)}`,
    style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor,
    behind,
  };
}"""


def _rgb(css: str) -> tuple[float, float, float]:
    parts = [float(x) for x in re.findall(r"[\d.]+", css)[:4]]
    alpha = parts[3] if len(parts) == 4 else 1.0
    # A translucent colour shows over white (the pages' own background).
    return tuple(c * alpha + 255 * (1 - alpha) for c in parts[:3])


def contrast(a: tuple, b: tuple) -> float:
    def luminance(rgb):
        lin = [
            (c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
            for c in rgb
        ]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _open(name: str, live_server, thread, webhook_id, reader_tab, admin, lang="en"):
    """The page `name` of READER_PAGES or REVIEW_PAGES, opened in the right browser context."""
    if name in READER_PAGES:
        open_reader_page(reader_tab, live_server, thread, name, lang)
        return reader_tab
    page = reader_tab if name.startswith("sign-in") else admin.new_page()
    open_review_page(page, live_server, thread, webhook_id, name, lang)
    return page


ALL_PAGES = READER_PAGES + REVIEW_PAGES


@pytest.mark.parametrize("name", ALL_PAGES)
def test_focus_is_visible_on_every_stop(live_server, thread, admin, webhook_id, tab, name):
    page = _open(name, live_server, thread, webhook_id, tab, admin)
    try:
        page.evaluate("document.activeElement && document.activeElement.blur()")
        stops, problems, first = 0, [], None
        for _ in range(120):
            page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            if ring is None:
                continue  # past the last stop: the next Tab starts at the top again
            if ring["stop"] == first:
                break  # round once: every stop was seen
            first = first or ring["stop"]
            stops += 1
            if ring["style"] == "auto":
                continue  # the browser's own two-tone ring, visible on any background
            ratio = contrast(_rgb(ring["color"]), _rgb(ring["behind"]))
            if ring["style"] == "none" or ring["width"] < 2 or ratio < 3:
                problems.append((ring["what"], ring["style"], ring["width"], round(ratio, 2)))
        assert stops > 3, f"only {stops} focus stops on {name}"
        assert problems == []
    finally:
        if page is not tab:
            page.close()


@pytest.mark.parametrize("name", ALL_PAGES)
def test_zoom_to_200_percent_needs_no_horizontal_scrolling(
    live_server, thread, admin, webhook_id, tab, name, screenshots
):
    """A 1280 px window at 200 % is 640 CSS px wide: nothing may reach past its edge."""
    page = _open(name, live_server, thread, webhook_id, tab, admin)
    try:
        page.set_viewport_size({"width": 640, "height": 800})
        page.wait_for_function("() => document.documentElement.clientWidth === 640")
        width = page.evaluate(
            "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
        )
        page.screenshot(path=screenshots / f"zoom-200-{name}.png", full_page=True)
        assert width[0] <= width[1], (name, width)
    finally:
        if page is not tab:
            page.close()


# Motion a future change might add: under reduced motion the stylesheets must cancel it.
MOTION = "transition: color 1s; animation: spin 2s infinite; scroll-behavior: smooth;"
MOTION_CHECK = """(motion) => {
  const roots = [document];
  for (const el of document.querySelectorAll("*")) if (el.shadowRoot) roots.push(el.shadowRoot);
  for (const root of roots) {
    const style = document.createElement("style");
    style.textContent = `@keyframes spin { to { opacity: .5 } }
      a, button, .comment, html { ${motion} }`;
    (root === document ? document.head : root).append(style);
  }
  const moving = [];
  for (const root of roots) {
    for (const el of root.querySelectorAll("a, button, .comment, html")) {
      const s = getComputedStyle(el);
      const times = (s.transitionDuration + "," + s.animationDuration).split(",").map(parseFloat);
      if (times.some((t) => t > 0) || s.scrollBehavior === "smooth") moving.push(el.tagName);
    }
  }
  const reduced = matchMedia("(prefers-reduced-motion: reduce)").matches;
  return { reduced, moving: moving.length, first: moving.slice(0, 5) };
}"""


@pytest.mark.parametrize("name", ["demo-thread", "embed", "queue-pending", "comment"])
def test_reduced_motion_stops_transitions_animations_and_smooth_scrolling(
    browser, live_server, thread, admin, webhook_id, name
):
    # The review UI's and the embed page's CSP would refuse the injected <style> elements.
    context = browser.new_context(reduced_motion="reduce", bypass_csp=True)
    if name in REVIEW_PAGES:
        context.add_cookies(admin.cookies())
    page = context.new_page()
    try:
        if name in READER_PAGES:
            open_reader_page(page, live_server, thread, name, "en")
        else:
            open_review_page(page, live_server, thread, webhook_id, name, "en")
        found = page.evaluate(MOTION_CHECK, MOTION)
        assert found["reduced"] is True
        assert found["moving"] == 0, found
        # The same motion does show without the preference: the check can see it.
        page.emulate_media(reduced_motion="no-preference")
        assert page.evaluate(MOTION_CHECK, MOTION)["moving"] > 0
    finally:
        context.close()


def _widget_defaults() -> dict[str, str]:
    css = (Path(__file__).parents[2] / "commentsvc/static/widget.css").read_text()
    return dict(re.findall(r"--_([\w-]+): var\(--commentsvc-[\w-]+, (#[0-9a-fA-F]{3,6})\)", css))


def _hex(value: str) -> tuple[int, int, int]:
    digits = value[1:] if len(value) == 7 else "".join(c * 2 for c in value[1:])
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))


def test_widget_colour_defaults_meet_wcag_aa():
    """The --commentsvc-* defaults: text 4.5:1 on each default background it meets; borders 3:1."""
    colours = _widget_defaults()
    assert {"text", "muted", "accent", "accent-text", "error", "notice", "pending"} <= set(colours)
    page = "#ffffff"  # --commentsvc-background is transparent: the site's page, white here
    text_pairs = [
        (fg, bg)
        for fg in ("text", "muted", "accent", "error")
        for bg in (page, colours["field"], colours["notice"], colours["pending"])
    ] + [("accent-text", colours["accent"]), ("text", colours["border"]), ("error", "#fcf0f1")]
    low = [
        (fg, bg, round(ratio, 2))
        for fg, bg in text_pairs
        if (ratio := contrast(_hex(colours[fg]), _hex(bg))) < 4.5
    ]
    assert low == []
    assert contrast(_hex(colours["field-border"]), _hex(colours["field"])) >= 3


def test_without_javascript_a_refused_field_gets_the_focus(browser, live_server, thread):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/embed/{thread['article']}")
        press_until(page, lambda f: f["id"] == "f-body")
        page.keyboard.type("Posted with the keyboard, no script.")
        for field, text in (("f-name", "Keys Only"), ("f-email", "keys@example.org")):
            press_until(page, lambda f, want=field: f["id"] == want, limit=1)
            page.keyboard.type(text)
        press_until(page, lambda f: f["id"] == "f-url", limit=1)
        page.keyboard.type("ftp://files.example")
        page.keyboard.press("Enter")  # the server refuses the address and says why
        expect(page.locator("#f-url-error")).to_contain_text("http")
        now = focused(page)
        assert (now["id"], now["invalid"], now["describedby"]) == ("f-url", "true", "f-url-error")
    finally:
        context.close()
