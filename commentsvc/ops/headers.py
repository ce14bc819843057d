"""Headers every answer carries, whichever door (or none) answered.

The doors set their own policies first (the review UI's strict CSP, the widget page's
frame-ancestors); these only fill in what is missing, so an error page, a 404, the front
page and the demo page are covered too.
"""

from flask import Flask, current_app, request

# The front page, the demo article and error pages outside the doors: their own inline
# styles, the widget's script, styles, images, calls and frame from this service (and
# from PUBLIC_URL, which may be another origin), nothing from elsewhere.
PAGE_CSP = (
    "default-src 'self'{service}; script-src 'self'{service}; "
    "style-src 'self' 'unsafe-inline'{service}; img-src 'self' data:{service}; "
    "frame-src 'self'{service}; connect-src 'self'{service}; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"  # a year; subdomains are the site owner's to opt in, not ours


def register(app: Flask) -> None:
    app.after_request(_everywhere)


def _everywhere(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if current_app.config["SECURE_COOKIES"]:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith("/api/") and _moderation_request():
        # Queues, authors' emails and API key answers must not sit in any cache.
        headers["Cache-Control"] = "no-store"
    if response.mimetype == "text/html" and "Content-Security-Policy" not in headers:
        # Pages with a policy of their own (the widget's, framed by other sites) keep it.
        headers["Content-Security-Policy"] = _page_csp()
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _moderation_request() -> bool:
    """A request to a keyed API route, or one carrying a key: its answer is not public."""
    view = current_app.view_functions.get(request.endpoint or "")
    keyed = getattr(view, "required_scope", None) is not None
    # An address no route takes (an id out of range) may still be a keyed route's: its
    # answer is as uncacheable as the route's own, as /openapi.json says.
    unrouted = request.routing_exception is not None
    return keyed or unrouted or "Authorization" in request.headers


def _page_csp() -> str:
    service = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    plain = service.startswith(("http://", "https://")) and not any(c in service for c in " ;,'\"")
    return PAGE_CSP.format(service=f" {service}" if plain else "")
