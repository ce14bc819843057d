"""The no-JS form refuses bad text next to the field, keeps the reader's text, stores nothing."""

import pytest

from tests.helpers import FORM_BAD, bad_value, published, row_counts

from .conftest import PAGE


@pytest.mark.parametrize("bad", FORM_BAD.values(), ids=FORM_BAD.keys())
@pytest.mark.parametrize("field", ["name", "email", "url", "body"])
def test_no_js_form_refuses_bad_text_next_to_the_field_and_keeps_the_text(
    post_form, db_session, field, bad
):
    before = row_counts(db_session)
    fields = {"body": "My long considered comment."}
    fields[field] = (
        f"My long{bad} considered comment." if field == "body" else bad_value(field, bad)
    )
    response = post_form(**fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="f-{field}-error"' in page
    assert "My long" in page and "considered comment." in page  # the text is still there
    assert row_counts(db_session) == before


def test_a_name_without_anything_visible_is_refused(post_form, db_session):
    before = row_counts(db_session)
    response = post_form(name="\u200b\u2060")
    assert response.status_code == 422
    assert "at least one visible character" in response.get_data(as_text=True)
    assert row_counts(db_session) == before


def test_names_are_isolated_from_the_text_around_them(client, auth):
    published(client, auth, name="عائشہ خان", body="Root")
    page = client.get(f"{PAGE}").get_data(as_text=True)
    assert "<bdi>عائشہ خان</bdi>" in page
