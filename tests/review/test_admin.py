"""Admins: inviting moderators with a one-time link, roles, deactivation, API keys."""

import re

from commentsvc.models import ApiKey, Moderator, Role
from commentsvc.services import accounts
from tests.helpers import row_counts

from .conftest import csrf_from, post, signed_in


def _link(page: str) -> str:
    return re.search(r'id="one-time-link" class="wide" value="http://localhost([^"]+)"', page)[1]


def test_invite_shows_a_link_that_sets_the_password_once(app, admin_client, db_session):
    response = post(
        admin_client,
        "/review/moderators",
        {"email": "New@Example.org", "name": "Nia", "role": "moderator"},
        token_from="/review/moderators",
    )
    assert response.status_code == 201
    link = _link(response.get_data(as_text=True))
    invited = accounts.find_moderator(db_session, "new@example.org")
    assert invited.role is Role.moderator and invited.name == "Nia"

    visitor = app.test_client()
    assert "new@example.org" in visitor.get(link).get_data(as_text=True)
    token = csrf_from(visitor, link)
    short = visitor.post(link, data={"csrf_token": token, "password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 10" in short.get_data(as_text=True)
    good = {
        "csrf_token": token,
        "password": "a long new password",
        "confirm": "a long new password",
    }
    assert visitor.post(link, data=good).status_code == 302
    assert visitor.get(link).status_code == 404  # used: the hash it was signed with is gone
    signed_in(visitor, invited, "a long new password")


def test_duplicate_invite_is_refused_next_to_the_field(admin_client, moderator, db_session):
    before = row_counts(db_session)
    response = post(admin_client, "/review/moderators", {"email": moderator.email, "role": "admin"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert row_counts(db_session) == before


def test_deactivating_signs_the_moderator_out(app, admin_client, moderator, db_session):
    other = signed_in(app.test_client(), moderator)
    assert other.get("/review/").status_code == 200
    post(admin_client, f"/review/moderators/{moderator.id}", {"active": "no"})
    assert db_session.get(Moderator, moderator.id).is_active is False
    assert other.get("/review/").status_code == 302


def test_change_role_and_keep_one_admin(admin_client, admin, moderator, db_session):
    post(admin_client, f"/review/moderators/{moderator.id}", {"role": "admin"})
    assert db_session.get(Moderator, moderator.id).role is Role.admin
    post(admin_client, f"/review/moderators/{moderator.id}", {"role": "moderator"})
    post(admin_client, f"/review/moderators/{admin.id}", {"role": "moderator"})
    assert db_session.get(Moderator, admin.id).role is Role.admin
    assert "Keep at least one active admin." in admin_client.get("/review/").get_data(as_text=True)


def test_api_key_secret_is_shown_once_and_keys_can_be_revoked(admin_client, db_session):
    response = post(
        admin_client,
        "/review/api-keys",
        {"name": "newsroom", "scope": "moderate"},
        token_from="/review/api-keys",
    )
    assert response.status_code == 201
    secret = re.search(r'id="new-secret" class="wide" value="(csk_[^"]+)"', response.text)[1]
    key = accounts.find_live_key(db_session, secret)
    assert key.name == "newsroom"
    listing = admin_client.get("/review/api-keys").get_data(as_text=True)
    assert secret not in listing and key.prefix in listing and "never" in listing
    assert post(admin_client, f"/review/api-keys/{key.id}/revoke").status_code == 302
    assert db_session.get(ApiKey, key.id).revoked_at is not None
    assert (
        admin_client.get(
            "/api/v1/comments", headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        == 401
    )


def test_tampered_expired_or_foreign_links_are_refused(app, client, moderator, monkeypatch):
    from commentsvc.services import staff

    token = staff.password_token(app.config["SECRET_KEY"], moderator)
    assert client.get(f"/review/set-password/{token}").status_code == 200
    for bad in (token[:-2] + "xx", "not-a-token", staff.password_token("other-secret", moderator)):
        response = client.get(f"/review/set-password/{bad}")
        assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    monkeypatch.setattr(staff, "PASSWORD_LINK_MAX_AGE", -1)
    assert client.get(f"/review/set-password/{token}").status_code == 404
