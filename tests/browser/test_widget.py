"""The embeddable widget in Chromium: on a news page of another origin, and without JavaScript."""

import uuid

import pytest
from playwright.sync_api import expect

from commentsvc import avatars

HELD = "Your comment is awaiting moderation."
SHADOW_HTML = """() => {
  const parts = [document.documentElement.outerHTML];
  const visit = (root) => root.querySelectorAll("*").forEach((el) => {
    if (el.shadowRoot) { parts.push(el.shadowRoot.innerHTML); visit(el.shadowRoot); }
  });
  visit(document);
  return parts.join("\\n");
}"""


def unique(prefix: str = "bt") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def published(live_server, article: str, **fields) -> dict:
    """Submit a comment through the API and approve it; return its public shape."""
    body = {"name": "Amrita Kaur", "email": "amrita@example.org", "body": "First!"} | fields
    status, held = live_server.api("POST", f"/api/v1/articles/{article}/comments", body)
    assert status == 202, held
    approve(live_server, held["id"])
    return held["comment"]


def approve(live_server, comment_id: int) -> None:
    status, answer = live_server.api(
        "POST", f"/api/v1/comments/{comment_id}/moderation", {"action": "approve"}
    )
    assert status == 200, answer


def body_of(response) -> str:
    try:
        return response.text()
    except Exception:  # redirects and preflights have no body to read
        return ""


def open_demo(page, live_server, *articles: str, query: str = ""):
    params = "&".join(f"article={a}" for a in articles)
    page.goto(f"{live_server.host_url}/demo/?{params}{query}")
    widget = page.locator(f'[data-commentsvc-article="{articles[0]}"]')
    expect(widget.locator(".comments-title")).not_to_have_text("Comments")
    return widget


def fill(widget, body: str, name: str = "Zoe Reader", email: str = "", url: str = ""):
    widget.locator("#f-body").fill(body)
    widget.locator("#f-name").fill(name)
    widget.locator("#f-email").fill(email)
    widget.locator("#f-url").fill(url)


def test_reader_posts_sees_it_pending_and_then_published(live_server, page, screenshots):
    article, email = unique(), f"{unique('zoe')}@example.org"
    responses = []
    page.on("response", lambda response: responses.append(response))
    published(live_server, article, body="The zig-zag retrofit *works*.")
    widget = open_demo(page, live_server, article)
    expect(widget.get_by_role("heading", name="One thought")).to_be_visible()
    expect(widget.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    expect(widget).to_contain_text(
        "Your email address will not be published. Required fields are marked *"
    )
    page.screenshot(path=screenshots / "demo-page.png", full_page=True)

    fill(widget, "Which district office takes the forms?", email=email)
    widget.get_by_role("button", name="Post Comment").click()
    expect(widget.locator(".comment-respond .notice")).to_have_text(HELD)
    mine = widget.locator("li.comment.pending")
    expect(mine).to_contain_text("Which district office takes the forms?")
    expect(mine.locator(".awaiting")).to_have_text(HELD)
    comment_id = int(mine.get_attribute("id").removeprefix("comment-"))

    # Only this browser shows it: a fresh tab elsewhere does not.
    other = page.context.browser.new_context()
    stranger = other.new_page()
    stranger.goto(f"{live_server.host_url}/demo/?article={article}")
    expect(stranger.locator(".comment-list > li")).to_have_count(1)
    assert "Which district office" not in stranger.evaluate(SHADOW_HTML)
    other.close()

    approve(live_server, comment_id)
    page.reload()
    expect(widget.get_by_role("heading", name="2 thoughts")).to_be_visible()
    shown = widget.locator(f"#comment-{comment_id}")
    expect(shown).to_contain_text("Which district office takes the forms?")
    expect(shown).not_to_have_class("comment pending")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes(':pending:'))") == []

    assert email not in page.evaluate(SHADOW_HTML)
    for response in responses:
        assert email not in body_of(response), response.url
    assert page.context.cookies() == []
    assert page.problems == []


def test_reply_with_cancel_and_nesting(live_server, page, screenshots):
    article = unique()
    root = published(live_server, article, name="Bilal Ahmed", body="It does, if registered.")
    widget = open_demo(page, live_server, article)
    comment = widget.locator(f"#comment-{root['id']}")
    comment.get_by_role("button", name="Reply to Bilal Ahmed").click()
    title = widget.locator(".comment-reply-title > span")
    expect(title).to_have_text("Reply to Bilal Ahmed")
    expect(widget.get_by_role("button", name="Cancel reply")).to_be_visible()
    expect(comment.locator(".comment-respond")).to_be_visible()  # the form moved under it
    widget.locator("#f-body").fill("Thanks, Bilal: where is that form?")
    page.screenshot(path=screenshots / "reply-in-progress.png", full_page=True)

    widget.get_by_role("button", name="Cancel reply").click()
    expect(title).to_have_text("Leave a Reply")
    expect(widget.get_by_role("button", name="Cancel reply")).to_be_hidden()
    expect(comment.locator(".comment-respond")).to_have_count(0)
    expect(widget.locator("#f-body")).to_have_value("Thanks, Bilal: where is that form?")

    comment.get_by_role("button", name="Reply to Bilal Ahmed").click()
    for field, value in (("#f-name", "Zoe"), ("#f-email", f"{unique()}@example.org")):
        widget.locator(field).fill(value)
    widget.get_by_role("button", name="Post Comment").click()
    expect(comment.locator(".children li.pending")).to_contain_text("where is that form?")
    expect(title).to_have_text("Leave a Reply")
    assert page.problems == []


def test_save_my_details_only_when_ticked(live_server, page):
    article = unique()
    email = f"{unique('keep')}@example.org"
    widget = open_demo(page, live_server, article)
    fill(widget, "Not saving this time.", name="Once", email=email, url="once.example")
    widget.get_by_role("button", name="Post Comment").click()
    expect(widget.locator(".comment-respond .notice")).to_have_text(HELD)
    page.reload()
    expect(widget.locator("#f-name")).to_have_value("")
    expect(widget.locator("#f-email")).to_have_value("")

    fill(widget, "Please remember me.", name="Kept Name", email=email, url="https://kept.example")
    widget.get_by_label("Save my name, email, and website").check()
    widget.get_by_role("button", name="Post Comment").click()
    expect(widget.locator(".comment-respond .notice")).to_have_text(HELD)
    page.reload()
    expect(widget.locator("#f-name")).to_have_value("Kept Name")
    expect(widget.locator("#f-email")).to_have_value(email)
    expect(widget.locator("#f-url")).to_have_value("https://kept.example")
    expect(widget.get_by_label("Save my name, email, and website")).to_be_checked()
    assert email not in page.evaluate(SHADOW_HTML)  # in the fields' values, not the markup
    assert page.context.cookies() == []

    widget.get_by_label("Save my name, email, and website").uncheck()
    widget.locator("#f-body").fill("Now forget me.")
    widget.get_by_role("button", name="Post Comment").click()
    expect(widget.locator(".comment-respond .notice")).to_have_text(HELD)
    page.reload()
    expect(widget.locator("#f-name")).to_have_value("")
    assert page.problems == []


def test_hostile_comments_run_nothing(live_server, page):
    article = unique()
    bodies = [
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        '<a href="javascript:alert(1)">click me</a>',
        "<script>alert(1)</script>",
    ]
    for body in bodies:
        published(live_server, article, body=body)
    published(live_server, article, name="<img src=x onerror=alert(2)>", url="https://x.example")
    widget = open_demo(page, live_server, article)
    expect(widget.locator(".comment-list > li")).to_have_count(5)
    expect(widget).to_contain_text("<img src=x onerror=alert(1)>")
    expect(widget.locator(".comment-author")).to_contain_text(["<img src=x onerror=alert(2)>"])
    assert widget.locator("img, script, svg[onload], [onerror]").count() == 0
    assert widget.locator('a[href^="javascript"]').count() == 0
    widget.get_by_text("click me").click()
    page.wait_for_timeout(300)
    assert page.problems == []


def test_client_checks_and_closed_article_keep_the_text(live_server, page, screenshots):
    article = unique()
    widget = open_demo(page, live_server, article)
    widget.locator("#f-body").fill("A thought worth keeping.")
    widget.locator("#f-email").fill("not-an-email")
    widget.get_by_role("button", name="Post Comment").click()
    expect(widget.locator("#f-name-error")).to_have_text("Enter a name of 1 to 100 characters.")
    expect(widget.locator("#f-email-error")).to_have_text("Enter a valid email address.")
    expect(widget.locator("#f-body")).to_have_value("A thought worth keeping.")
    page.screenshot(path=screenshots / "form-errors.png", full_page=True)

    status, _ = live_server.api("PUT", f"/api/v1/articles/{article}", {"comments_open": False})
    assert status in (200, 201)
    widget.locator("#f-name").fill("Late Reader")
    widget.locator("#f-email").fill(f"{unique()}@example.org")
    widget.get_by_role("button", name="Post Comment").click()
    expect(widget.locator(".comment-respond .notice")).to_have_text(
        "Comments are closed for this article."
    )
    expect(widget.locator("#f-body")).to_have_value("A thought worth keeping.")
    page.reload()
    expect(widget.locator(".no-comments")).to_have_text("Comments are closed.")
    expect(widget.locator("#f-body")).to_be_hidden()
    # Chromium logs the refused POST (403) as a console error; nothing else may appear.
    assert [p for p in page.problems if "status of 403" not in p] == []


def test_several_widgets_on_one_page_and_counts(live_server, page):
    first, second = unique(), unique()
    published(live_server, second, body="Only on the second article.")
    page.goto(f"{live_server.host_url}/demo/?article={first}&article={second}")
    one = page.locator(f'[data-commentsvc-article="{first}"]')
    two = page.locator(f'[data-commentsvc-article="{second}"]')
    expect(one.locator(".comments-title")).to_have_text("No thoughts yet")
    expect(two.locator(".comments-title")).to_have_text("One thought")
    fill(two, "Posted in the second.", email=f"{unique()}@example.org")
    two.get_by_role("button", name="Post Comment").click()
    expect(two.locator("li.pending")).to_have_count(1)
    expect(one.locator("li")).to_have_count(0)
    expect(one.locator(".comment-respond .notice")).to_be_hidden()
    expect(page.locator('.count[data-commentsvc-count="demo-lahore-smog"]')).to_have_text(
        "No comments"
    )
    assert page.problems == []


def test_comment_links_scroll_and_identicons_match_the_server(live_server, page):
    article = unique()
    ids = [
        published(live_server, article, body=f"Comment {n}\n\n" + "Text. " * 80)["id"]
        for n in range(6)
    ]
    _, thread = live_server.api("GET", f"/api/v1/articles/{article}/comments")
    token = thread["comments"][0]["author"]["avatar"]
    page.goto(f"{live_server.host_url}/demo/?article={article}#comment-{ids[-1]}")
    target = page.locator(f"#comment-{ids[-1]}")
    expect(target).to_have_class("comment target")
    expect(target).to_be_in_viewport()

    drawn = target.locator("svg.avatar g rect").evaluate_all(
        "rects => rects.map(r => [Number(r.getAttribute('x')), Number(r.getAttribute('y'))])"
    )
    assert [tuple(cell) for cell in drawn] == avatars.cells(token)
    fill_colour = target.locator("svg.avatar g").get_attribute("fill")
    assert fill_colour == avatars.colour(token)
    assert page.problems == []


def test_older_comments_load_on_demand(live_server, page):
    article = unique()
    for n in range(3):
        published(live_server, article, body=f"Number {n}")
    widget = open_demo(page, live_server, article, query="&page_size=2")
    expect(widget.locator(".comment-list > li")).to_have_count(2)
    expect(widget.locator(".comments-title")).to_contain_text("3 thoughts")
    widget.get_by_role("button", name="Older comments").click()
    expect(widget.locator(".comment-list > li")).to_have_count(3)
    expect(widget.locator(".comment-list > li").first).to_contain_text("Number 0")
    expect(widget.get_by_role("button", name="Older comments")).to_be_hidden()
    assert page.problems == []


def test_iframe_is_sized_to_its_content(live_server, page, screenshots):
    article = unique()
    for n in range(3):
        published(live_server, article, body=f"Framed comment {n}")
    page.goto(f"{live_server.host_url}/demo/?article={article}&frame=1")
    frame = page.frame_locator("iframe#comments")
    expect(frame.locator(".comments-title")).to_contain_text("3 thoughts")
    iframe = page.locator("iframe#comments")
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe#comments');"
        " return f.style.height && parseInt(f.style.height) > 600; }"
    )
    inner = page.frame(url=lambda u: "/embed/" in u)
    scroll_height = inner.evaluate("document.documentElement.scrollHeight")
    assert abs(iframe.bounding_box()["height"] - scroll_height) <= 2
    page.locator("iframe#comments").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "demo-iframe.png", full_page=True)
    assert page.problems == []


def test_an_origin_not_allowed_is_refused_by_the_browser(live_server, page, screenshots):
    article = unique()
    published(live_server, article)
    page.goto(f"{live_server.foreign_url}/demo/?article={article}")
    widget = page.locator(f'[data-commentsvc-article="{article}"]')
    expect(widget.locator(".notice-error")).to_contain_text("Comments could not be loaded")
    expect(widget.locator(".comment-list > li")).to_have_count(0)
    page.screenshot(path=screenshots / "error-state-foreign-origin.png", full_page=True)
    cors = [p for p in page.problems if "CORS" in p or "Access-Control-Allow-Origin" in p]
    assert cors, page.problems
    others = [p for p in page.problems if p not in cors and "Failed to load resource" not in p]
    assert others == []


@pytest.fixture
def no_js(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 900, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def test_without_javascript_post_reply_and_errors(live_server, no_js, screenshots):
    article, email = unique(), f"{unique('nojs')}@example.org"
    root = published(live_server, article, name="Bilal Ahmed")
    page = no_js
    page.goto(f"{live_server.url}/embed/{article}")
    expect(page.get_by_role("heading", name="One thought")).to_be_visible()
    expect(page.locator(".comment-form-cookies-consent")).to_be_hidden()

    # A field the server refuses: the page comes back with the message and the text kept.
    page.locator("#f-body").fill("Typed without JavaScript.")
    page.locator("#f-name").fill("No Script")
    page.locator("#f-email").fill(email)
    page.locator("#f-url").fill("ftp://files.example")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("#f-url-error")).to_contain_text("Enter a web address starting with http")
    expect(page.locator("#f-body")).to_have_value("Typed without JavaScript.")
    page.screenshot(path=screenshots / "no-js-error.png", full_page=True)

    page.locator("#f-url").fill("")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".notice")).to_have_text(HELD)
    mine = page.locator("li.comment.pending")
    expect(mine).to_contain_text("Typed without JavaScript.")
    comment_id = int(mine.get_attribute("id").removeprefix("comment-"))
    assert email not in page.content()

    approve(live_server, comment_id)
    page.reload()
    expect(page.locator(f"#comment-{comment_id}")).not_to_have_class("comment pending")
    expect(page.get_by_role("heading", name="2 thoughts")).to_be_visible()

    page.locator(f"#comment-{root['id']}").get_by_role("link", name="Reply").first.click()
    expect(page.locator(".comment-reply-title")).to_contain_text("Reply to Bilal Ahmed")
    page.get_by_role("link", name="Cancel reply").click()
    expect(page.locator(".comment-reply-title")).to_have_text("Leave a Reply")
    page.locator(f"#comment-{root['id']}").get_by_role("link", name="Reply").first.click()
    page.locator("#f-body").fill("A reply, still without JavaScript.")
    page.locator("#f-name").fill("No Script")
    page.locator("#f-email").fill(email)
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(f"#comment-{root['id']} .children li.pending")).to_contain_text(
        "A reply, still without JavaScript."
    )
    assert email not in page.content()


def test_network_failure_rate_limit_and_instant_publication(live_server, page):
    article = unique()
    widget = open_demo(page, live_server, article)
    answers = []

    def answer(route):
        if route.request.method != "POST" or not answers:
            return route.continue_()
        status, body = answers.pop(0)
        if status is None:
            return route.abort()
        headers = {"Access-Control-Allow-Origin": live_server.host_url}
        return route.fulfill(status=status, json=body, headers=headers)

    page.route("**/api/v1/articles/**", answer)
    fill(widget, "Words I do not want to lose.", email=f"{unique()}@example.org")
    post = widget.get_by_role("button", name="Post Comment")
    notice = widget.locator(".comment-respond .notice")

    answers.append((None, None))
    post.click()
    expect(notice).to_contain_text("Could not reach the comment service")
    expect(widget.locator("#f-body")).to_have_value("Words I do not want to lose.")

    answers.append((429, {"error": {"code": "rate_limited", "message": "Slow down."}}))
    post.click()
    expect(notice).to_contain_text("You are posting too quickly")
    expect(widget.locator("#f-body")).to_have_value("Words I do not want to lose.")

    published_now = {
        "id": 987654,
        "parent_id": None,
        "author": {"name": "Zoe Reader", "url": None, "avatar": "0123456789abcdef"},
        "html": "<p>Words I do not want to lose.</p>",
        "created_at": "2026-11-25T15:00:00+00:00",
        "staff": False,
        "removed": False,
        "replies": [],
    }
    answers.append((201, published_now))
    post.click()
    expect(notice).to_have_text("Thank you: your comment is published.")
    expect(widget.locator("#comment-987654")).not_to_have_class("comment pending")
    expect(widget.locator(".comments-title")).to_have_text("One thought")
    expect(widget.locator("#f-body")).to_have_value("")
    # The aborted and refused requests are logged by Chromium; nothing else may be.
    assert [p for p in page.problems if "Failed to load resource" not in p] == []
