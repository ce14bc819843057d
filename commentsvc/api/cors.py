"""Cross-origin access to the public endpoints, for the origins the operator lists.

Only the reader-facing endpoints answer other origins; moderation never does, so a
browser on another site can never use a moderator's key through a visitor's page.
"""

from flask import request

from ..web import allowed_origin as allowed

PUBLIC_ENDPOINTS = {"api.submit_comment", "api.get_thread", "api.get_counts"}
EXPOSE_HEADERS = "ETag, Retry-After, Idempotent-Replayed, Comment-Form-Token"


def apply(response):
    if request.endpoint not in PUBLIC_ENDPOINTS:
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not allowed(origin):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = (
            "Content-Type, If-None-Match, Idempotency-Key"
        )
        response.headers["Access-Control-Max-Age"] = "600"
    else:
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response
