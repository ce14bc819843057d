"""API keys: `Authorization: Bearer <key>`; `moderate` keys may also do what `read` keys do."""

from functools import wraps

from flask import g, request
from flask_babel import gettext

from ..extensions import db
from ..models import Scope
from ..services import Actor, accounts
from .errors import ApiError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="commentsvc"'}


def require_key(scope: Scope):
    """Refuse the request unless it carries a live key with `scope` (or `moderate`).

    :raise ApiError: 401 without a valid key, 403 when the key's scope is too narrow.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            kind, _, secret = request.headers.get("Authorization", "").partition(" ")
            if kind.lower() != "bearer" or not secret.strip():
                raise ApiError(
                    401,
                    "unauthorized",
                    gettext("Send an API key as 'Authorization: Bearer <key>'."),
                    CHALLENGE,
                )
            key = accounts.authenticate_api_key(db.session, secret.strip())
            if key is None:
                raise ApiError(
                    401,
                    "unauthorized",
                    gettext("This API key is not valid or was revoked."),
                    CHALLENGE,
                )
            if scope is Scope.moderate and key.scope is not Scope.moderate:
                raise ApiError(
                    403,
                    "forbidden",
                    gettext("This API key may only read; this needs the moderate scope."),
                )
            g.actor = Actor(api_key_id=key.id)
            return view(*args, **kwargs)

        wrapped.required_scope = scope
        return wrapped

    return decorator


def optional_key() -> bool:
    """Whether the request carries a live API key (any scope); public endpoints use it.

    :raise ApiError: 401 when it carries one that is not valid: a key sent by mistake
        should fail loudly, not pass as an anonymous browser.
    """
    kind, _, secret = request.headers.get("Authorization", "").partition(" ")
    if not kind:
        return False
    if (
        kind.lower() != "bearer"
        or accounts.authenticate_api_key(db.session, secret.strip()) is None
    ):
        raise ApiError(
            401, "unauthorized", gettext("This API key is not valid or was revoked."), CHALLENGE
        )
    return True
