"""Admins only: moderators (invite, role, deactivate, set-password links) and API keys."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from ..errors import DomainError
from ..extensions import db
from ..models import Role
from ..services import accounts, staff
from . import bp
from .auth import admin_only
from .forms import ApiKeyForm, InviteForm, ModeratorForm, load_form

MODERATOR = "/moderators/<int(max=2147483647):moderator_id>"


def _moderators_page(status: int = 200, **extra):
    return render_template(
        "review/moderators.html",
        moderators=accounts.list_moderators(db.session),
        errors=extra.pop("errors", {}),
        form=extra.pop("form", {}),
        **extra,
    ), status


def _link_for(moderator) -> str:
    token = staff.password_token(current_app.config["SECRET_KEY"], moderator)
    return url_for("review.set_password", token=token, _external=True)


@bp.get("/moderators")
@admin_only
def moderators():
    return _moderators_page()


@bp.post("/moderators")
@admin_only
def invite():
    try:
        data = load_form(InviteForm())
        moderator = staff.invite(db.session, data["email"], data["role"], data["name"])
    except ValidationError as exc:
        return _moderators_page(422, errors=exc.messages, form=request.form)
    except DomainError as exc:
        return _moderators_page(422, errors=exc.fields, form=request.form)
    return _moderators_page(201, link=_link_for(moderator), link_for=moderator)


@bp.post(MODERATOR)
@admin_only
def update_moderator(moderator_id: int):
    try:
        data = load_form(ModeratorForm())
        active = None if data["active"] is None else data["active"] == "yes"
        moderator = staff.update_moderator(
            db.session, moderator_id, role=data["role"], active=active
        )
    except (ValidationError, DomainError) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else exc.fields
        text = "; ".join(gettext(m) for ms in messages.values() for m in ms)
        text = text or gettext(str(exc))
        flash({"text": gettext("Not changed: %(error)s", error=text)}, "error")
        return redirect(url_for("review.moderators"))
    flash({"text": _changed(moderator)}, "success")
    return redirect(url_for("review.moderators"))


def _changed(moderator) -> str:
    # Whole sentences, so each language words the role and state its own way.
    email, admin = moderator.email, moderator.role is Role.admin
    if moderator.is_active:
        if admin:
            return gettext("%(email)s is now active, an admin.", email=email)
        return gettext("%(email)s is now active, a moderator.", email=email)
    if admin:
        return gettext("%(email)s is now deactivated, an admin.", email=email)
    return gettext("%(email)s is now deactivated, a moderator.", email=email)


@bp.post(f"{MODERATOR}/link")
@admin_only
def password_link(moderator_id: int):
    moderator = staff.get_moderator(db.session, moderator_id)
    return _moderators_page(link=_link_for(moderator), link_for=moderator)


@bp.get("/api-keys")
@admin_only
def api_keys():
    return _keys_page()


def _keys_page(status: int = 200, **extra):
    return render_template(
        "review/api_keys.html",
        keys=accounts.list_api_keys(db.session),
        errors=extra.pop("errors", {}),
        **extra,
    ), status


@bp.post("/api-keys")
@admin_only
def create_api_key():
    try:
        data = load_form(ApiKeyForm())
    except ValidationError as exc:
        return _keys_page(422, errors=exc.messages)
    key, secret = accounts.create_api_key(db.session, data["name"], data["scope"])
    return _keys_page(201, new_key=key, secret=secret)


@bp.post("/api-keys/<int(max=2147483647):key_id>/revoke")
@admin_only
def revoke_api_key(key_id: int):
    key = accounts.revoke_api_key(db.session, key_id)
    flash(
        {
            "text": gettext(
                "Key %(name)s (%(prefix)s…) is revoked.", name=key.name, prefix=key.prefix
            )
        },
        "success",
    )
    return redirect(url_for("review.api_keys"))
