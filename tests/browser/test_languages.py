"""The widget, the no-JS page and the review UI in the reader's and the moderator's language.

Urdu is the seed site's language and is written right to left: the pages mirror (dir="rtl",
logical CSS), replies indent from the right, and an English name stays readable in <bdi>.
Screenshots go to the `screenshots` folder, or to $COMMENTSVC_SCREENS when set.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.test_widget import SHADOW_HTML, approve, fill, published, unique

HELD_UR = "آپ کا تبصرہ منظوری کا منتظر ہے۔"
POST_UR = "تبصرہ بھیجیں"
COUNT_UR = re.compile(r"^(کوئی تبصرہ نہیں|[\d,٬]+ تبصرہ|[\d,٬]+ تبصرے)$")
DIRECTION = "(el) => getComputedStyle(el).direction"


@pytest.fixture
def shots(screenshots) -> Path:
    folder = Path(os.environ.get("COMMENTSVC_SCREENS") or screenshots)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def host_page(live_server, page, article: str, *, html_lang: str | None, widget_lang=None):
    """A widget mounted on an article page of the allowed origin with only the given hints.

    The demo page (served from the loopback, so Chromium lets it load embed.js) has its
    <html lang> set or removed, then gets a new widget element, which embed.js mounts.
    """
    page.goto(f"{live_server.host_url}/demo/?article={unique('other')}")
    page.wait_for_function("() => window.commentsvc && window.commentsvc.scan")
    page.evaluate(
        """([article, htmlLang, widgetLang]) => {
          const root = document.documentElement;
          if (htmlLang) root.setAttribute("lang", htmlLang); else root.removeAttribute("lang");
          root.removeAttribute("dir");
          const host = document.createElement("div");
          host.dataset.commentsvcArticle = article;
          if (widgetLang) host.dataset.commentsvcLang = widgetLang;
          document.querySelector("main").prepend(host);
          window.commentsvc.scan();
        }""",
        [article, html_lang, widget_lang],
    )
    return page.locator(f'main > [data-commentsvc-article="{article}"]')


def test_demo_page_in_urdu_thread_form_counts_and_held_message_right_to_left(
    live_server, page, shots
):
    article = unique()
    root = published(live_server, article, name="Amrita Kaur", body="The zig-zag kilns work.")
    reply = published(
        live_server, article, name="بلال احمد", body="جی ہاں، درست ہے۔", parent_id=root["id"]
    )
    page.goto(f"{live_server.host_url}/demo/?article={article}&lang=ur")
    assert page.locator("html").get_attribute("dir") == "rtl"
    widget = page.locator(f'[data-commentsvc-article="{article}"]')
    section = widget.locator("section.commentsvc")
    expect(section).to_have_attribute("lang", "ur")
    expect(section).to_have_attribute("dir", "rtl")
    assert section.evaluate(DIRECTION) == "rtl"
    # The thread and its counted heading: Urdu's "other" form for 2.
    expect(widget.locator(".comments-title")).to_have_text("2 آراء")
    expect(widget.get_by_role("heading", name="اپنا جواب لکھیں")).to_be_visible()
    expect(widget.get_by_role("button", name=POST_UR)).to_be_visible()
    expect(widget.locator("label[for=f-name]")).to_contain_text("نام")
    # The English name stays whole inside the Urdu thread.
    expect(widget.locator(f"#comment-{root['id']} > article .comment-author bdi")).to_have_text(
        "Amrita Kaur"
    )
    # Replies indent from the right: the child box ends further from the right edge.
    parent_box = widget.locator(f"#comment-{root['id']} > article").bounding_box()
    child_box = widget.locator(f"#comment-{reply['id']} > article").bounding_box()
    parent_end = parent_box["x"] + parent_box["width"]
    child_end = child_box["x"] + child_box["width"]
    assert child_end < parent_end - 10
    assert abs(child_box["x"] - parent_box["x"]) < 2
    # Relative times through Intl in Urdu ("… پہلے" or "ابھی ابھی").
    time_text = widget.locator(f"#comment-{root['id']} > article time").inner_text()
    assert re.search(r"پہلے|ابھی ابھی", time_text), time_text
    # Counts on the page, in Urdu through plural forms.
    counts = page.locator("[data-commentsvc-count]")
    expect(counts.first).to_have_text("2 تبصرے")
    for i in range(counts.count()):
        expect(counts.nth(i)).to_have_text(COUNT_UR)
    page.screenshot(path=shots / "demo-ur.png", full_page=True)

    # A client-side error and the held message, in Urdu.
    fill(widget, "", name="Zoe", email="not-an-email")
    widget.get_by_role("button", name=POST_UR).click()
    expect(widget.locator("#f-email-error")).to_have_text("درست ای میل پتہ درج کریں۔")
    fill(widget, "کیا ضلعی دفتر فارم لیتا ہے؟", name="Zoe Reader", email=f"{unique()}@example.org")
    widget.get_by_role("button", name=POST_UR).click()
    expect(widget.locator(".comment-respond .notice")).to_have_text(HELD_UR)
    expect(widget.locator("li.comment.pending .awaiting")).to_have_text(HELD_UR)
    page.screenshot(path=shots / "demo-ur-held.png", full_page=True)
    assert "Leave a Reply" not in page.evaluate(SHADOW_HTML)
    assert page.problems == []


def test_widget_language_from_its_attribute_then_html_lang_then_the_browser(live_server, browser):
    article = unique()
    published(live_server, article)
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        # 1. data-commentsvc-lang wins over the page's lang and the browser's languages.
        widget = host_page(live_server, page, article, html_lang="es", widget_lang="fr")
        expect(widget.get_by_role("button", name="Publier le commentaire")).to_be_visible()
        expect(widget.locator(".comments-title")).to_have_text("Un avis")
        # 2. Then <html lang>.
        widget = host_page(live_server, page, article, html_lang="ur-PK")
        expect(widget.get_by_role("button", name=POST_UR)).to_be_visible()
        assert widget.locator("section").evaluate(DIRECTION) == "rtl"
        # 3. Then the browser's languages (its Accept-Language).
        widget = host_page(live_server, page, article, html_lang=None)
        expect(widget.get_by_role("button", name="Kommentar abschicken")).to_be_visible()
        expect(widget.locator(".comments-title")).to_have_text("Eine Meinung")
        assert widget.locator("section").evaluate(DIRECTION) == "ltr"
        # A page language the service does not ship falls through to the browser's.
        widget = host_page(live_server, page, article, html_lang="ja")
        expect(widget.get_by_role("button", name="Kommentar abschicken")).to_be_visible()
        # The service's own answers follow the widget's language too (a 422 from the API).
        widget = host_page(live_server, page, article, html_lang="es", widget_lang="ur")
        too_long = "x" * 201
        fill(widget, "سلام", name="Zoe", email=f"{unique()}@example.org", url="")
        widget.locator("#f-url").fill("https://example.org/" + too_long)
        widget.get_by_role("button", name=POST_UR).click()
        expect(widget.locator("#f-url-error")).to_have_text(re.compile("زیادہ سے زیادہ لمبائی"))
    finally:
        context.close()


def test_no_js_page_in_urdu_by_lang_parameter(live_server, browser, shots):
    article = unique()
    root = published(live_server, article, name="Amrita Kaur", body="Good reporting.")
    published(live_server, article, name="Sana", body="متفق", parent_id=root["id"])
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/embed/{article}?lang=ur")
        assert page.locator("html").get_attribute("lang") == "ur"
        assert page.locator("body").evaluate(DIRECTION) == "rtl"
        expect(page.locator(".comments-title")).to_have_text("2 آراء")
        expect(page.get_by_role("button", name=POST_UR)).to_be_visible()
        expect(page.locator(".comment-author bdi").first).to_have_text("Amrita Kaur")
        page.screenshot(path=shots / "embed-ur.png", full_page=True)
        # Without the parameter, the browser's language.
        page.goto(f"{live_server.url}/embed/{article}")
        assert page.locator("html").get_attribute("dir") == "ltr"
        expect(page.get_by_role("button", name="Post Comment")).to_be_visible()
    finally:
        context.close()


def _urdu_admin(live_server) -> str:
    email = f"{unique('urdu')}@example.org"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "commentsvc",
            "moderators",
            "create",
            email,
            "--role",
            "admin",
            "--password",
            live_server.password,
        ],
        env=live_server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return email


def test_review_ui_in_urdu_right_to_left(live_server, browser, shots):
    email = _urdu_admin(live_server)
    article = unique()
    status, answer = live_server.api(
        "POST",
        f"/api/v1/articles/{article}/comments",
        {"name": "Amrita Kaur", "email": "amrita@example.org", "body": "Held for review."},
    )
    assert status == 202, answer
    context = browser.new_context(locale="ur-PK", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        # Signed out, the browser's language.
        page.goto(f"{live_server.url}/review/login")
        assert page.locator("html").get_attribute("dir") == "rtl"
        expect(page.get_by_role("heading", name="ماڈریشن کے لیے سائن ان کریں")).to_be_visible()
        assert page.locator("main").evaluate(DIRECTION) == "rtl"
        page.screenshot(path=shots / "review-sign-in-ur.png", full_page=True)
        page.get_by_label("ای میل").fill(email)
        page.get_by_label("پاس ورڈ").fill(live_server.password)
        page.get_by_role("button", name="سائن ان").click()

        # Their own choice, on the profile page, then kept.
        page.goto(f"{live_server.url}/review/profile")
        page.get_by_label(
            "جائزے کا صفحہ اور آپ کو ملنے والی ای میلز اس زبان میں ہوں"
        ).select_option("ur")
        page.locator("#locale").evaluate("(el) => el.form.requestSubmit()")
        expect(page.locator(".messages")).to_contain_text("محفوظ ہو گئی: آپ کی زبان۔")

        page.goto(f"{live_server.url}/review/?status=pending&article={article}")
        nav = page.get_by_role("navigation", name="جائزے کا مینو")
        for label in ("تبصرے", "مضامین", "سرگرمی", "ترتیبات", "پروفائل"):
            expect(nav.get_by_role("link", name=label)).to_be_visible()
        expect(page.locator(".comments-table")).to_contain_text("Held for review.")
        nav_box = nav.bounding_box()
        main_box = page.locator("main").bounding_box()
        assert nav_box["x"] > main_box["x"], "the menu sits on the right in Urdu"
        page.screenshot(path=shots / "review-queue-ur.png", full_page=True)

        comment_id = answer["id"]
        page.goto(f"{live_server.url}/review/comments/{comment_id}")
        expect(page.get_by_role("heading", name="ماڈریشن کا تاریخچہ")).to_be_visible()
        page.screenshot(path=shots / "review-comment-ur.png", full_page=True)

        page.goto(f"{live_server.url}/review/settings/discussion")
        expect(page.get_by_role("heading", name="گفتگو کی ترتیبات")).to_be_visible()
        page.screenshot(path=shots / "review-settings-ur.png", full_page=True)
    finally:
        context.close()
    approve(live_server, comment_id)


# Words of the English source that must not be left on the admins' pages in Urdu.
ENGLISH_LEFT = re.compile(
    r"\b(Invite|Role|Revoke|Create|Endpoint|Register|Moderator|Erase|Anonymise|Remove|"
    r"Move|Yes|Nothing|Filter|When|Who|Scope|never|active)\b"
)


def _urdu_text(page) -> str:
    text = page.locator("main").inner_text()
    assert not ENGLISH_LEFT.search(text), ENGLISH_LEFT.search(text)
    return text


def test_review_admin_pages_in_urdu(live_server, browser, shots):
    email = _urdu_admin(live_server)
    author = f"{unique('author')}@example.org"
    article = unique()
    for body in ("First held comment.", "Second held comment."):
        status, answer = live_server.api(
            "POST",
            f"/api/v1/articles/{article}/comments",
            {"name": "Amrita Kaur", "email": author, "body": body},
        )
        assert status == 202, answer
    # Without JavaScript: the bulk action asks on its own page.
    context = browser.new_context(
        locale="ur-PK", viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/review/login")
        page.get_by_label("ای میل").fill(email)
        page.get_by_label("پاس ورڈ").fill(live_server.password)
        page.get_by_role("button", name="سائن ان").click()

        pages = [
            ("moderators", "/review/moderators", "ماڈریٹرز"),
            ("activity", "/review/activity", "سرگرمی"),
            ("api-keys", "/review/api-keys", "API کلیدیں"),
            ("webhooks", "/review/webhooks", "ویب ہُکس"),
        ]
        for name, path, heading in pages:
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("dir") == "rtl"
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            _urdu_text(page)
            page.screenshot(path=shots / f"review-{name}-ur.png", full_page=True)

        page.goto(f"{live_server.url}/review/privacy/erase?email={author}")
        expect(page.get_by_role("heading", level=1)).to_contain_text("کا ڈیٹا مٹائیں؟")
        assert "2 تبصرے" in _urdu_text(page)
        page.screenshot(path=shots / "review-privacy-erase-ur.png", full_page=True)

        page.goto(f"{live_server.url}/review/?status=pending&article={article}")
        page.locator('input[name="ids"]').first.check()
        page.locator("#bulk-action").select_option("approve")
        page.locator('button[name="scope"][value="selected"]').click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "1 تبصرہ منظور شدہ میں منتقل کریں؟"
        )
        expect(page.locator("button.button-primary")).to_have_text(
            "جی ہاں، 1 تبصرہ منظور شدہ میں منتقل کریں"
        )
        _urdu_text(page)
        page.screenshot(path=shots / "review-bulk-confirm-ur.png", full_page=True)
    finally:
        context.close()
