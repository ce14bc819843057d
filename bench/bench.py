"""make bench: commentsvc's public read and write paths beside two plain-Flask baselines.

Every server runs under gunicorn with 2 sync workers on loopback; each case is loaded
from 16 connections in interleaved rounds, beside a Flask hello world and a Flask view
sending the same 200 comments from memory, so only ratios within one run are compared.

Environment: BENCH_DB=sqlite (default: SQLite alone, then SQLite with Redis) or postgres
(PostgreSQL with Redis; BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1/test,
in a schema of the run's own), BENCH_REDIS_URL (default redis://127.0.0.1:6379/0, keys
under a prefix of the run's own), BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_LARGE=1
(the million-comment cases too), BENCH_LOG (a file for the servers' stderr).
Writes bench/results/latest.json.
"""

import json
import os
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import seed
from dbs import database, prepare, service_env
from harness import ROOT, Load, Server, call

RESULTS = ROOT / "bench" / "results" / "latest.json"
THREAD = f"/api/v1/articles/{seed.ARTICLE}/comments?limit=200"
GZIP = (("Accept-Encoding", "gzip, deflate, br"),)
SUBMIT_LUA = (
    '\'{"name":"Bench \' .. n .. \'","email":"bench\' .. n .. \'@example.org",'
    "\"body\":\"Round ' .. tag .. ' comment ' .. n .. ', held for review.\"}'"
)


def submit_body(tag: str, n: str) -> str:
    return json.dumps(
        {
            "name": f"Bench {n}",
            "email": f"bench{n}@example.org",
            "body": f"Round {tag} comment {n}, held for review.",
        }
    )


# (case, load, baseline, target ratio to the baseline's requests per second)
def cases(etag: str, tag: str) -> list[tuple[str, Load, str, float | None]]:
    ids = [seed.ARTICLE] + [f"{seed.ARTICLE}-{n}" for n in range(1, seed.COUNT_ARTICLES)]
    counts = "/api/v1/counts?" + "&".join(f"article_id={a}" for a in ids)
    submit = f"/api/v1/articles/{seed.ARTICLE}-submit/comments"
    return [
        ("thread_200", Load(paths=(THREAD,), headers=GZIP), "flask_rows_200", 1.5),
        ("thread_200_identity", Load(paths=(THREAD,)), "flask_rows_200", None),
        (
            "thread_200_304",
            Load(paths=(THREAD,), headers=(*GZIP, ("If-None-Match", etag))),
            "flask_hello",
            0.8,
        ),
        ("counts_50", Load(paths=(counts,)), "flask_hello", 0.7),
        (
            "submit_held",
            Load(
                method="POST",
                paths=(submit,),
                headers=(("Content-Type", "application/json"),),
                lua_body=SUBMIT_LUA,
                python_body=partial(submit_body, tag),
            ),
            "flask_hello",
            0.16,
        ),
    ]


def flatten(comments: list[dict]) -> list[dict]:
    rows = []
    for comment in comments:
        rows.append({k: v for k, v in comment.items() if k != "replies"})
        rows.extend(flatten(comment["replies"]))
    return rows


def run_setup(label: str, kind: str, redis_url: str | None, rounds: int, seconds: float):
    """Seed a thread, then measure every case and both baselines in interleaved rounds."""
    prefix = f"commentsvc-bench-{uuid.uuid4().hex[:12]}:"
    with ExitStack() as stack:
        url = stack.enter_context(database(kind, "small"))
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="commentsvc-bench-"))
        env = service_env(url, redis_url, prefix, tmp)
        key = prepare(env)
        service = stack.enter_context(Server("wsgi:app", env))
        seed.small_thread(service.port, key)
        _, _, body = call(service.port, "GET", THREAD)
        thread = json.loads(body)
        assert thread["count"] == 200 and len(flatten(thread["comments"])) == 200, thread["count"]
        rows_file = Path(tmp) / "rows.json"
        rows_file.write_text(json.dumps(flatten(thread["comments"])))
        _, gz_headers, _ = call(service.port, "GET", THREAD, headers=dict(GZIP))
        base_env = {**env, "BENCH_ROWS_FILE": str(rows_file), "PYTHONPATH": str(ROOT / "bench")}
        servers = {
            "flask_hello": stack.enter_context(Server("baselines:hello", base_env)),
            "flask_rows_200": stack.enter_context(Server("baselines:rows", base_env)),
        }
        plan = [("flask_hello", Load(), None, None), ("flask_rows_200", Load(), None, None)]
        plan += cases(gz_headers["ETag"], f"{label}-{uuid.uuid4().hex[:6]}")
        samples = {name: [] for name, *_ in plan}
        for name, load, *_ in plan:  # warm up: imports, statement caches, the thread cache
            harness.run(servers.get(name, service).port, load, 1, f"warm-{name}")
        for round_no in range(rounds):
            for name, load, *_ in plan:
                server = servers.get(name, service)
                samples[name].append(harness.run(server.port, load, seconds, f"r{round_no}"))
        extras = {}
        if kind == "sqlite" and not redis_url:
            extras = measure_memory(service)
        _clear_redis(redis_url, prefix)
    medians = {name: harness.medians(results) for name, results in samples.items()}
    rows = []
    for name, _load, baseline, target in plan:
        m = medians[name]
        ratio = m.rps / medians[baseline].rps if baseline else None
        rows.append(
            {
                "case": name,
                "database": label,
                "rounds": rounds,
                "rps_median": round(m.rps, 1),
                "p50_ms": round(m.p50_ms, 3),
                "p99_ms": round(m.p99_ms, 3),
                "ratio": round(ratio, 3) if ratio is not None else None,
                "baseline": baseline,
                "target": target,
                "met": (ratio >= target) if target is not None else None,
                "errors": m.errors,
                "rps_rounds": [round(r.rps, 1) for r in samples[name]],
            }
        )
    return rows, extras


def measure_memory(service: Server) -> dict:
    """Resident memory per worker before and after filling the in-process thread cache."""
    before = [harness.rss_mib(pid) for pid in service.worker_pids()]
    cursors, cursor = [], None
    while True:
        path = f"/api/v1/articles/{seed.ARTICLE}/comments?limit=1" + (
            f"&cursor={cursor}" if cursor else ""
        )
        cursor = json.loads(call(service.port, "GET", path)[2])["next_cursor"]
        if not cursor:
            break
        cursors.append(cursor)
    bound = 32 * 1024 * 1024  # the default COMMENTSVC_THREAD_CACHE_BYTES
    sent, requests = 0, 0
    for order in ("oldest", "newest"):
        for limit in (200, 180, 160, 140, 120, 100, 80):
            for cursor in cursors:
                path = f"/api/v1/articles/{seed.ARTICLE}/comments?order={order}&limit={limit}"
                _, _, data = call(
                    service.port, "GET", f"{path}&cursor={cursor}", headers=dict(GZIP)
                )
                sent, requests = sent + len(data), requests + 1
                if sent > 3 * bound:
                    return _memory(service, before, requests, sent, bound)
    return _memory(service, before, requests, sent, bound)


def _memory(service: Server, before: list, requests: int, sent: int, bound: int) -> dict:
    after = [harness.rss_mib(pid) for pid in service.worker_pids()]
    return {
        "rss_mib_before_fill": [round(x, 1) for x in before],
        "rss_mib_after_fill": [round(x, 1) for x in after],
        "fill_requests": requests,
        "fill_gzip_bytes": sent,
        "cache_bound_bytes": bound,
    }


def _clear_redis(redis_url: str | None, prefix: str) -> None:
    if not redis_url:
        return
    import redis

    client = redis.Redis.from_url(redis_url)
    for pattern in (f"{prefix}*", f"*{prefix.rstrip(':')}*"):
        for key in client.scan_iter(pattern):
            client.delete(key)
    client.close()


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def print_table(rows: list[dict]) -> None:
    print(
        f"\n{'case':<22}{'database':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'ratio':>8}  {'baseline':<16}{'target':>7}  met"
    )
    for r in rows:
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else ""
        target = (
            f"{'<=' if r['case'].startswith('large_') else '>='}{r['target']}"
            if r["target"] is not None
            else ""
        )
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        print(
            f"{r['case']:<22}{r['database']:<18}{r['rps_median']:>9.0f}{r['p50_ms']:>9.2f}"
            f"{r['p99_ms']:>9.2f}{ratio:>8}  {r['baseline'] or '':<16}{target:>7}  {met}"
        )


def main() -> int:
    kind = os.environ.get("BENCH_DB", "sqlite")
    kind = "postgres" if kind.startswith("postgres") else "sqlite"
    rounds = max(3, int(os.environ.get("BENCH_ROUNDS", "3")))
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    has_redis = redis_available(redis_url)
    print(
        f"commentsvc bench: {'wrk' if harness.WRK else 'Python client'}, "
        f"{harness.CONNECTIONS} connections, 2 gunicorn sync workers per server, "
        f"{rounds} rounds of {seconds:g} s per case"
    )
    setups = []
    if kind == "sqlite":
        setups.append(("sqlite", "sqlite", None))
        setups.append(("sqlite+redis", "sqlite", redis_url))
    else:
        setups.append(("postgres+redis", "postgres", redis_url))
    rows, notes = [], {}
    for label, db_kind, redis in setups:
        if redis and not has_redis:
            print(f"skipping {label}: Redis at {redis} does not answer")
            continue
        started = time.monotonic()
        setup_rows, extras = run_setup(label, db_kind, redis, rounds, seconds)
        rows += setup_rows
        if extras:
            notes["memory"] = extras
        print(f"{label}: done in {time.monotonic() - started:.0f} s")
    notes["cache_miss"] = miss_cpu(kind)
    if os.environ.get("BENCH_LARGE") == "1":
        import large

        large_rows, notes["large"] = large.run(kind, rounds, seconds)
        rows += large_rows
    print_table(rows)
    for name, value in notes.items():
        print(f"{name}: {json.dumps(value, indent=1) if name == 'large' else value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=1) + "\n")
    (RESULTS.parent / "latest-notes.json").write_text(json.dumps(notes, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    missed = [r for r in rows if r["met"] is False]
    print("every target met" if not missed else f"targets missed: {len(missed)}")
    return 0


def miss_cpu(kind: str) -> dict:
    """CPU of a cache miss for the 200-comment thread, measured in this process."""
    import miss

    with database(kind, "miss") as url:
        return miss.measure(url)


if __name__ == "__main__":
    raise SystemExit(main())
