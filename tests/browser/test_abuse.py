"""In Chromium: another site's page stores nothing; a retry after a lost answer stores once.

The attacking page comes from a small HTTP server of its own on a free loopback port
(an origin the service does not allow; a page Playwright made up would count as a
public site, which Chromium forbids to reach loopback at all). Everything it sends goes
to the real gunicorn. Rows are counted through the API with the moderate key.
"""

import json
import re
import socket
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

HELD = "Your comment is awaiting moderation."


def unique(prefix: str = "abuse") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def stored(live_server, article: str) -> int:
    """Comments of any status on `article`, counted through the moderation API."""
    status, answer = live_server.api("GET", f"/api/v1/comments?article_id={article}&limit=200")
    assert status == 200, answer
    return len(answer["comments"])


def form_token(live_server, article: str) -> str:
    """What an attacker's server gets by fetching the no-JS page: a valid form token."""
    with urllib.request.urlopen(f"{live_server.url}/embed/{article}", timeout=10) as response:
        page = response.read().decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


ATTACK = """<!doctype html><meta charset="utf-8"><title>Win a prize</title>
<iframe name="sink1"></iframe><iframe name="sink2"></iframe><iframe name="sink3"></iframe>
<form id="to-api" method="post" target="sink1" action="{api}">{fields}</form>
<form id="to-api-multipart" method="post" target="sink2" enctype="multipart/form-data"
      action="{api}">{fields}</form>
<form id="to-embed" method="post" target="sink3" action="{embed}">{fields}
  <input type="hidden" name="token" value="{token}"></form>
<iframe id="sandboxed" sandbox="allow-forms allow-scripts" srcdoc='
  <form method="post" action="{api}">{fields}</form>
  <script>document.forms[0].submit()</script>'></iframe>
<script>
  const body = {payload};
  const tried = [];
  const attempt = async (name, run) => {{
    try {{ await run(); tried.push(name + ": sent"); }}
    catch (e) {{ tried.push(name + ": " + e.name); }}
  }};
  const loaded = (name) => new Promise((done) => {{
    const frame = document.querySelector(`iframe[name=${{name}}]`);
    frame.addEventListener("load", done, {{ once: true }});
  }});
  window.attack = (async () => {{
    await attempt("no-cors form fetch", () => fetch("{api}", {{
      method: "POST", mode: "no-cors", body: new URLSearchParams(body) }}));
    await attempt("no-cors text/plain fetch", () => fetch("{api}", {{
      method: "POST", mode: "no-cors", headers: {{ "Content-Type": "text/plain" }},
      body: JSON.stringify(body) }}));
    await attempt("json fetch", () => fetch("{api}", {{
      method: "POST", headers: {{ "Content-Type": "application/json" }},
      body: JSON.stringify(body) }}));
    for (const [form, sink] of [["to-api", "sink1"], ["to-api-multipart", "sink2"],
                                ["to-embed", "sink3"]]) {{
      const done = loaded(sink);
      document.getElementById(form).submit();
      await done;
      tried.push(form + ": submitted");
    }}
    return tried;
  }})();
</script>"""


def attack_page(live_server, article: str) -> str:
    payload = {"name": "Prize Bot", "email": "bot@example.org", "body": "Planted comment."}
    fields = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in payload.items())
    return ATTACK.format(
        api=f"{live_server.url}/api/v1/articles/{article}/comments",
        embed=f"{live_server.url}/embed/{article}",
        token=form_token(live_server, article),
        fields=fields,
        payload=json.dumps(payload),
    )


@pytest.fixture
def attacker():
    """Another site: serves whatever HTML the test sets, at http://localhost:<free port>/."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.pages = pages
    server.url = f"http://localhost:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def test_a_page_on_another_site_stores_nothing(live_server, attacker, page, screenshots):
    article = unique()
    attacker.pages["/attack.html"] = attack_page(live_server, article)
    answers = []
    page.on(
        "response",
        lambda r: (
            r.url.startswith(live_server.url)
            and answers.append((r.request.method, urlsplit(r.url).path, r.status))
        ),
    )
    before = stored(live_server, article)
    page.goto(f"{attacker.url}/attack.html")
    tried = page.evaluate("window.attack")
    api, embed = f"/api/v1/articles/{article}/comments", f"/embed/{article}"
    # The sandboxed frame (Origin: null) submits on its own; Playwright reports no events
    # for its opaque origin, so its answer is read from the frame itself.
    sandboxed = None
    for _ in range(100):
        sandboxed = next((f for f in page.frames if f.url.endswith(api) and not f.name), None)
        if sandboxed and "cross_site_refused" in sandboxed.content():
            break
        page.wait_for_timeout(100)
    assert sandboxed is not None and "cross_site_refused" in sandboxed.content()

    assert tried == [
        "no-cors form fetch: sent",  # the answer is opaque to the page, the 403 is not
        "no-cors text/plain fetch: sent",
        "json fetch: TypeError",  # never sent: the preflight found no CORS headers
        "to-api: submitted",
        "to-api-multipart: submitted",
        "to-embed: submitted",
    ]
    posts = [(path, status) for method, path, status in answers if method == "POST"]
    # Two fetches and two forms to the API, one form to /embed/, all 403; Playwright
    # reports the sandboxed frame's POST only sometimes.
    assert {status for _, status in posts} == {403}, answers
    assert posts.count((embed, 403)) == 1 and posts.count((api, 403)) in (4, 5), answers
    assert "cross_site_refused" in page.frame(name="sink1").content()
    assert "cross_site_refused" in page.frame(name="sink2").content()
    # The no-JS page's 403 is itself refused framing here (frame-ancestors): nothing to show.
    page.screenshot(path=screenshots / "cross-site-attack.png", full_page=True)

    after = stored(live_server, article)
    assert after == before == 0
    reached = 6  # the five above and the sandboxed frame's
    print(f"\ncross-site: {len(tried) + 1} attempts, {reached} reached the server, 403 each;")
    print(f"cross-site: rows stored before {before}, after {after}")


def test_the_allowed_sites_widget_still_posts_with_a_key(live_server, page):
    article = unique()
    keys = []
    page.on(
        "request",
        lambda r: r.method == "POST" and keys.append(r.headers.get("idempotency-key")),
    )
    page.goto(f"{live_server.host_url}/demo/?article={article}")
    widget = page.locator(f'[data-commentsvc-article="{article}"]')
    expect(widget.locator(".comments-title")).not_to_have_text("Comments")
    widget.locator("#f-body").fill("From the allowed news site.")
    widget.locator("#f-name").fill("عائشہ خان")
    widget.locator("#f-email").fill(f"{unique('r')}@example.org")
    widget.get_by_role("button", name="Post Comment").click()
    expect(widget.locator(".comment-respond .notice")).to_have_text(HELD)
    expect(widget.locator("li.comment.pending .comment-author bdi")).to_have_text("عائشہ خان")
    assert stored(live_server, article) == 1
    assert len(keys) == 1 and re.fullmatch(r"[0-9a-f-]{36}", keys[0]), keys
    assert page.problems == []


def test_a_retry_after_a_lost_answer_stores_once(live_server, page):
    """The first answer is lost after the server stored the comment; the retry replays it."""
    article = unique()
    posts = []

    def lose_the_first_answer(route):
        request = route.request
        if request.method != "POST":
            return route.continue_()
        posts.append(request.headers.get("idempotency-key"))
        if len(posts) == 1:
            answer = route.fetch()  # the server stores the comment and answers...
            assert answer.status == 202
            return route.abort("connectionreset")  # ...but the reader never hears it
        return route.continue_()

    page.route("**/api/v1/articles/**", lose_the_first_answer)
    page.goto(f"{live_server.host_url}/demo/?article={article}")
    widget = page.locator(f'[data-commentsvc-article="{article}"]')
    expect(widget.locator(".comments-title")).not_to_have_text("Comments")
    widget.locator("#f-body").fill("Posted on a train, through a tunnel.")
    widget.locator("#f-name").fill("Zoe Reader")
    widget.locator("#f-email").fill(f"{unique('zoe')}@example.org")
    post = widget.get_by_role("button", name="Post Comment")
    notice = widget.locator(".comment-respond .notice")

    post.click()
    expect(notice).to_contain_text("Could not reach the comment service")
    assert stored(live_server, article) == 1  # stored, though the reader was told otherwise

    with page.expect_response(lambda r: r.request.method == "POST") as replayed:
        post.click()
    assert replayed.value.status == 202
    assert replayed.value.headers.get("idempotent-replayed") == "true"
    expect(notice).to_have_text(HELD)
    expect(widget.locator("li.comment.pending")).to_have_count(1)
    assert posts[0] == posts[1]
    assert stored(live_server, article) == 1

    widget.locator("#f-body").fill("A second, different comment.")
    post.click()
    expect(notice).to_have_text(HELD)
    assert len(posts) == 3 and posts[2] != posts[0]
    assert stored(live_server, article) == 2
    assert [p for p in page.problems if "Failed to load resource" not in p] == []
    print(f"\nretry (browser): {len(posts)} posts, 2 with one key; rows stored 2 (1 per comment)")


def _post_and_hang_up(live_server, path: str, key: str, body: bytes) -> None:
    """Send a submission and close the connection without reading the answer."""
    host, port = urlsplit(live_server.url).hostname, urlsplit(live_server.url).port
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: {key}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        sock.shutdown(socket.SHUT_WR)


def test_a_client_that_hung_up_retries_and_stores_once(live_server):
    article, key = unique(), str(uuid.uuid4())
    path = f"/api/v1/articles/{article}/comments"
    body = {"name": "Service", "email": "svc@example.org", "body": "Sent from a cron job."}
    _post_and_hang_up(live_server, path, key, json.dumps(body).encode())
    for _ in range(100):  # the server goes on without the client
        if stored(live_server, article):
            break
        time.sleep(0.1)
    assert stored(live_server, article) == 1

    answers = []
    for _ in range(3):
        request = urllib.request.Request(
            live_server.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answers.append((response.status, response.headers["Idempotent-Replayed"]))
            comment_id = json.loads(response.read())["id"]
    assert answers == [(202, "true")] * 3
    assert stored(live_server, article) == 1
    status, comment = live_server.api("GET", f"/api/v1/comments/{comment_id}")
    assert status == 200 and comment["article_id"] == article
    print(f"\nretry (hung up): 4 attempts with one key, rows stored {stored(live_server, article)}")
