"""commentsvc: comments for article pages, held for moderation, served safely."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config

PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> str:
    """A top-level folder (templates, migrations): inside a built wheel, or in the checkout."""
    inside = PACKAGE / name
    return str(inside if inside.is_dir() else PACKAGE.parent / name)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, the three doors, errors, commands."""
    instance_path = os.environ.get("COMMENTSVC_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        template_folder=_bundled("templates"),
    )
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_operations(app)
    register_commands(app)
    register_public_reads(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def register_extensions(app: Flask) -> None:
    from . import i18n, web
    from .extensions import csrf, db, limiter, login_manager, migrate, retry_after_only_when_refused
    from .sessions import ReviewOnlySessions

    db.init_app(app)
    i18n.init_app(app)
    migrate.init_app(app, db, directory=_bundled("migrations"), render_as_batch=True)
    # Flask runs after-request hooks last-registered first: registered before the
    # limiter's, these see the headers the limiter adds. A refusal that knows when to
    # retry (a flood) says so itself; any other answer but 429 and 503 loses Retry-After.
    app.before_request(web.refuse_long_url)
    app.after_request(web.keep_retry_after)
    app.after_request(retry_after_only_when_refused)
    limiter.init_app(app)
    # Every limit is a decorator on the route it limits (sign-in, submissions), which
    # checks itself. The limiter's hook before every other request only looks up that
    # there is nothing to check, at a tenth of what a conditional thread read costs.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    app.session_interface = ReviewOnlySessions()
    login_manager.init_app(app, add_context_processor=False)
    csrf.init_app(app)


def register_blueprints(app: Flask) -> None:
    from . import api, review, site, widget
    from .api import openapi
    from .extensions import csrf, login_manager
    from .sessions import confine_login
    from .web import ArticleIdConverter, IdConverter

    app.url_map.converters.update(article_id=ArticleIdConverter, id=IdConverter)
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(widget.bp)
    app.register_blueprint(site.bp)
    csrf.exempt(api.bp)
    csrf.exempt(widget.bp)
    confine_login(app, login_manager, review.bp.name)


def register_errorhandlers(app: Flask) -> None:
    from .api import errors

    errors.register(app)


def register_operations(app: Flask) -> None:
    from . import ops

    ops.register(app)


def register_public_reads(app: Flask) -> None:
    """Ordinary thread and counts reads are answered in front of Flask (api/reads.py)."""
    from .api.reads import PublicReads

    app.wsgi_app = PublicReads(app, app.wsgi_app)


def register_commands(app: Flask) -> None:
    from . import cli

    cli.register(app)
