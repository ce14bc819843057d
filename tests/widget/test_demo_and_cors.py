"""/demo/ (a news site's article page embedding the widget) and the API's CORS for it."""

from tests.helpers import ARTICLE

ORIGIN = "https://news.example"
THREAD = f"/api/v1/articles/{ARTICLE}/comments"


def test_demo_page_embeds_the_widget_from_the_public_url(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://comments.example")
    html = client.get("/demo/").get_data(as_text=True)
    assert '<script src="https://comments.example/embed.js" async></script>' in html
    assert 'id="comments" data-commentsvc-article="demo-brick-kilns"' in html
    assert 'href="#comments">Leave a comment</a>' in html
    assert 'data-commentsvc-count="demo-lahore-smog"' in html


def test_demo_page_falls_back_to_its_own_address(client):
    html = client.get("/demo/").get_data(as_text=True)
    assert '<script src="http://localhost/embed.js" async></script>' in html


def test_demo_page_takes_other_articles_and_ignores_bad_ids(client):
    html = client.get("/demo/?article=one&article=two&article=bad%20id").get_data(as_text=True)
    assert 'data-commentsvc-article="one"' in html and 'data-commentsvc-article="two"' in html
    assert "bad id" not in html
    framed = client.get("/demo/?frame=1").get_data(as_text=True)
    assert '<iframe id="comments"' in framed and "/embed/demo-brick-kilns?" in framed


def test_preflight_from_an_allowed_origin_may_post_json(client):
    response = client.options(
        THREAD,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


def test_other_origins_get_no_cors_headers(client):
    for response in (
        client.options(THREAD, headers={"Origin": "https://evil.example"}),
        client.get(THREAD, headers={"Origin": "https://evil.example"}),
    ):
        assert "Access-Control-Allow-Origin" not in response.headers
