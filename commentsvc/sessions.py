"""The cookie session, and Flask-Login on it, exist only inside the review UI.

Readers' responses (the widget's files, the public JSON, /embed/<article_id>, /healthz)
must be the same for everyone, so shared caches and CDNs can keep them: opening the
session on those requests would add `Vary: Cookie` and cost a cookie decode each time.
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

REVIEW_PREFIX = "/review"


class ReviewOnlySessions(SecureCookieSessionInterface):
    """Open the signed cookie session under /review/; elsewhere hand out a null session."""

    def open_session(self, app, request):
        path = request.path
        if path == REVIEW_PREFIX or path.startswith(REVIEW_PREFIX + "/"):
            return super().open_session(app, request)
        # Read-only and never saved, so nothing is added to the response.
        return self.make_null_session(app)


def confine_login(app: Flask, login_manager, blueprint_name: str) -> None:
    """Run Flask-Login's per-request work for one blueprint only, not for every request.

    `login_manager.init_app` installs its remember-cookie hook for the whole app; this
    moves it (and the `current_user` template variable) to the blueprint's own lists.
    """
    from flask_login.utils import _user_context_processor

    app.after_request_funcs[None].remove(login_manager._update_remember_cookie)
    app.after_request_funcs.setdefault(blueprint_name, []).append(
        login_manager._update_remember_cookie
    )
    app.template_context_processors.setdefault(blueprint_name, []).append(_user_context_processor)
