"""The bench's parts: servers on loopback ports, and the load that is sent to them.

Every server is gunicorn with 2 sync workers, bound to 127.0.0.1; load goes only there
and every run stops after its seconds. wrk drives the load when it is installed; the
Python client (two processes of eight threads) stands in for it on a fresh machine.
"""

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRK = shutil.which("wrk")
CONNECTIONS = 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(port, method, path, body=None, headers=None):
    """One request; answer (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    payload = json.dumps(body) if body is not None else None
    conn.request(method, path, payload, {"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), data


@dataclass
class Server:
    """A gunicorn serving `app` ("module:variable") with `env`, on a free loopback port."""

    app: str
    env: dict
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def __enter__(self):
        log = open(os.environ.get("BENCH_LOG", os.devnull), "a")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--access-logfile",
                "/dev/null",
                self.app,
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                call(self.port, "GET", "/healthz")
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.app} did not start (set BENCH_LOG=file)") from None
                time.sleep(0.1)
        raise RuntimeError(f"{self.app} did not answer in 30 s")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass(frozen=True)
class Load:
    """What a case sends: a method, paths (one is picked per request) and headers.

    `bodies` (for POST) is a Lua expression building each body, or None; `python_body`
    builds the same in the Python client from a request counter.
    """

    method: str = "GET"
    paths: tuple[str, ...] = ("/",)
    headers: tuple[tuple[str, str], ...] = ()
    lua_body: str | None = None
    python_body: object = None


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def run(port: int, load: Load, seconds: float, tag: str) -> Result:
    """Send `load` to the server on `port` from 16 connections for `seconds`."""
    if WRK:
        return _run_wrk(port, load, seconds, tag)
    return _run_python(port, load, seconds, tag)


def _lua(load: Load, tag: str) -> str:
    paths = ", ".join(json.dumps(p) for p in load.paths)
    headers = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in load.headers)
    body = load.lua_body or "nil"
    return f"""
local paths = {{{paths}}}
local counter = 0
local thread_id = 0
local tag = {json.dumps(tag)}
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
wrk.method = {json.dumps(load.method)}
{headers}
request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local n = tostring(tid) .. "-" .. tostring(counter)
  return wrk.format(nil, path, nil, {body})
end
"""


def _run_wrk(port: int, load: Load, seconds: float, tag: str) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(load, tag))
    try:
        out = subprocess.run(
            [
                WRK,
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{seconds:g}s",
                "--latency",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _wrk_ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1))
    p99 = _wrk_ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return Result(rps, p50, p99, errors)


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _run_python(port: int, load: Load, seconds: float, tag: str) -> Result:
    processes = 2
    with ProcessPoolExecutor(processes) as pool:
        parts = list(
            pool.map(
                _python_client,
                [(port, load, seconds, CONNECTIONS // processes, f"{tag}-{i}") for i in range(2)],
            )
        )
    latencies = sorted(x for part in parts for x in part[0])
    errors = sum(part[1] for part in parts)
    if not latencies:
        return Result(0.0, float("nan"), float("nan"), errors)
    return Result(
        len(latencies) / seconds,
        latencies[len(latencies) // 2] * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        errors,
    )


def _python_client(args):
    port, load, seconds, threads, tag = args
    latencies, errors, lock, stop = [], [0], threading.Lock(), time.monotonic() + seconds
    headers = dict(load.headers)

    def client(number: int):
        counter = 0
        while time.monotonic() < stop:
            counter += 1
            path = load.paths[counter % len(load.paths)]
            body = load.python_body(f"{tag}-{number}-{counter}") if load.python_body else None
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request(load.method, path, body, headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                failed = response.status >= 400
            except OSError:
                failed = True
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += failed

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, errors[0]


def medians(results: list[Result]) -> Result:
    return Result(
        statistics.median(r.rps for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
    )
