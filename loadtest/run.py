"""Run the load test: start the stack, send traffic through the faults, check, print.

Settings (environment): LOADTEST_SECONDS (60), LOADTEST_CLIENTS (8),
LOADTEST_DB_DOWN_SECONDS (10), LOADTEST_REPORT (write the result as JSON there),
LOADTEST_KEEP=1 (keep the temporary folder with the servers' logs). Exit status 0 when
every check passes, 1 when one fails, 2 when a program it needs is missing.
"""

import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import create_engine, text

from . import checks
from .faults import Faults, Plan
from .stack import Instance, Missing, Postgres, Redis, flask
from .traffic import Client, Traffic

ARTICLES = [f"loadtest-{n}" for n in range(1, 5)]
# Submissions still retrying when the traffic stops get this long to be answered.
SUBMIT_GRACE = 30.0
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)\b")
PENDING = "/api/v1/comments?status=pending&limit=200"


def main() -> int:
    seconds = float(os.environ.get("LOADTEST_SECONDS", "60"))
    clients = int(os.environ.get("LOADTEST_CLIENTS", "8"))
    db_down = float(os.environ.get("LOADTEST_DB_DOWN_SECONDS", "10"))
    try:
        plan = Plan.for_run(seconds, db_down)
    except ValueError as exc:
        print(f"loadtest: {exc}", file=sys.stderr)
        return 2
    # SIGTERM (a CI timeout, a test's kill) unwinds like Ctrl-C: everything is cleaned up.
    signal.signal(signal.SIGTERM, _interrupt)
    folder = Path(tempfile.mkdtemp(prefix="commentsvc-loadtest-"))
    folder.chmod(0o755)  # the postgres user reaches its own subfolder through it
    keep = os.environ.get("LOADTEST_KEEP") == "1"
    try:
        with ExitStack() as stack:
            if not keep:
                stack.callback(shutil.rmtree, folder, ignore_errors=True)
            result = _run(stack, folder, plan, seconds, clients)
            if not result["ok"]:
                _print_server_errors(folder)  # before the folder goes with its logs
    except Missing as exc:
        print(f"loadtest: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("loadtest: interrupted; its servers are stopped", file=sys.stderr)
        return 130
    if keep:
        print(f"kept {folder}")
    _print(result)
    if os.environ.get("LOADTEST_REPORT"):
        Path(os.environ["LOADTEST_REPORT"]).write_text(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _print_server_errors(folder: Path, blocks: int = 3, lines: int = 30) -> None:
    """The servers' first tracebacks, so a failed run (in CI, say) shows what broke."""
    for log in sorted(folder.glob("gunicorn-*.log")):
        text = log.read_text(errors="replace").splitlines()
        starts = [n for n, line in enumerate(text) if "Traceback" in line][:blocks]
        for start in starts:
            print(f"--- {log.name}, line {start + 1}:", file=sys.stderr)
            print("\n".join(text[max(0, start - 2) : start + lines]), file=sys.stderr)


def _run(stack: ExitStack, folder: Path, plan: Plan, seconds: float, clients: int) -> dict:
    run_id = uuid.uuid4().hex[:8]
    postgres = Postgres(folder)
    stack.callback(postgres.close)
    postgres.init()
    postgres.start()
    database_url = _create_database(postgres.url, "loadtest")
    redis = Redis(folder)
    stack.callback(redis.close)
    redis.start()

    env = _service_env(folder, database_url, redis.url, run_id)
    flask(env, "db", "upgrade")
    api_key = flask(env, "api-keys", "create", "loadtest", "--scope", "moderate").splitlines()[-1]
    instances = [Instance(name, folder, env) for name in ("a", "b")]
    for instance in instances:
        stack.callback(instance.close)
        instance.start()

    client = Client({i.name: i.port for i in instances}, time.monotonic(), api_key)
    for article_id in ARTICLES:
        answer = client.call(
            "final", "PUT", f"/api/v1/articles/{article_id}",
            {"title": f"Load test article {article_id}"}, auth=True,
        )  # fmt: skip
        if answer.status not in (200, 201):
            raise RuntimeError(f"creating {article_id} answered {answer.status}: {answer.body}")
    client.calls.clear()

    traffic = Traffic(client, ARTICLES, run_id)
    faults = Faults(plan, client, instances[0], redis, postgres)
    client.epoch = time.monotonic()  # the timeline counts from the first request
    faults.start()
    traffic.run(clients, seconds, SUBMIT_GRACE)
    faults.join(timeout=60)
    traffic_done = client.now()

    # A service that cannot answer after the faults fails the run with its counts printed.
    approvals, pages, counts, recovered = 0, {}, {}, checks.Check("both instances recovered", True)
    try:
        approvals = _approve_all(client)
        pages = {a: {i.name: _thread_pages(client, i, a) for i in instances} for a in ARTICLES}
        counts = {i.name: _counts(client, i) for i in instances}
    except (RuntimeError, KeyError, TypeError) as exc:
        recovered = checks.Check("both instances recovered", False, str(exc)[:300])
    stored = checks.read_stored(database_url, run_id)

    submission_checks, submission_counts = checks.submissions(traffic.submissions, stored)
    traffic_calls = [c for c in client.calls if c.started < traffic_done]
    answer_checks, answer_counts = checks.answers(traffic_calls, faults.timeline)
    results = [
        *submission_checks,
        *answer_checks,
        recovered,
        *checks.threads(pages, stored, counts),
        checks.Check("every fault was injected", not faults.errors, "; ".join(faults.errors)),
        _respawned(instances[0], faults),
    ]
    failed = not all(c.ok for c in results)
    return {
        "ok": not failed,
        "seconds": seconds,
        "clients": clients,
        "plan": plan.__dict__,
        "timeline": faults.timeline.events,
        "windows": [w.__dict__ for w in faults.timeline.windows],
        "counts": {
            **traffic.counts(),
            **submission_counts,
            **answer_counts,
            "final_approvals": approvals,
        },
        "checks": [c.__dict__ for c in results],
        "server_errors": _tracebacks(instances) if failed else [],
    }


def _create_database(admin_url: str, name: str) -> str:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _service_env(folder: Path, database_url: str, redis_url: str, run_id: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMMENTSVC_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    instance_path = folder / "instance"
    instance_path.mkdir()
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=f"loadtest-{run_id}-secret",
        COMMENTSVC_INSTANCE_PATH=str(instance_path),
        # One deployment on two instances: the same namespace in the shared Redis.
        COMMENTSVC_CACHE_PREFIX=f"loadtest:{run_id}:",
        # The traffic comes from one address, fast and on purpose: the limiter still runs
        # on every submission, but the limits and the timing rules are out of its way.
        COMMENTSVC_SUBMIT_RATE_LIMIT="1000000 per minute",
        COMMENTSVC_FLOOD_SECONDS="0",
        COMMENTSVC_MIN_FORM_SECONDS="0",
        COMMENTSVC_SPAM_REPEAT="0",
        COMMENTSVC_REFUSE_DUPLICATES="false",
        COMMENTSVC_WORKERS="2",
    )
    return env


def _approve_all(client: Client) -> int:
    """Approve whatever is still pending, through the API; answer how many."""
    approved = 0
    for _ in range(200):
        listing = client.call("final", "GET", PENDING, auth=True)
        if listing.status != 200:
            raise RuntimeError(f"listing pending comments answered {listing.status}")
        ids = [c["id"] for c in listing.json()["comments"]]
        if not ids:
            return approved
        answer = client.call(
            "final", "POST", "/api/v1/moderation/bulk", {"ids": ids, "action": "approve"},
            auth=True,
        )  # fmt: skip
        if answer.status != 200:
            raise RuntimeError(f"bulk approval answered {answer.status}: {answer.body[:200]}")
        approved += answer.json()["changed"]
    raise RuntimeError("comments kept arriving in the pending queue")


def _thread_pages(client: Client, instance: Instance, article_id: str) -> list[bytes]:
    pages, cursor = [], None
    while True:
        path = f"/api/v1/articles/{article_id}/comments?limit=200"
        if cursor:
            path += f"&cursor={cursor}"
        answer = client.call_on(instance.name, instance.port, "final", "GET", path)
        if answer.status != 200:
            raise RuntimeError(f"{instance.name} {path} answered {answer.status}")
        pages.append(answer.body)
        cursor = answer.json()["next_cursor"]
        if not cursor:
            return pages


def _counts(client: Client, instance: Instance) -> dict:
    query = "&".join(f"article_id={a}" for a in ARTICLES)
    answer = client.call_on(instance.name, instance.port, "final", "GET", f"/api/v1/counts?{query}")
    return answer.json()["counts"] if answer.status == 200 else {}


def _respawned(instance: Instance, faults: Faults) -> checks.Check:
    killed, timeline = faults.killed, faults.timeline
    pids = instance.worker_pids()
    during = any("during a submission" in what for _, what in timeline.events)
    ok = during and len(pids) == instance.workers and not set(killed) & set(pids)
    return checks.Check(
        "a worker was killed while answering a submission, and replaced",
        ok,
        f"killed {killed} ({'during' if during else 'not during'} a submission), "
        f"workers now {pids}",
    )


def _tracebacks(instances: list[Instance], limit: int = 6) -> list[str]:
    """The exceptions in the servers' logs, most frequent first (for a failed run)."""
    found: Counter = Counter()
    for instance in instances:
        for line in instance.log.read_text(errors="replace").splitlines():
            if EXCEPTION_LINE.match(line):
                found[line[:160]] += 1
    return [f"{count} x {line}" for line, count in found.most_common(limit)]


def _print(result: dict) -> None:
    counts = result["counts"]
    print(f"\ncommentsvc load test: {result['seconds']:g} s, {result['clients']} clients")
    print("fault timeline (seconds from the first request):")
    for at, what in result["timeline"]:
        print(f"  {at:7.2f}  {what}")
    print("counts:")
    for name in (
        "submissions_sent", "submissions_answered_2xx", "submissions_retried", "retries",
        "submissions_hedged",
        "submissions_replayed", "submissions_stored", "lost", "duplicated",
        "answered_with_another_id", "stored_without_2xx", "submissions_abandoned", "calls",
        "answered_5xx", "answered_500", "answered_503_without_retry_after", "no_answer",
        "answered_429", "final_approvals",
    ):  # fmt: skip
        print(f"  {name:34} {counts[name]}")
    for name in ("calls_by_kind", "answers", "answered_5xx_by_window", "answered_500_by_kind"):
        print(f"  {name:34} {json.dumps(counts[name])}")
    print("checks:")
    for check in result["checks"]:
        print(f"  {'PASS' if check['ok'] else 'FAIL'}  {check['name']}")
        if not check["ok"]:
            print(f"        {check['detail']}")
    for line in result["server_errors"]:
        print(f"  server error: {line}")
    print(f"result: {'PASS' if result['ok'] else 'FAIL'}")
