"""Operations: health and readiness, metrics, the request log, headers, outages.

Beside the three doors, not inside any: every door's requests pass through these.
`counters` is the one module below the services (it imports only prometheus_client),
so a service can count what only it knows, such as a submission's verdict (hence no
Flask import at the top of this package).
"""


def register(app) -> None:
    """Install every operations concern on the app; called by create_app."""
    from . import headers, health, metrics, outage, requestlog

    outage.register(app)
    requestlog.register(app)
    headers.register(app)
    health.register(app)
    metrics.register(app)
