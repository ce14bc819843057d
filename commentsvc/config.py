"""Configuration: defaults, then the instance folder, then the environment.

Nothing here reads the environment at import time; `load` runs inside the factory.
"""

import hashlib
import os
from dataclasses import dataclass
from datetime import timedelta

MODERATION_MODES = ("all", "first", "none")
IN_PROCESS_LIMITS = "commentsvc-memory://"  # extensions.InProcessStorage
DEFAULT_SECRET_KEY = "dev-insecure-secret"  # noqa: S105 - the value production refuses


class Defaults:
    SECRET_KEY = DEFAULT_SECRET_KEY
    MAX_CONTENT_LENGTH = 64 * 1024
    # Longest request target (path and query, as sent), answered 414 past it; gunicorn's
    # own limit is off so API clients get the JSON answer, not gunicorn's HTML one.
    MAX_URL_LENGTH = 32 * 1024
    # Filled in by `load` for the database in use (see `engine_options`).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Flask-Limiter: shared across instances only when REDIS_URL points at Redis; else
    # each process counts in its memory (extensions.InProcessStorage).
    RATELIMIT_STORAGE_URI = IN_PROCESS_LIMITS
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"
    # Redis down: count limits in each process's memory (logged and counted) rather than
    # refuse every submission and sign-in; the shared counts resume when it is back.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    REDIS_URL = None

    # commentsvc's own settings; each can be set as COMMENTSVC_<NAME>.
    ARTICLES_AUTO_CREATE = True
    ALLOWED_ORIGINS: list[str] = []
    THREAD_DEPTH = 5
    BODY_MAX_LENGTH = 10_000
    MODERATION = "all"  # all | first | none
    MAX_LINKS = 2
    SUBMIT_RATE_LIMIT = "10 per minute;60 per hour"
    TRUSTED_PROXIES = 0
    # Cookies only over HTTPS; `make run` turns it off to serve plain http://127.0.0.1.
    SECURE_COOKIES = True
    # Failed sign-ins: per account from one address, and per address over all accounts.
    LOGIN_RATE_LIMIT = "5 per minute"
    LOGIN_IP_RATE_LIMIT = "20 per minute"
    # A review form stays valid as long as the moderator's session: a queue left open
    # over lunch should not answer "form expired". The token is still per session.
    WTF_CSRF_TIME_LIMIT = None
    # The address readers' browsers reach the service at, for embed snippets and the
    # demo page (default: the address of the request).
    PUBLIC_URL = None
    # PostgreSQL connections each worker process keeps open, and how many more it may
    # open under a burst (SQLite needs no pool sizing).
    DB_POOL_SIZE = 5
    DB_MAX_OVERFLOW = 5
    # Rendered threads (gzip-compressed bytes) each worker keeps when REDIS_URL is unset.
    THREAD_CACHE_BYTES = 32 * 1024 * 1024
    # Namespace of every key this deployment writes to Redis; empty means one derived
    # from the database URL, so two deployments sharing a Redis never meet.
    CACHE_PREFIX = ""

    # Operations (README, "Operations"). /metrics answers only with this bearer token.
    METRICS_TOKEN = ""
    LOG_FORMAT = "text"  # text | json: one line per request
    # How long "Remember me" keeps a moderator signed in; also the longest a server-side
    # session lives.
    REMEMBER_DAYS = 14

    # Notifications (the outbox and its worker). Mail settings are Flask-Mail's names;
    # with no MAIL_SERVER, mails are written as .eml files under instance/mail/.
    SITE_NAME = None  # in mail subjects; PUBLIC_URL's host when unset
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = None
    MAIL_TIMEOUT = 30
    # Tell a commenter when a moderator approves their held comment.
    MAIL_AUTHOR_ON_APPROVAL = False
    # How long the approve/spam/reject links in moderators' mails work.
    MODERATION_LINK_DAYS = 7
    DIGEST_HOUR = 7  # UTC hour of the daily digest for moderators who chose it
    OUTBOX_MAX_ATTEMPTS = 12
    OUTBOX_RETRY_BASE_SECONDS = 30
    OUTBOX_RETRY_MAX_SECONDS = 6 * 3600
    # A claimed row is redelivered after this long if its worker died mid-delivery.
    OUTBOX_LEASE_SECONDS = 300
    OUTBOX_KEEP_DAYS = 30
    WORKER_POLL_SECONDS = 5
    WORKER_BATCH = 20
    WEBHOOKS_TIMEOUT = 10
    # Deliver to loopback and private addresses (tests and closed networks only).
    WEBHOOKS_ALLOW_PRIVATE = False

    # Days a comment keeps its author's IP address and User-Agent (for spam and abuse
    # checks); then the daily purge clears them. 0 keeps them.
    IP_RETENTION_DAYS = 30

    # The submission policy (README, "Moderation policy"); 0 turns a rule off.
    FLOOD_SECONDS = 15
    MIN_FORM_SECONDS = 3
    SPAM_REPEAT = 3
    CLOSE_AFTER_DAYS = 0
    REFUSE_DUPLICATES = True
    MODERATION_WORDS = ""  # one entry a line
    DISALLOWED_WORDS = ""
    # The external checker (Akismet's protocol); off until switched on with a key.
    AKISMET = False
    AKISMET_URL = "https://rest.akismet.com"
    AKISMET_KEY = ""
    AKISMET_TIMEOUT = 3.0
    AKISMET_SITE = None  # Akismet's `blog`: the site's home page (default: PUBLIC_URL)


def load(app, test_config=None):
    """Layer the configuration: defaults, instance/config.py, COMMENTSVC_* and plain env."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("COMMENTSVC")
    for name in ("SECRET_KEY", "REDIS_URL"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.from_mapping(test_config)

    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", f"sqlite:///{os.path.join(app.instance_path, 'commentsvc.db')}"
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config),
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    if not app.config["CACHE_PREFIX"]:
        app.config["CACHE_PREFIX"] = cache_prefix(app.config["SQLALCHEMY_DATABASE_URI"])
    # Rate-limit counters in a shared Redis are this deployment's own too.
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["CACHE_PREFIX"].rstrip(":"))
    in_process = app.config["RATELIMIT_STORAGE_URI"] in (IN_PROCESS_LIMITS, "memory://")
    if app.config["REDIS_URL"] and in_process:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
        # A Redis that stops answering must fail fast, so the in-memory fallback takes over
        # within a request rather than after the worker's timeout.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
        )
    if app.config["LOG_FORMAT"] not in ("text", "json"):
        raise RuntimeError(
            f"COMMENTSVC_LOG_FORMAT is {app.config['LOG_FORMAT']!r}; use text or json."
        )
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=int(app.config["REMEMBER_DAYS"]))
    app.config["ALLOWED_ORIGINS"] = split_list(app.config["ALLOWED_ORIGINS"])
    secure = bool(app.config["SECURE_COOKIES"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
    )
    if not str(app.config["AKISMET_URL"]).startswith(("http://", "https://")):
        raise RuntimeError("COMMENTSVC_AKISMET_URL must be an http:// or https:// address.")
    if app.config["MODERATION"] not in MODERATION_MODES:
        # A typo here would otherwise publish every comment unread.
        raise RuntimeError(
            f"COMMENTSVC_MODERATION is {app.config['MODERATION']!r}; "
            f"use one of {', '.join(MODERATION_MODES)}."
        )


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs (as hosting platforms hand them out) at psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str, config) -> dict:
    """Pool settings for the database `url` names.

    A SQLite file has no server to lose, so its connections skip the liveness ping that
    would otherwise add a query to every request; PostgreSQL's are pinged (a failover
    then costs one retry, not an error) and pooled to the configured size.
    """
    # Statements' parameters stay out of error messages (and so out of logs): they hold
    # what readers typed, their emails among it.
    if url.startswith("sqlite"):
        return {"hide_parameters": True}
    return {
        "hide_parameters": True,
        "pool_pre_ping": True,
        "pool_size": int(config["DB_POOL_SIZE"]),
        "max_overflow": int(config["DB_MAX_OVERFLOW"]),
    }


def cache_prefix(url: str) -> str:
    """A Redis key prefix of this deployment's own: a hash of its database URL."""
    return f"commentsvc:{hashlib.sha256(url.encode()).hexdigest()[:12]}:"


def split_list(value) -> list[str]:
    """Accept a JSON list (as from_prefixed_env parses it) or a comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    return [item.strip().rstrip("/") for item in value or [] if item.strip()]


def word_list(value) -> tuple[str, ...]:
    """One entry a line (or a JSON list): trimmed, blank lines and repeats dropped."""
    if not isinstance(value, list | tuple):
        # A string; or what from_prefixed_env made of a one-entry list like "1234".
        value = "" if value is None else str(value).splitlines()
    entries = (" ".join(str(item).split()) for item in value or [])
    return tuple(dict.fromkeys(entry for entry in entries if entry))


def refuse_insecure_defaults(app) -> None:
    """Stop a served app from signing anything with the published default secret.

    :raise RuntimeError: when SECRET_KEY is unset or the default.
    """
    if not app.config.get("SECRET_KEY") or app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError(
            "SECRET_KEY is the insecure default. Set SECRET_KEY (or COMMENTSVC_SECRET_KEY) "
            "in the environment, or run `flask --app commentsvc instance init` to write "
            "a random one into the instance folder."
        )


@dataclass(frozen=True)
class Settings:
    """The subset of configuration the domain code needs, passed in explicitly."""

    articles_auto_create: bool = True
    thread_depth: int = 5
    body_max_length: int = 10_000
    moderation: str = "all"
    max_links: int = 2
    flood_seconds: int = Defaults.FLOOD_SECONDS
    min_form_seconds: int = Defaults.MIN_FORM_SECONDS
    spam_repeat: int = Defaults.SPAM_REPEAT
    close_after_days: int = Defaults.CLOSE_AFTER_DAYS
    refuse_duplicates: bool = Defaults.REFUSE_DUPLICATES
    moderation_words: tuple[str, ...] = ()
    disallowed_words: tuple[str, ...] = ()
    checker_enabled: bool = Defaults.AKISMET
    akismet_url: str = Defaults.AKISMET_URL
    akismet_key: str = Defaults.AKISMET_KEY
    akismet_timeout: float = Defaults.AKISMET_TIMEOUT
    akismet_site: str | None = None

    @classmethod
    def from_config(cls, config) -> "Settings":
        return cls(
            articles_auto_create=bool(config["ARTICLES_AUTO_CREATE"]),
            thread_depth=int(config["THREAD_DEPTH"]),
            body_max_length=int(config["BODY_MAX_LENGTH"]),
            moderation=str(config["MODERATION"]),
            max_links=int(config["MAX_LINKS"]),
            flood_seconds=int(config["FLOOD_SECONDS"]),
            min_form_seconds=int(config["MIN_FORM_SECONDS"]),
            spam_repeat=int(config["SPAM_REPEAT"]),
            close_after_days=int(config["CLOSE_AFTER_DAYS"]),
            refuse_duplicates=bool(config["REFUSE_DUPLICATES"]),
            moderation_words=word_list(config["MODERATION_WORDS"]),
            disallowed_words=word_list(config["DISALLOWED_WORDS"]),
            checker_enabled=bool(config["AKISMET"]),
            akismet_url=str(config["AKISMET_URL"]).rstrip("/"),
            akismet_key=str(config["AKISMET_KEY"] or ""),
            akismet_timeout=float(config["AKISMET_TIMEOUT"]),
            akismet_site=config["AKISMET_SITE"] or config["PUBLIC_URL"] or None,
        )

    @property
    def checker_configured(self) -> bool:
        """Whether the external checker could run (an address and a key are set)."""
        return bool(self.akismet_url and self.akismet_key)
