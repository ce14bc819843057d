"""Configuration: URLs, lists, the secret guard, and what the environment selects."""

import os
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from commentsvc import config, create_app
from commentsvc.extensions import db


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db.example:5432/c", "postgresql+psycopg://u:p@db.example:5432/c"),
        ("postgresql://u:p@db.example/c", "postgresql+psycopg://u:p@db.example/c"),
        ("postgresql+psycopg://u@db.example/c", "postgresql+psycopg://u@db.example/c"),
        ("sqlite:////srv/commentsvc.db", "sqlite:////srv/commentsvc.db"),
    ],
)
def test_normalise_database_url_points_postgresql_at_psycopg(url, expected):
    assert config.normalise_database_url(url) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["https://a.example/", "https://b.example"], ["https://a.example", "https://b.example"]),
        ("https://a.example/, https://b.example", ["https://a.example", "https://b.example"]),
        ("https://a.example", ["https://a.example"]),
        (" , ,", []),
        ("", []),
        (None, []),
        ([], []),
    ],
)
def test_split_list_takes_json_lists_and_comma_strings(value, expected):
    assert config.split_list(value) == expected


@pytest.mark.parametrize("secret", [config.DEFAULT_SECRET_KEY, "", None])
def test_refuse_insecure_defaults_stops_a_published_or_missing_secret(secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.refuse_insecure_defaults(SimpleNamespace(config={"SECRET_KEY": secret}))


def test_refuse_insecure_defaults_lets_a_real_secret_through():
    config.refuse_insecure_defaults(SimpleNamespace(config={"SECRET_KEY": "c0ffee" * 10}))


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """An environment with none of the settings below, and an instance folder of its own."""
    for name in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("COMMENTSVC_")]:
        monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(instance))
    return instance


@pytest.fixture
def make_app():
    """Build apps with create_app; dispose of their engines afterwards."""
    made = []

    def make(test_config=None):
        app = create_app(test_config)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_commentsvc_environment_variables_are_read(clean_env, monkeypatch, make_app):
    monkeypatch.setenv("COMMENTSVC_THREAD_DEPTH", "3")
    monkeypatch.setenv("COMMENTSVC_ALLOWED_ORIGINS", '["https://a.example"]')

    app = make_app()

    assert app.config["THREAD_DEPTH"] == 3
    assert app.config["ALLOWED_ORIGINS"] == ["https://a.example"]
    assert config.Settings.from_config(app.config).thread_depth == 3


def test_a_comma_separated_origins_variable_is_split(clean_env, monkeypatch, make_app):
    monkeypatch.setenv("COMMENTSVC_ALLOWED_ORIGINS", "https://a.example/,https://b.example")

    app = make_app()

    assert app.config["ALLOWED_ORIGINS"] == ["https://a.example", "https://b.example"]


def test_database_url_selects_the_database(clean_env, monkeypatch, make_app):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/comments")

    app = make_app()

    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example:5432/comments"
    )
    with app.app_context():
        assert db.engine.url.drivername == "postgresql+psycopg"
        assert db.engine.url.host == "db.example"


def test_the_test_mapping_overrides_the_environment(clean_env, monkeypatch, make_app):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/comments")
    monkeypatch.setenv("COMMENTSVC_THREAD_DEPTH", "3")

    app = make_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "THREAD_DEPTH": 7})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert app.config["THREAD_DEPTH"] == 7


def test_the_default_database_is_sqlite_in_the_instance_folder(clean_env, make_app):
    app = make_app()

    assert app.instance_path == str(clean_env)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{clean_env / 'commentsvc.db'}"
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert (clean_env / "commentsvc.db").exists()


def test_the_instance_config_file_is_read(clean_env, make_app):
    clean_env.mkdir()
    (clean_env / "config.py").write_text("SECRET_KEY = 'from-the-instance-folder'\n")

    app = make_app()

    assert app.config["SECRET_KEY"] == "from-the-instance-folder"
    config.refuse_insecure_defaults(app)


def test_an_app_without_a_configured_secret_is_refused(clean_env, make_app):
    app = make_app()

    assert app.config["SECRET_KEY"] == config.DEFAULT_SECRET_KEY
    with pytest.raises(RuntimeError):
        config.refuse_insecure_defaults(app)


@pytest.mark.parametrize("mode", ["al", "ALL", "publish", ""])
def test_an_unknown_moderation_mode_stops_the_app(clean_env, monkeypatch, make_app, mode):
    # A typo must not quietly publish every comment unread.
    monkeypatch.setenv("COMMENTSVC_MODERATION", mode)

    with pytest.raises(RuntimeError, match="COMMENTSVC_MODERATION"):
        make_app()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("casino\n  cheap   pills \n\ncasino\r\n", ("casino", "cheap pills")),
        (["casino", " poker ", ""], ("casino", "poker")),
        (1234, ("1234",)),  # COMMENTSVC_DISALLOWED_WORDS=1234 arrives as a number
        ("", ()),
        (None, ()),
    ],
)
def test_word_lists_take_lines_or_lists(value, expected):
    assert config.word_list(value) == expected


def test_remember_days_sets_the_remember_cookies_lifetime(clean_env, monkeypatch, make_app):
    monkeypatch.setenv("COMMENTSVC_REMEMBER_DAYS", "3")

    app = make_app()

    assert app.config["REMEMBER_DAYS"] == 3
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=3)


def test_an_unknown_log_format_is_refused(clean_env, monkeypatch, make_app):
    monkeypatch.setenv("COMMENTSVC_LOG_FORMAT", "xml")

    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        make_app()


def test_in_process_rate_limits_start_no_thread_per_hit(monkeypatch):
    import threading
    import time

    from limits import RateLimitItemPerSecond
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    from commentsvc.extensions import InProcessStorage

    storage = storage_from_string(config.Defaults.RATELIMIT_STORAGE_URI)
    assert isinstance(storage, InProcessStorage)
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    limiter, limit = MovingWindowRateLimiter(storage), RateLimitItemPerSecond(2)
    outcomes = []
    for _ in range(3):
        outcomes.append(limiter.hit(limit, "reader"))
        time.sleep(0.02)  # MemoryStorage's own timer would be done, and start again
    assert outcomes == [True, True, False]
    assert started == []
    time.sleep(1.05)
    assert limiter.hit(limit, "reader")  # the window moved on without the timer
    assert [len(entries) for entries in storage.events.values()] == [1]  # swept inline
