"""Headers on every review page: the moderators' screens show strangers' text and IPs."""

from . import bp

# Defence in depth under the sanitiser: no inline or third-party script, style or image can
# run here even if hostile markup slipped through, and no other site can frame the queue
# (a framed page plus one-key actions would be a clickjacking kit).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@bp.after_request
def _secure(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Review addresses hold emails (author filters); links out must not carry them.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # Pages hold authors' data, API key secrets and set-password links: keep them out of caches.
    response.headers.setdefault("Cache-Control", "no-store")
    return response
