"""Signing in and out, and setting a password from a one-time link."""

import hashlib

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError

from ..errors import DomainError
from ..extensions import db, limiter
from ..i18n import N_
from ..services import signins, staff
from . import bp
from .auth import SignedIn, public, safe_back
from .forms import LoginForm, SetPasswordForm, load_form

FAILED = "commentsvc.login_failed"
WRONG = N_("That email and password do not match an active moderator.")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_IP_RATE_LIMIT"]


# Failures count per account *from one address*, never per account alone: otherwise a
# stranger's wrong passwords would lock the moderator out from everywhere, their own
# address included. Each address also has a ceiling over all accounts.
def _by_account_and_address() -> str:
    email = request.form.get("email", "").strip().lower()
    # Hashed, so the shared limiter store (Redis) holds no email addresses.
    account = hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:24]
    return f"login-account-ip:{account}:{_address()}"


def _by_address() -> str:
    return "login-ip:" + _address()


def _address() -> str:
    return get_remote_address() or "unknown"


def _failed(_response) -> bool:
    # Only failed sign-ins count: the owner signing in, or being refused, costs nothing,
    # so nobody stays locked out longer than the window after the last wrong password.
    return bool(request.environ.get(FAILED))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _login_limit, key_func=_by_account_and_address, deduct_when=_failed, methods=["POST"]
)
@limiter.limit(_address_limit, key_func=_by_address, deduct_when=_failed, methods=["POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(safe_back(request.args.get("next")))
    if request.method == "GET":
        return render_template("review/login.html", form={}, errors={})
    try:
        data = load_form(LoginForm())
    except ValidationError as exc:
        return render_template("review/login.html", form=request.form, errors=exc.messages), 422
    moderator = staff.authenticate(db.session, data["email"], data["password"])
    if moderator is None:
        request.environ[FAILED] = True
        errors = {"_form": [WRONG]}
        return render_template("review/login.html", form=request.form, errors=errors), 401
    days = int(current_app.config["REMEMBER_DAYS"])
    token = signins.start(db.session, moderator, days)
    login_user(SignedIn(moderator, token), remember=data["remember"])
    return redirect(safe_back(data["next"]))


@bp.post("/logout")
def logout():
    signins.end(db.session, current_user.session_token)
    logout_user()
    flash(gettext("You are signed out."), "success")
    return redirect(url_for("review.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    secret = current_app.config["SECRET_KEY"]
    moderator = staff.moderator_for_token(db.session, secret, token)
    if request.method == "GET":
        return render_template("review/set_password.html", moderator=moderator, errors={})
    try:
        data = load_form(SetPasswordForm())
        staff.set_password_with_token(db.session, secret, token, data["password"])
    except ValidationError as exc:
        errors = exc.messages
    except DomainError as exc:
        errors = exc.fields or {"_form": [exc.message]}
    else:
        logout_user()
        flash(gettext("Your password is set. Sign in with it."), "success")
        return redirect(url_for("review.login"))
    return render_template("review/set_password.html", moderator=moderator, errors=errors), 422
