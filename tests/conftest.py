"""Fixtures: one app per run on the database `--db` names, one rolled-back transaction per test.

`make test` runs the suite twice: `--db=sqlite` (a file in the pytest temp dir) and
`--db=postgresql` (TEST_DATABASE_URL, each run in a schema of its own so parallel
runs never meet). Under CI=true a PostgreSQL that does not answer fails the run.
"""

import os

import flask_migrate
import pytest
from flask_sqlalchemy.session import Session

from tests.databases import fresh_database


def pytest_addoption(parser):
    parser.addoption(
        "--db", choices=["sqlite", "postgresql"], default="sqlite", help="database to test on"
    )


def pytest_report_header(config):
    return f"commentsvc database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    with fresh_database(request.config, tmp_path_factory, "test") as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ["COMMENTSVC_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    from commentsvc import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SUBMIT_RATE_LIMIT": "1000 per minute",
            "ALLOWED_ORIGINS": ["https://news.example"],
            # The rules that look at timing and history are off unless a test turns one
            # on (tests/policy/): most tests post the same comment quickly, on purpose.
            "FLOOD_SECONDS": 0,
            "MIN_FORM_SECONDS": 0,
            "SPAM_REPEAT": 0,
            "REFUSE_DUPLICATES": False,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        from commentsvc.extensions import db

        db.engine.dispose()


class _JoinedSession(Session):
    # Flask-SQLAlchemy picks the engine itself; tests need the outer connection.
    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture
def db_session(app):
    """A session whose every commit lands in a transaction rolled back after the test."""
    from commentsvc.extensions import db, limiter

    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _JoinedSession,
            }
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            db.session = original
            limiter.reset()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def api_key(db_session):
    """A moderate-scope key's secret."""
    from commentsvc.models import Scope
    from commentsvc.services import accounts

    _, secret = accounts.create_api_key(db_session, "tests", Scope.moderate)
    return secret


@pytest.fixture
def read_key(db_session):
    from commentsvc.models import Scope
    from commentsvc.services import accounts

    _, secret = accounts.create_api_key(db_session, "reader", Scope.read)
    return secret


@pytest.fixture
def auth(api_key):
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def moderator(db_session):
    from commentsvc.models import Role
    from commentsvc.services import accounts

    return accounts.create_moderator(db_session, "mod@example.org", "correct horse", Role.moderator)
