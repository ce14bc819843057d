"""BENCH_LARGE=1: the same reads on 1,000,000 comments (10,000 articles) and on 5,000.

Each article has the same thread (70 top-level comments, 30 replies, 90% approved), so a
read on the large database does the same work as on the small one and only the size
differs; the thread cache is off (sized 0) so every read runs its queries. Target: p50
within 1.2x of the small database's. Each query's plan is printed (index scans only).
"""

import os
import random
import re
import tempfile
from contextlib import ExitStack

import harness
import seed
from dbs import database, prepare, service_env
from harness import Load, Server

LARGE_ARTICLES = int(os.environ.get("BENCH_LARGE_ARTICLES", "10000"))
SMALL_ARTICLES = 50  # enough for counts of 50 distinct articles, as on the large one
TARGET = 1.2


def loads(articles: int, key: str) -> dict[str, Load]:
    rng = random.Random(articles)  # noqa: S311 - which articles to read, not secrets
    picks = [rng.randint(1, articles) for _ in range(200)]
    threads = tuple(f"/api/v1/articles/{seed.large_id(n)}/comments" for n in picks)
    # 50 distinct articles per request on both databases: the same work, only the size differs.
    counts = tuple(
        "/api/v1/counts?"
        + "&".join(f"article_id={seed.large_id(n)}" for n in rng.sample(range(1, articles + 1), 50))
        for _ in range(20)
    )
    queue = ("/api/v1/comments?status=pending&limit=50",)
    return {
        "large_thread": Load(paths=threads),
        "large_queue_page": Load(paths=queue, headers=(("Authorization", f"Bearer {key}"),)),
        "large_counts_50": Load(paths=counts),
    }


def run(kind: str, rounds: int, seconds: float) -> tuple[list[dict], dict]:
    label = "postgres" if kind == "postgres" else "sqlite"
    with ExitStack() as stack:
        servers, plans = {}, {}
        for size, articles in (("small", SMALL_ARTICLES), ("large", LARGE_ARTICLES)):
            url = stack.enter_context(database(kind, size))
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="commentsvc-bench-"))
            env = service_env(url, None, f"commentsvc-bench-{size}:", tmp)
            env["COMMENTSVC_THREAD_CACHE_BYTES"] = "0"
            key = prepare(env)
            rows = seed.bulk(url, articles)
            print(f"{label} {size}: {rows:,} comments over {articles:,} articles")
            servers[size] = (stack.enter_context(Server("wsgi:app", env)), loads(articles, key))
            if size == "large":
                plans = explain(url, tmp)
        samples = {(case, size): [] for case in servers["small"][1] for size in servers}
        for case in servers["small"][1]:  # warm up
            for server, case_loads in servers.values():
                harness.run(server.port, case_loads[case], 1, "warm")
        for round_no in range(rounds):
            for case in servers["small"][1]:
                for size, (server, case_loads) in servers.items():
                    result = harness.run(server.port, case_loads[case], seconds, f"r{round_no}")
                    samples[(case, size)].append(result)
    rows = []
    for case in {case for case, _ in samples}:
        small = harness.medians(samples[(case, "small")])
        large = harness.medians(samples[(case, "large")])
        ratio = large.p50_ms / small.p50_ms
        for which, m, r in (("small", small, None), ("large", large, ratio)):
            rows.append(
                {
                    "case": case,
                    "database": f"{label}-{'1M' if which == 'large' else '5k'}",
                    "rounds": rounds,
                    "rps_median": round(m.rps, 1),
                    "p50_ms": round(m.p50_ms, 3),
                    "p99_ms": round(m.p99_ms, 3),
                    "ratio": round(r, 3) if r is not None else None,
                    "baseline": f"{label}-5k p50" if r is not None else None,
                    "target": TARGET if r is not None else None,
                    "met": (r <= TARGET) if r is not None else None,
                    "errors": m.errors,
                }
            )
    return rows, plans


def explain(url: str, tmp: str) -> dict:
    """Run the three reads in this process, record their SQL, and EXPLAIN each statement."""
    os.environ["COMMENTSVC_INSTANCE_PATH"] = tmp
    from sqlalchemy import event

    from commentsvc import cache, create_app, driver
    from commentsvc.extensions import db
    from commentsvc.services import moderation, reading
    from commentsvc.status import Status

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": None})
    plans: dict[str, list] = {}
    with app.app_context():
        recorded: list[tuple[str, object]] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT") and "FROM" in statement:
                recorded.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        driver.observers.append(
            lambda statement, values: record(None, None, statement, values, None, False)
        )
        article = seed.large_id(LARGE_ARTICLES // 2)
        for name, read in (
            (
                "thread",
                lambda: reading.thread_for(
                    db.session.connection(),
                    cache.LocalCache(0),
                    article,
                    reading.Page(),
                    auto_create=True,
                    secret="bench",
                ),
            ),
            (
                "counts",
                lambda: reading.counts_for(
                    db.session.connection(),
                    [seed.large_id(n) for n in range(1, LARGE_ARTICLES, 200)],
                ),
            ),
            ("queue_page", lambda: moderation.list_comments(db.session, status=Status.pending)),
        ):
            recorded.clear()
            read()
            plans[name] = [_plan(db, statement, params) for statement, params in recorded]
            db.session.remove()
        event.remove(db.engine, "before_cursor_execute", record)
        driver.observers.clear()
        db.engine.dispose()
    return plans


def _plan(db, statement: str, params) -> dict:
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    with db.engine.connect() as conn:
        lines = [str(row[-1]) for row in conn.exec_driver_sql(prefix + statement, params)]
    scans = [
        line
        for line in lines
        if re.search(r"\bSeq Scan\b", line)
        or (re.search(r"\bSCAN\b", line) and "INDEX" not in line)
    ]
    return {"sql": " ".join(statement.split())[:400], "plan": lines, "index_only": not scans}
