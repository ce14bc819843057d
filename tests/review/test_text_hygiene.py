"""The review UI's forms and queries refuse invalid text with 422, naming the field."""

import pytest

from commentsvc.models import Comment
from tests.helpers import FORM_BAD, row_counts

from .conftest import PASSWORD, csrf_from, held, post

QUERY_BAD = {"nul": "%00", "escape": "%1B", "delete": "%7F", "c1-nel": "%C2%85"}


@pytest.mark.parametrize("bad", QUERY_BAD.values(), ids=QUERY_BAD.keys())
@pytest.mark.parametrize("name", ["q", "email", "article", "order", "status"])
def test_queue_queries_refuse_bad_text(mod_client, name, bad):
    response = mod_client.get(f"/review/?{name}=a{bad}b")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Something in this request is not valid" in page and f"{name}:" in page


@pytest.mark.parametrize("bad", FORM_BAD.values(), ids=FORM_BAD.keys())
@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("edit", {"body": "New{bad}words", "reason": "Typo"}, "body"),
        ("edit", {"body": "New words", "reason": "Ty{bad}po"}, "reason"),
        ("reply", {"body": "A reply{bad}"}, "body"),
        ("moderate", {"action": "approve", "reason": "Fi{bad}ne"}, "reason"),
    ],
)
def test_comment_forms_refuse_bad_text_and_change_nothing(
    mod_client, db_session, path, data, field, bad
):
    comment_id = held(mod_client)
    before = row_counts(db_session)
    form = {key: value.replace("{bad}", bad) for key, value in data.items()}
    token_from = f"/review/comments/{comment_id}"
    response = post(
        mod_client, f"/review/comments/{comment_id}/{path}", form, token_from=token_from
    )
    assert response.status_code == 422
    assert "Control characters" in response.get_data(as_text=True)
    assert row_counts(db_session) == before
    comment = db_session.get(Comment, comment_id)
    db_session.refresh(comment)
    assert comment.body == "A thoughtful comment." and comment.status.value == "pending"


def test_a_moderators_edit_keeps_line_breaks_as_lf(mod_client, db_session):
    comment_id = held(mod_client)
    form = {"body": "Line one\r\n\r\nLine two\twith a tab", "reason": "Tidy"}
    token_from = f"/review/comments/{comment_id}"
    response = post(mod_client, f"/review/comments/{comment_id}/edit", form, token_from=token_from)
    assert response.status_code == 302
    assert db_session.get(Comment, comment_id).body == "Line one\n\nLine two\twith a tab"


@pytest.mark.parametrize("bad", FORM_BAD.values(), ids=FORM_BAD.keys())
def test_sign_in_refuses_bad_text_without_an_error_page(client, moderator, bad):
    token = csrf_from(client)
    for data in (
        {"email": f"mod{bad}@example.org", "password": PASSWORD},
        {"email": moderator.email, "password": f"correct{bad}horse"},
    ):
        response = client.post("/review/login", data=data | {"csrf_token": token})
        assert response.status_code == 422
        assert "Control characters" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/review/moderators", {"email": "n@example.org", "name": "evil\u202egnp.exe"}, "name"),
        ("/review/moderators", {"email": "n@example.org", "name": "\u200b\u2060"}, "name"),
        ("/review/moderators", {"email": "n\x00@example.org", "name": "Nia"}, "email"),
        ("/review/api-keys", {"name": "\u3164\u3164", "scope": "read"}, "name"),
        ("/review/api-keys", {"name": "site\x1bsync", "scope": "read"}, "name"),
    ],
)
def test_admin_forms_refuse_names_without_visible_text_or_with_controls(
    admin_client, db_session, path, data, field
):
    before = row_counts(db_session)
    response = post(admin_client, path, data, token_from=path)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "field-error" in page
    assert row_counts(db_session) == before


def test_the_queue_isolates_right_to_left_names(mod_client):
    held(mod_client, name="عائشہ خان")
    page = mod_client.get("/review/").get_data(as_text=True)
    assert '<strong class="author-name"><bdi>عائشہ خان</bdi></strong>' in page
