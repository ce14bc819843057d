"""The form token: when the form was shown, and for which article, signed.

Both doors need the form token: the no-JS form carries it as a hidden field, and the
widget gets one with each thread it loads (a response header) and posts it back. The
time it carries is the time-trap's clock. No session is needed (the widget lives in
third-party iframes, where cookies are often blocked): each token is signed with the
SECRET_KEY. The payload is a dict, so adding a key later leaves old tokens readable.
"""

import functools
import secrets
import time
from dataclasses import dataclass

import orjson
from itsdangerous import BadData, Signer, URLSafeSerializer
from itsdangerous.encoding import base64_encode

FORM_SALT = "commentsvc-embed-form"
FORM_MAX_AGE = 24 * 3600  # a reader may take their time writing
# Clocks of several instances disagree a little; a token "from the future" by more is forged.
CLOCK_SKEW = 60


class TokenRefused(Exception):
    """The form token is missing, forged, for another article or too old."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem  # "missing", "forged" or "expired"


@dataclass(frozen=True)
class FormStamp:
    """What a form token says: how long ago the form was shown, or what is wrong with it.

    `nonce` is unique to each shown form, so a form submitted twice stores once.
    """

    age: float | None
    problem: str | None = None
    nonce: str = ""


# Every thread read signs a new token: build the serializer (and its key) once per secret.
@functools.lru_cache(maxsize=8)
def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=salt)


@functools.lru_cache(maxsize=8)
def _signer(secret: str, salt: str) -> Signer:
    return _serializer(secret, salt).make_signer()


def form_token(secret: str, article_id: str, now: float | None = None) -> str:
    """A token the serializer reads back (`check_form_token`), made without its detours.

    Every thread read hands one out, and the serializer's `dumps` tries to compress
    each payload (never worth it for a hundred bytes) and encodes JSON in pure Python:
    that was a fifth of a cached read. This is its uncompressed form, signed by its
    own signer, which `loads` reads like any other.
    """
    shown = round(time.time() if now is None else now, 3)
    nonce = secrets.token_urlsafe(16)
    payload = orjson.dumps({"article": article_id, "shown": shown, "nonce": nonce})
    return _signer(secret, FORM_SALT).sign(base64_encode(payload)).decode("ascii")


def check_form_token(
    secret: str, token: str | None, article_id: str, now: float | None = None
) -> FormStamp:
    """Read a form token.

    :raise TokenRefused: missing, forged, for another article, or older than a day.
    """
    if not token:
        raise TokenRefused("missing")
    try:
        data = _serializer(secret, FORM_SALT).loads(token)
    except BadData as exc:
        raise TokenRefused("forged") from exc
    if not isinstance(data, dict) or data.get("article") != article_id:
        raise TokenRefused("forged")
    shown = data.get("shown")
    if not isinstance(shown, int | float) or isinstance(shown, bool):
        raise TokenRefused("forged")
    age = (time.time() if now is None else now) - shown
    if age < -CLOCK_SKEW:
        raise TokenRefused("forged")
    if age > FORM_MAX_AGE:
        raise TokenRefused("expired")
    nonce = data.get("nonce")
    return FormStamp(max(age, 0.0), nonce=nonce if isinstance(nonce, str) else "")


def read_form_token(
    secret: str, token: str | None, article_id: str, now: float | None = None
) -> FormStamp:
    """Like `check_form_token`, but a bad token is a stamp with its problem, not an error."""
    try:
        return check_form_token(secret, token, article_id, now)
    except TokenRefused as exc:
        return FormStamp(None, exc.problem)
