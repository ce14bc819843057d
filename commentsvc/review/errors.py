"""Errors in the review UI answer HTML pages that say what happened and what to do."""

from flask import render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from . import bp

HINTS = {
    403: _l("Your account does not have access to this page. Ask an admin if you need it."),
    404: _l("There is nothing at this address. It may have been erased."),
}


def _page(status: int, title: str, message: str, details=()):
    page = render_template(
        "review/error.html", status=status, title=title, message=message, details=details
    )
    return page, status


@bp.errorhandler(CSRFError)
def _csrf(exc: CSRFError):
    return _page(
        400,
        gettext("This form has expired"),
        gettext(
            "The form was missing its security token, or it came from another page. "
            "Nothing was changed. Go back, reload the page and try again."
        ),
        [exc.description],
    )


@bp.errorhandler(RateLimitExceeded)
def _too_many(exc: RateLimitExceeded):
    seconds = exc.limit.limit.get_expiry() if exc.limit else 60
    message = gettext(
        "Too many failed sign-ins from this address. Wait %(seconds)s seconds, then try again.",
        seconds=seconds,
    )
    page = render_template("review/login.html", form=request.form, errors={"_form": [message]})
    return page, 429, {"Retry-After": str(seconds)}


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError):
    details = [
        f"{field}: {'; '.join(gettext(str(m)) for m in msgs)}"
        for field, msgs in _flat(exc.messages)
    ]
    return _page(
        422,
        gettext("Something in this request is not valid"),
        gettext("Nothing was changed."),
        details,
    )


@bp.errorhandler(DomainError)
def _domain(exc: DomainError):
    # Services raise msgids (N_); the moderator reads them in their language.
    details = [gettext(m) for messages in exc.fields.values() for m in messages]
    return _page(exc.status, gettext(exc.message), gettext("Nothing was changed."), details)


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException):
    message = str(HINTS.get(exc.code, exc.description or ""))
    return _page(exc.code or 500, exc.name, message)


def _flat(messages):
    if isinstance(messages, dict):
        for field, value in messages.items():
            yield field, value if isinstance(value, list) else [value]
    else:
        yield "form", messages
