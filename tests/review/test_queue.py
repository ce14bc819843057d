"""The queue: what each row shows, filters, row actions, bulk actions and undo."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from commentsvc.models import Comment, ModerationEvent
from commentsvc.status import Status
from tests.helpers import moderate, row_counts

from .conftest import held, post

HOSTILE = (
    '<img src=x onerror=alert(1)> <script>alert(1)</script> <a href="javascript:alert(1)">x</a>'
)


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="c-(\d+)"', page)]


def _events(db_session, comment_id):
    return db_session.scalars(
        select(ModerationEvent)
        .where(ModerationEvent.comment_id == comment_id)
        .order_by(ModerationEvent.id)
    ).all()


def test_pending_is_the_default_tab_with_live_counts(mod_client, auth):
    first, second = held(mod_client), held(mod_client)
    moderate(mod_client, auth, second, "spam")
    page = mod_client.get("/review/").get_data(as_text=True)
    assert _ids(page) == [first]
    assert re.search(r'aria-current="page">Pending <span class="count">\(1\)', page)
    assert 'Spam <span class="count">(1)' in page and 'All <span class="count">(2)' in page
    assert _ids(mod_client.get("/review/?status=spam").get_data(as_text=True)) == [second]
    assert _ids(mod_client.get("/review/?status=all").get_data(as_text=True)) == [second, first]


def test_a_row_shows_what_a_moderator_decides_on(mod_client, auth):
    parent = held(mod_client, body="The parent comment, about brick kilns.")
    moderate(mod_client, auth, parent, "approve")
    spam = held(mod_client, email="writer@example.org")
    moderate(mod_client, auth, spam, "spam")
    links = "http://a.example http://b.example http://c.example"
    child = held(
        mod_client,
        email="writer@example.org",
        name="Writer",
        url="https://writer.example",
        parent_id=parent,
        body=f"See <b>these</b>: {links}",
    )
    page = mod_client.get("/review/").get_data(as_text=True)
    row = page[page.index(f'id="c-{child}"') :]
    assert "Writer" in row and "writer@example.org" in row and "https://writer.example" in row
    assert "IP 127.0.0.1" in row
    assert "Why it was held" in row and "links" in row.lower()
    assert "In reply to" in row and "The parent comment, about brick kilns." in row
    assert "1 pending, 1 spam" in row
    assert "/review/?status=all&amp;email=writer@example.org" in row
    assert "<p>See <b>these</b>: http://a.example" in row  # the sanitised HTML, rendered


def test_hostile_markup_is_shown_as_text(mod_client):
    comment_id = held(mod_client, body=HOSTILE, name="<b>Bold</b> name")
    for path in ("/review/", f"/review/comments/{comment_id}"):
        page = mod_client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page
        assert "<img src=x" not in page
        assert 'href="javascript:' not in page
        assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt; name" in page


def test_search_article_and_author_filters(mod_client):
    kiln = held(mod_client, "kilns", body="Chimney height matters")
    other = held(mod_client, "other", name="Zed", email="zed@example.org")
    assert _ids(mod_client.get("/review/?q=chimney").get_data(as_text=True)) == [kiln]
    assert _ids(mod_client.get("/review/?q=zed@").get_data(as_text=True)) == [other]
    assert _ids(mod_client.get("/review/?article=kilns").get_data(as_text=True)) == [kiln]
    assert _ids(mod_client.get("/review/?email=ZED@example.org").get_data(as_text=True)) == [other]
    page = mod_client.get("/review/?q=chimney").get_data(as_text=True)
    assert 'Pending <span class="count">(1)' in page  # counts follow the filters


def test_date_range_filter(mod_client, db_session):
    old, new = held(mod_client), held(mod_client)
    db_session.get(Comment, old).created_at = datetime(2026, 1, 10, 23, 30, tzinfo=UTC)
    db_session.commit()
    assert _ids(mod_client.get("/review/?until=2026-01-10").get_data(as_text=True)) == [old]
    assert _ids(mod_client.get("/review/?since=2026-01-11").get_data(as_text=True)) == [new]
    both = (
        "/review/?since=2026-01-10&until="
        + (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    )
    assert set(_ids(mod_client.get(both).get_data(as_text=True))) == {old, new}
    bad = mod_client.get("/review/?since=yesterday")
    assert bad.status_code == 422 and "since" in bad.get_data(as_text=True)


def test_pages_of_fifty_newest_first_with_an_oldest_first_toggle(mod_client):
    ids = [held(mod_client) for _ in range(52)]
    first = mod_client.get("/review/").get_data(as_text=True)
    assert _ids(first) == ids[::-1][:50]
    cursor = re.search(r'href="([^"]*cursor=[^"]+)" rel="next"', first).group(1)
    second = mod_client.get(cursor.replace("&amp;", "&")).get_data(as_text=True)
    assert _ids(second) == ids[1::-1]
    assert _ids(mod_client.get("/review/?order=oldest").get_data(as_text=True))[:3] == ids[:3]


def test_each_row_action_moves_the_comment_and_logs_it(mod_client, moderator, db_session):
    comment_id = held(mod_client)
    for action, status in [("approve", "approved"), ("spam", "spam"), ("reject", "rejected")]:
        response = post(
            mod_client,
            f"/review/comments/{comment_id}/moderate",
            {"action": action, "back": "/review/?status=all"},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/review/?status=all"
        assert db_session.get(Comment, comment_id).status.value == status
    post(mod_client, f"/review/comments/{comment_id}/moderate", {"action": "pend"})
    events = _events(db_session, comment_id)
    assert [e.action for e in events] == ["approve", "spam", "reject", "pend"]
    assert all(e.moderator_id == moderator.id for e in events)
    assert events[1].from_status is Status.approved and events[1].to_status is Status.spam


def test_after_an_action_the_next_comment_is_focused_and_undo_offered(mod_client, db_session):
    older, newer = held(mod_client), held(mod_client)
    page = mod_client.get("/review/").get_data(as_text=True)
    assert f"/review/comments/{newer}/moderate?focus={older}" in page
    response = post(
        mod_client, f"/review/comments/{newer}/moderate?focus={older}", {"action": "approve"}
    )
    assert response.headers["Location"].endswith(f"#c-{older}")
    landing = mod_client.get("/review/").get_data(as_text=True)
    assert f"Comment #{newer} approved." in landing
    assert 'id="undo-form"' in landing and 'aria-live="polite"' in landing
    batch = re.search(r'name="batch_id" value="([0-9a-f]{32})"', landing).group(1)
    assert post(mod_client, "/review/undo", {"batch_id": batch}).status_code == 302
    assert db_session.get(Comment, newer).status is Status.pending
    assert [e.action for e in _events(db_session, newer)] == ["approve", "undo"]
    assert "Undone" in mod_client.get("/review/").get_data(as_text=True)


def test_a_stale_action_changes_nothing_and_says_so(mod_client, auth, db_session):
    comment_id = held(mod_client)
    moderate(mod_client, auth, comment_id, "approve")  # someone else got there first
    before = row_counts(db_session)
    response = post(mod_client, f"/review/comments/{comment_id}/moderate", {"action": "approve"})
    assert response.status_code == 302
    assert row_counts(db_session) == before
    assert "already approved" in mod_client.get("/review/").get_data(as_text=True)


def test_bulk_asks_first_naming_how_many_change(mod_client, db_session):
    ids = [held(mod_client) for _ in range(3)]
    response = post(
        mod_client, "/review/bulk", {"bulk_action": "spam", "ids": ids, "back": "/review/"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Move 3 comments to spam?" in page
    assert all(db_session.get(Comment, i).status is Status.pending for i in ids)
    confirmed = post(
        mod_client, "/review/bulk", {"bulk_action": "spam", "ids": ids, "confirm": "y"}
    )
    assert confirmed.status_code == 302
    assert all(db_session.get(Comment, i).status is Status.spam for i in ids)
    batches = {_events(db_session, i)[-1].batch_id for i in ids}
    assert len(batches) == 1
    assert "3 comments marked as spam." in mod_client.get("/review/").get_data(as_text=True)
    post(mod_client, "/review/undo", {"batch_id": batches.pop()})
    assert all(db_session.get(Comment, i).status is Status.pending for i in ids)


def test_bulk_is_all_or_nothing(mod_client, auth, db_session):
    ids = [held(mod_client) for _ in range(3)]
    moderate(mod_client, auth, ids[1], "spam")
    before = row_counts(db_session)
    post(mod_client, "/review/bulk", {"bulk_action": "spam", "ids": ids, "confirm": "y"})
    assert row_counts(db_session) == before
    assert [db_session.get(Comment, i).status.value for i in ids] == ["pending", "spam", "pending"]
    assert "nothing was changed" in mod_client.get("/review/").get_data(as_text=True)


def test_bulk_on_the_whole_page_and_with_nothing_selected(mod_client, db_session):
    ids = [held(mod_client) for _ in range(2)]
    empty = post(mod_client, "/review/bulk", {"bulk_action": "approve", "back": "/review/"})
    assert empty.status_code == 302
    assert "Select at least one comment" in mod_client.get("/review/").get_data(as_text=True)
    data = {"bulk_action": "approve", "scope": "page", "page_ids": ids, "confirm": "y"}
    post(mod_client, "/review/bulk", data)
    assert all(db_session.get(Comment, i).status is Status.approved for i in ids)


def test_undo_after_a_later_change_changes_nothing(mod_client, auth, db_session):
    comment_id = held(mod_client)
    post(mod_client, f"/review/comments/{comment_id}/moderate", {"action": "approve"})
    batch = re.search(r'name="batch_id" value="(\w+)"', mod_client.get("/review/").text).group(1)
    moderate(mod_client, auth, comment_id, "spam")
    before = row_counts(db_session)
    post(mod_client, "/review/undo", {"batch_id": batch})
    assert row_counts(db_session) == before
    assert db_session.get(Comment, comment_id).status is Status.spam


def test_back_addresses_outside_the_review_ui_are_ignored(mod_client):
    comment_id = held(mod_client)
    response = post(
        mod_client,
        f"/review/comments/{comment_id}/moderate",
        {"action": "approve", "back": "https://evil.example/review/"},
    )
    assert response.headers["Location"] == "/review/"


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("spam", "spam"), ("pend", "pending")],
)
def test_every_bulk_action_moves_all_and_logs_each(
    mod_client, auth, moderator, db_session, action, status
):
    ids = [held(mod_client) for _ in range(2)]
    if action == "pend":
        for comment_id in ids:
            moderate(mod_client, auth, comment_id, "reject")
    post(mod_client, "/review/bulk", {"bulk_action": action, "ids": ids, "confirm": "y"})
    for comment_id in ids:
        assert db_session.get(Comment, comment_id).status.value == status
        last = _events(db_session, comment_id)[-1]
        assert (last.action, last.moderator_id, last.to_status.value) == (
            action,
            moderator.id,
            status,
        )
