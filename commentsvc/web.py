"""What every door reads off a request the same way: the client and the settings.

Below the doors (the API, the review UI and the widget import it; it imports none of them).
"""

from flask import current_app, request

from .config import Settings
from .services import Client


def settings() -> Settings:
    """The settings the domain code takes, read from the app's configuration."""
    return Settings.from_config(current_app.config)


def client() -> Client:
    """Where this request came from, as moderators will see it."""
    return Client(remote_addr=request.remote_addr, user_agent=request.user_agent.string)
