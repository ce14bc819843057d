"""Moderators' sessions live on the server: a copied cookie dies with the session."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from commentsvc.models import ModeratorSession
from commentsvc.services import staff

from .conftest import PASSWORD, csrf_from, post, signed_in


def _remembered(client, moderator):
    token = csrf_from(client)
    form = {"email": moderator.email, "password": PASSWORD, "remember": "y", "csrf_token": token}
    assert client.post("/review/login", data=form).status_code == 302
    return client


def _replay(app, cookies: dict):
    """A fresh browser that sends only the copied cookies; what /review/ answers it."""
    stranger = app.test_client()
    for name, value in cookies.items():
        stranger.set_cookie(name, value)
    return stranger.get("/review/")


def _copy(client, *names) -> dict:
    return {name: client.get_cookie(name).value for name in names}


def _sessions(db_session, moderator) -> int:
    query = select(func.count()).select_from(ModeratorSession)
    return db_session.scalar(query.where(ModeratorSession.moderator_id == moderator.id))


def _is_sign_in(response) -> bool:
    return response.status_code == 302 and "/review/login" in response.headers["Location"]


def test_a_copied_cookie_works_only_while_the_session_lasts(app, client, moderator, db_session):
    signed_in(client, moderator)
    copied = _copy(client, "session")
    assert _replay(app, copied).status_code == 200  # the copy is as good as the original...

    post(client, "/review/logout")

    assert _is_sign_in(_replay(app, copied))  # ...until the session ends on the server
    assert _sessions(db_session, moderator) == 0


def test_a_copied_remember_cookie_dies_with_the_session_too(app, client, moderator, db_session):
    _remembered(client, moderator)
    copied = _copy(client, "remember_token")
    assert _replay(app, copied).status_code == 200

    post(client, "/review/logout")

    assert _is_sign_in(_replay(app, copied))


def test_a_password_change_ends_every_session(app, client, moderator, db_session):
    signed_in(client, moderator)
    elsewhere = _remembered(app.test_client(), moderator)
    copied = _copy(client, "session")
    remembered = _copy(elsewhere, "remember_token")
    assert _sessions(db_session, moderator) == 2

    token = staff.password_token(app.config["SECRET_KEY"], moderator)
    changer = app.test_client()
    new = "a new long password"
    form = {"password": new, "confirm": new, "csrf_token": csrf_from(changer)}
    assert changer.post(f"/review/set-password/{token}", data=form).status_code == 302

    assert _is_sign_in(client.get("/review/"))
    assert _is_sign_in(_replay(app, copied))
    assert _is_sign_in(_replay(app, remembered))
    assert _sessions(db_session, moderator) == 0
    signed_in(app.test_client(), moderator, "a new long password")  # the new one works


def test_deactivating_a_moderator_ends_their_sessions(app, client, moderator, admin, db_session):
    signed_in(client, moderator)
    staff.update_moderator(db_session, moderator.id, active=False)
    assert _sessions(db_session, moderator) == 0
    assert _is_sign_in(client.get("/review/"))


def test_remember_me_lasts_the_configured_days(app, client, moderator, db_session):
    before = datetime.now(UTC)
    _remembered(client, moderator)
    days = app.config["REMEMBER_DAYS"]
    assert days == 14  # the default

    cookie = client.get_cookie("remember_token")
    assert abs(cookie.expires - (before + timedelta(days=days))) < timedelta(minutes=1)
    row = db_session.scalar(select(ModeratorSession))
    assert abs(row.expires_at - (before + timedelta(days=days))) < timedelta(minutes=1)


def test_an_expired_session_signs_no_one_in(app, client, moderator, db_session):
    _remembered(client, moderator)
    row = db_session.scalar(select(ModeratorSession))
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.commit()

    assert _is_sign_in(client.get("/review/"))
