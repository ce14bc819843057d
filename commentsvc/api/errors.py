"""Every API error, whatever raised it, answers one JSON shape.

{"error": {"code": "...", "message": "...", "fields": {"email": ["..."]}, "request_id": "..."}}
"""

import uuid

from flask import current_app, g, jsonify, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from .. import web
from ..errors import DomainError
from ..schemas import flatten

HTTP_CODES = {
    400: ("bad_request", None),
    401: ("unauthorized", None),
    403: ("forbidden", None),
    404: ("not_found", _l("There is nothing at this address.")),
    405: ("method_not_allowed", None),
    413: ("payload_too_large", None),
    414: ("uri_too_long", None),
    415: ("unsupported_media_type", None),
    429: ("rate_limited", _l("Too many requests; wait a moment and try again.")),
    500: ("internal_error", _l("Something went wrong on our side; nothing was saved.")),
    503: ("unavailable", _l("The service is briefly unavailable; try again in a moment.")),
}


class ApiError(Exception):
    """An error only the API door raises (authentication, content type, body syntax)."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def is_api_request() -> bool:
    return request.path.startswith("/api/") or request.path == "/openapi.json"


def error_response(status: int, code: str, message: str, fields=None, headers=None):
    # The request log's hook names every request first; an error raised before it (or
    # outside a request's hooks) gets its id here, and the X-Request-Id header repeats it.
    if not g.get("request_id"):
        g.request_id = uuid.uuid4().hex
    error = {"code": code, "message": message, "fields": fields or {}, "request_id": g.request_id}
    response = jsonify({"error": error})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def register(app) -> None:
    """Install handlers that answer JSON under /api/ and leave other doors alone."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        response = error_response(exc.status, exc.code, exc.message, exc.fields)
        return web.retry_after(response, exc.retry_after)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        return error_response(
            422, "validation_failed", gettext("Some fields are not valid."), flatten(exc.messages)
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not is_api_request():
            return exc
        code, message = HTTP_CODES.get(exc.code, ("error", None))
        if exc.code == 413:
            limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
            message = gettext(
                "The request body is larger than the %(limit)s KiB this service accepts.",
                limit=limit,
            )
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return error_response(exc.code, code, str(message or exc.description), headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        from ..ops import outage  # the operations module sits above the doors

        if (unavailable := outage.caused_by_outage(exc)) is not None:
            return outage.present(unavailable)
        # The route's template, never the path: paths can hold tokens (set-password links).
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        current_app.logger.exception("Unhandled error on %s %s", request.method, route)
        if not is_api_request():
            return InternalServerError(original_exception=exc)
        code, message = HTTP_CODES[500]
        return error_response(500, code, str(message))
