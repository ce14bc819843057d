"""Load a real gunicorn on loopback and report throughput and latency per endpoint.

Usage: python bench/bench.py [--seconds 5] [--clients 8] [--comments 300]
Runs against a fresh SQLite file unless DATABASE_URL is set. Traffic goes only to
127.0.0.1 and every scenario stops after --seconds.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "bench-article"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    payload = json.dumps(body) if body is not None else None
    conn.request(method, path, payload, {"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.getheader("ETag"), data


def scenario(port, seconds, clients, make_request):
    """Run `make_request` from `clients` threads for `seconds`; return the latencies."""
    latencies, statuses, stop = [], {}, time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            method, path, body, headers = make_request()
            started = time.perf_counter()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def report(name, seconds, latencies, statuses):
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    print(
        f"{name:<34} {len(latencies) / seconds:>8.0f} req/s   p50 {p(0.5):6.1f} ms   "
        f"p95 {p(0.95):6.1f} ms   p99 {p(0.99):6.1f} ms   {statuses}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--comments", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="commentsvc-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTSVC_")}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.db'}")
    env.update(
        SECRET_KEY="bench-secret",
        COMMENTSVC_INSTANCE_PATH=str(tmp),
        COMMENTSVC_SUBMIT_RATE_LIMIT="1000000 per minute",
    )
    flask = [sys.executable, "-m", "flask", "--app", "commentsvc"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    key = subprocess.run(
        [*flask, "api-keys", "create", "bench", "--scope", "moderate"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[-1]
    port = free_port()
    log = open(os.environ.get("BENCH_LOG", os.devnull), "w")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        for _ in range(100):
            try:
                call(port, "GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        auth = {"Authorization": f"Bearer {key}"}
        comment = {
            "name": "Bench",
            "email": "bench@example.org",
            "body": "Load, with a link https://example.org and <b>markup</b>.\n\nTwo paragraphs.",
        }
        ids = []
        for _ in range(args.comments):
            _, _, data = call(port, "POST", f"/api/v1/articles/{ARTICLE}/comments", comment)
            ids.append(json.loads(data)["id"])
        for start in range(0, len(ids), 500):
            call(
                port,
                "POST",
                "/api/v1/moderation/bulk",
                {"ids": ids[start : start + 500], "action": "approve"},
                auth,
            )
        _, etag, _ = call(port, "GET", f"/api/v1/articles/{ARTICLE}/comments")

        print(
            f"commentsvc bench: {args.workers} gunicorn workers, {args.clients} clients, "
            f"{args.seconds:g} s each, {args.comments} approved comments, "
            f"database {env['DATABASE_URL'].split(':')[0]}"
        )
        thread = f"/api/v1/articles/{ARTICLE}/comments"
        body = json.dumps(comment)
        json_headers = {"Content-Type": "application/json"}
        for name, make in [
            ("GET thread (50 per page)", lambda: ("GET", thread, None, {})),
            (
                "GET thread, If-None-Match (304)",
                lambda: ("GET", thread, None, {"If-None-Match": etag}),
            ),
            (
                "GET counts (10 ids)",
                lambda: (
                    "GET",
                    "/api/v1/counts?" + "&".join(f"article_id={ARTICLE}{i}" for i in range(10)),
                    None,
                    {},
                ),
            ),
            (
                "POST comment (held)",
                lambda: ("POST", f"/api/v1/articles/{ARTICLE}-w/comments", body, json_headers),
            ),
        ]:
            latencies, statuses = scenario(port, args.seconds, args.clients, make)
            report(name, args.seconds, latencies, statuses)
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
