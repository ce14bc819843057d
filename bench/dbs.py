"""Databases and environments for the bench's servers."""

import os
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager

from harness import ROOT


@contextmanager
def database(kind: str, purpose: str):
    """A new empty database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"commentsvc-bench-{purpose}-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    from sqlalchemy import create_engine, text

    base = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"bench_{purpose}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def service_env(url: str, redis_url: str | None, prefix: str, tmp: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTSVC_")}
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=url,
        SECRET_KEY="bench-secret",
        COMMENTSVC_INSTANCE_PATH=tmp,
        COMMENTSVC_CACHE_PREFIX=prefix,
        COMMENTSVC_RATELIMIT_KEY_PREFIX=prefix.rstrip(":"),
        # Measure the path, not the throttles: the limiter still runs on every submit.
        COMMENTSVC_SUBMIT_RATE_LIMIT="100000000 per minute",
        # Every bench request comes from one address: the policy's flood interval would
        # refuse all but one submission in 15 s; the rest of the policy still runs.
        COMMENTSVC_FLOOD_SECONDS="0",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def prepare(env: dict) -> str:
    """Migrate the database and make a moderate-scope API key; return its secret."""
    flask = [sys.executable, "-m", "flask", "--app", "commentsvc"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    out = subprocess.run(
        [*flask, "api-keys", "create", "bench", "--scope", "moderate"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.splitlines()[-1]
