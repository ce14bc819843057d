"""Signing in and out of the review UI, and the throttle on failed sign-ins."""

import time

import pytest

from .conftest import PASSWORD, csrf_from, post, signed_in

WRONG = "That email and password do not match an active moderator."


def _try(client, email, password, addr="127.0.0.1"):
    token = csrf_from(client)
    return client.post(
        "/review/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_sign_in_page_has_labelled_fields_and_a_token(client):
    page = client.get("/review/login").get_data(as_text=True)
    for field in ("email", "password", "remember"):
        assert f'<label for="{field}">' in page
    assert 'name="csrf_token"' in page


def test_good_sign_in_opens_the_queue(client, moderator):
    response = _try(client, "MOD@example.org ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review/")
    page = client.get("/review/").get_data(as_text=True)
    assert "mod@example.org" in page and "Sign out" in page


@pytest.mark.parametrize(
    ("email", "password"),
    [("mod@example.org", "wrong password"), ("nobody@example.org", PASSWORD)],
)
def test_wrong_email_and_wrong_password_read_the_same(client, moderator, email, password):
    response = _try(client, email, password)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert WRONG in page
    assert client.get("/review/").status_code == 302


def test_deactivated_moderator_cannot_sign_in(client, moderator, db_session):
    moderator.is_active = False
    db_session.commit()
    assert WRONG in _try(client, moderator.email, PASSWORD).get_data(as_text=True)


def test_next_is_followed_inside_the_review_ui_only(client, moderator):
    token = csrf_from(client)
    form = {"email": moderator.email, "password": PASSWORD, "csrf_token": token}
    inside = client.post("/review/login", data={**form, "next": "/review/activity"})
    assert inside.headers["Location"] == "/review/activity"
    client.post("/review/logout", data={"csrf_token": csrf_from(client, "/review/")})
    for outside in ("https://evil.example/", "//evil.example/review/", "/api/v1/comments"):
        token = csrf_from(client)
        response = client.post("/review/login", data={**form, "csrf_token": token, "next": outside})
        assert response.headers["Location"] == "/review/"
        client.post("/review/logout", data={"csrf_token": csrf_from(client, "/review/")})


def test_remember_me_sets_a_lasting_cookie(client, moderator):
    token = csrf_from(client)
    client.post(
        "/review/login",
        data={"email": moderator.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only and cookie.expires is not None


def test_session_cookie_is_http_only_and_same_site(client, moderator):
    _try(client, moderator.email, PASSWORD)
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_logout_signs_out(client, moderator):
    signed_in(client, moderator)
    assert client.get("/review/logout").status_code == 405  # never a GET
    response = post(client, "/review/logout")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review/login")
    assert client.get("/review/").status_code == 302


def test_deactivated_moderator_is_signed_out_on_the_next_request(client, moderator, db_session):
    signed_in(client, moderator)
    moderator.is_active = False
    db_session.commit()
    response = client.get("/review/")
    assert response.status_code == 302 and "/review/login" in response.headers["Location"]


ADDRESS_CEILING = 8


def _throttled(app, monkeypatch, seconds: int):
    from commentsvc.extensions import limiter

    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", f"5 per {seconds} seconds")
    monkeypatch.setitem(
        app.config, "LOGIN_IP_RATE_LIMIT", f"{ADDRESS_CEILING} per {seconds} seconds"
    )
    limiter.reset()


@pytest.fixture
def throttle(app, monkeypatch):
    # A window far longer than the attempts take, however slow the machine's password
    # hashing: no failure may age out while a test is still counting them.
    _throttled(app, monkeypatch, 600)
    yield 600
    from commentsvc.extensions import limiter

    limiter.reset()


@pytest.fixture
def short_throttle(app, monkeypatch):
    """A window short enough to wait out in a test, long enough for five slow failures."""
    _throttled(app, monkeypatch, 6)
    yield 6
    from commentsvc.extensions import limiter

    limiter.reset()


def test_five_failures_throttle_the_account_until_the_window_passes(
    client, moderator, short_throttle
):
    throttle = short_throttle
    assert _try(client, moderator.email, "guess").status_code == 401
    first_counted = time.monotonic()  # the first failure counted before this
    for _ in range(4):
        assert _try(client, moderator.email, "guess").status_code == 401
    refused = _try(client, moderator.email, PASSWORD)  # from this address, even the right one waits
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) <= throttle
    # Refused attempts do not count: the owner is back once the window has passed.
    for _ in range(3):
        assert _try(client, moderator.email, PASSWORD).status_code == 429
    time.sleep(max(0.0, throttle - (time.monotonic() - first_counted)) + 0.2)
    assert _try(client, moderator.email, PASSWORD).status_code == 302


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out_from_elsewhere(
    client, moderator, throttle
):
    stranger, owner = "198.51.100.7", "10.0.1.99"
    answers = [_try(client, moderator.email, "guess", addr=stranger).status_code for _ in range(12)]
    assert answers == [401] * 5 + [429] * 7
    assert _try(client, moderator.email, PASSWORD, addr=stranger).status_code == 429
    assert _try(client, moderator.email, PASSWORD, addr=owner).status_code == 302


def test_failures_spread_over_many_addresses_do_not_lock_the_owner_out(client, moderator, throttle):
    for n in range(10):
        for _ in range(4):
            assert _try(client, moderator.email, "guess", addr=f"10.0.3.{n}").status_code == 401
    assert _try(client, moderator.email, PASSWORD, addr="10.0.3.200").status_code == 302


def test_one_accounts_failures_leave_other_accounts_open_from_that_address(
    client, moderator, admin, throttle
):
    for _ in range(5):
        assert _try(client, moderator.email, "guess", addr="10.0.4.1").status_code == 401
    assert _try(client, moderator.email, PASSWORD, addr="10.0.4.1").status_code == 429
    assert _try(client, admin.email, PASSWORD, addr="10.0.4.1").status_code == 302


def test_failures_on_many_accounts_throttle_the_address(client, moderator, throttle):
    for n in range(ADDRESS_CEILING):
        assert _try(client, f"guess{n}@example.org", "guess", addr="10.0.2.1").status_code == 401
    assert _try(client, moderator.email, PASSWORD, addr="10.0.2.1").status_code == 429
    # Another address is not held back by this one's failures.
    assert _try(client, moderator.email, PASSWORD, addr="10.0.2.2").status_code == 302


def test_successful_sign_ins_do_not_count(client, moderator, throttle):
    for _ in range(7):
        assert _try(client, moderator.email, PASSWORD).status_code == 302
        post(client, "/review/logout")
