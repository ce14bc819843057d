"""Articles (counts, open and close) and the activity log."""

from datetime import UTC, datetime, timedelta

from commentsvc.services import articles
from tests.helpers import moderate, row_counts, submit

from .conftest import held, post


def test_articles_list_counts_and_links(mod_client, auth, db_session):
    articles.upsert(db_session, "counted", {"title": "Counted", "url": "https://news.example/c"})
    first, _ = held(mod_client, "counted"), held(mod_client, "counted")
    moderate(mod_client, auth, first, "approve")
    page = mod_client.get("/review/articles").get_data(as_text=True)
    row = page[page.index("https://news.example/c") :]
    assert ">1</a>" in row  # approved, and pending
    assert "/review/?article=counted" in row and "Open" in row
    assert "Save" not in page  # moderators see, admins change


def test_admin_closes_an_article_now_or_on_a_date(admin_client, db_session):
    articles.upsert(db_session, "closing", {"title": "Closing"})
    response = post(
        admin_client,
        "/review/articles",
        {"article_id": "closing", "comments_open": "closed"},
        token_from="/review/articles",
    )
    assert response.status_code == 302
    assert submit(admin_client, "closing").status_code == 403
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    post(
        admin_client,
        "/review/articles",
        {"article_id": "closing", "comments_open": "open", "closes_on": tomorrow.isoformat()},
    )
    article = articles.find(db_session, "closing")
    db_session.refresh(article)
    assert article.comments_open and article.closes_at.date() == tomorrow
    assert submit(admin_client, "closing").status_code == 202
    assert "until" in admin_client.get("/review/articles").get_data(as_text=True)


def test_unknown_article_is_not_created(admin_client, db_session):
    before = row_counts(db_session)
    post(admin_client, "/review/articles", {"article_id": "nope", "comments_open": "closed"})
    assert row_counts(db_session) == before


def test_activity_lists_events_with_filters(mod_client, auth, moderator):
    comment_id = held(mod_client)
    moderate(mod_client, auth, comment_id, "approve", reason="Fine by the key")
    post(mod_client, f"/review/comments/{comment_id}/moderate", {"action": "spam"})
    page = mod_client.get("/review/activity").get_data(as_text=True)
    assert "Fine by the key" in page and "approved → spam" in page
    mine = mod_client.get(f"/review/activity?moderator={moderator.id}").get_data(as_text=True)
    assert "approved → spam" in mine and "Fine by the key" not in mine
    approvals = mod_client.get("/review/activity?action=approve").get_data(as_text=True)
    assert "Fine by the key" in approvals and "approved → spam" not in approvals
    future = mod_client.get("/review/activity?since=2999-01-01").get_data(as_text=True)
    assert "Nothing recorded" in future
