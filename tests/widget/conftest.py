"""Helpers for the server-rendered widget: read its form token, post its form."""

import re

import pytest

from tests.helpers import ARTICLE, EMAIL

PAGE = f"/embed/{ARTICLE}"
FROM_PAGE = "<the token of the page>"


def form_token(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "the page has no form token"
    return match.group(1)


@pytest.fixture
def post_form(client):
    """Post the no-JS form as a browser would: fetch the page, then send its token back."""

    def post(article_id: str = ARTICLE, query: str = "", token: str | None = FROM_PAGE, **fields):
        page = client.get(f"/embed/{article_id}{query}")
        data = {"name": "Reader", "email": EMAIL, "url": "", "body": "A thoughtful comment."}
        data.update(fields)
        if token is FROM_PAGE:
            data["token"] = form_token(page.get_data(as_text=True))
        elif token is not None:
            data["token"] = token
        return client.post(f"/embed/{article_id}{query}", data=data)

    return post
