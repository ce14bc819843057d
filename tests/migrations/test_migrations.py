"""The Alembic revisions: they match the models, and they go up and down cleanly."""

import ast
from pathlib import Path

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from commentsvc import create_app
from commentsvc.extensions import db
from tests.databases import fresh_database

TABLES = {
    "alembic_version",
    "api_keys",
    "articles",
    "comments",
    "discussion_settings",
    "idempotency_keys",
    "moderation_events",
    "moderators",
}
TABLES |= {"outbox", "outbox_attempts", "webhooks", "subscriptions", "mail_opt_outs"}
TABLES |= {"scheduled_jobs"}
TABLES |= {"moderator_sessions"}


def script_directory(app) -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    return ScriptDirectory.from_config(config)


def test_models_and_the_latest_revision_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "target_metadata": db.metadata}
        )
        assert compare_metadata(context, db.metadata) == []


def test_the_database_is_at_the_single_head(app):
    heads = script_directory(app).get_heads()

    assert len(heads) == 1
    with app.app_context(), db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == tuple(heads)


def test_every_revision_file_has_a_docstring(app):
    versions = Path(app.extensions["migrate"].directory) / "versions"
    files = sorted(versions.glob("*.py"))

    assert files
    for path in files:
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path.name} has no docstring"
    revisions = list(script_directory(app).walk_revisions())
    assert len(revisions) == len(files)


def round_trip(monkeypatch, tmp_path, database_url: str) -> None:
    """Upgrade a blank database, downgrade it to nothing, and upgrade it again."""
    monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    fresh = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SECRET_KEY": "x"}
    )
    with fresh.app_context():
        try:
            flask_migrate.upgrade()
            assert set(inspect(db.engine).get_table_names()) == TABLES

            flask_migrate.downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
            with db.engine.connect() as connection:
                assert MigrationContext.configure(connection).get_current_heads() == ()

            flask_migrate.upgrade()
            assert set(inspect(db.engine).get_table_names()) == TABLES
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "target_metadata": db.metadata}
                )
                assert compare_metadata(context, db.metadata) == []
        finally:
            db.engine.dispose()


def test_upgrade_downgrade_upgrade_on_a_fresh_database(
    request, tmp_path_factory, monkeypatch, tmp_path
):
    with fresh_database(request.config, tmp_path_factory, "migrations") as url:
        round_trip(monkeypatch, tmp_path, url)
