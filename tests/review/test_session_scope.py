"""The session lives in the review UI only; there it works as before."""

from tests.review.conftest import csrf_from


def test_the_review_ui_keeps_its_session_and_says_so(client, moderator):
    login_page = client.get("/review/login")
    assert "Cookie" in login_page.headers["Vary"]
    token = csrf_from(client)

    response = client.post(
        "/review/login",
        data={"email": moderator.email, "password": "correct horse", "csrf_token": token},
    )

    assert response.status_code == 302
    assert any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    queue = client.get("/review/")
    assert queue.status_code == 200
    assert "Cookie" in queue.headers["Vary"]
    # The same browser reading a thread sends its cookie along: nothing comes back.
    public = client.get("/api/v1/articles/any-article/comments")
    assert "Set-Cookie" not in public.headers
    assert "Cookie" not in public.headers.get("Vary", "")
