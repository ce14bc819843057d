"""Databases for a test run: a SQLite file, or a PostgreSQL schema of the run's own."""

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() == "true"


@contextmanager
def postgres_schema(purpose: str):
    """Yield a URL whose connections work in a new schema; drop the schema afterwards.

    A schema per run keeps parallel runs (CI, developers, helpers) from meeting.
    Exits pytest when PostgreSQL does not answer: with a failure under CI=true.
    """
    base = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    admin = create_engine(base)
    schema = f"{purpose}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # any failure to reach it means "no PostgreSQL"
        admin.dispose()
        message = f"PostgreSQL at {base} does not answer: {exc.__class__.__name__}"
        if IN_CI:
            pytest.exit(f"{message}; CI requires it.", returncode=3)
        pytest.exit(f"{message}; skipping the PostgreSQL run.", returncode=0)
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def fresh_database(config, tmp_path_factory, purpose: str):
    """A new, empty database of the kind `--db` names."""
    if config.getoption("--db") == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp(purpose) / 'commentsvc.db'}"
    else:
        with postgres_schema(purpose) as url:
            yield url
