"""The servers a run starts, and always stops: PostgreSQL, Redis, two gunicorn instances.

Each is the run's own, on a free loopback port with its files in the run's temporary
folder; the machine's shared PostgreSQL and Redis are never touched. PostgreSQL refuses
to run as root, so as root its commands run as the `postgres` user (`runuser`).
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Missing(RuntimeError):
    """A program the run needs is not installed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian's layout, else the PATH).

    :raise Missing: no initdb/pg_ctl to be found.
    """
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    raise Missing("initdb/pg_ctl not found (apt-get install postgresql)")


def redis_server() -> str:
    """:raise Missing: no redis-server on the PATH."""
    found = shutil.which("redis-server")
    if not found:
        raise Missing("redis-server not found (apt-get install redis-server)")
    return found


def _wait(check, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {seconds:g} s")


def _stop_group(process: subprocess.Popen | None, grace: float = 10) -> None:
    """Stop a process started in a session of its own, with everything it started."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


class Postgres:
    """A throwaway cluster: initdb into the run's folder, pg_ctl start and stop."""

    def __init__(self, folder: Path):
        self.bin = postgres_bin()
        self.folder = folder / "postgres"
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.closed = False

    def _run(self, *args: str, timeout: float = 60, check: bool = True):
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd="/"
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}")
        return done

    def init(self) -> None:
        self.sockets.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        if self.closed:  # the run is over: a late restart by the faults must not leak one
            raise RuntimeError("the run's PostgreSQL is closed")
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t",
            "30", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def close(self) -> None:
        """Stop the cluster at once if it runs (cleanup; its data is thrown away)."""
        self.closed = True
        if self.data.exists() and self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)


class Redis:
    """A throwaway redis-server that keeps nothing on disk; stop and start it at will."""

    def __init__(self, folder: Path):
        self.binary = redis_server()
        self.folder = folder / "redis"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.closed = False

    def start(self) -> None:
        if self.closed:  # the run is over: a late restart by the faults must not leak one
            raise RuntimeError("the run's Redis is closed")
        self.folder.mkdir(exist_ok=True)
        with (self.folder / "server.log").open("a") as log:
            self.process = subprocess.Popen(
                [
                    self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", str(self.folder),
                ],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _wait(self.answers, "redis-server")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        _stop_group(self.process)
        self.process = None

    def close(self) -> None:
        self.closed = True
        self.stop()


class Instance:
    """One gunicorn (2 sync workers by default) serving the service on a free port."""

    def __init__(self, name: str, folder: Path, env: dict, workers: int = 2):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.workers = workers
        self.log = folder / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # Each master its own metrics folder (prometheus-client's multiprocess mode), in
        # the run's folder so it goes with it.
        metrics = self.log.parent / f"metrics-{self.name}"
        metrics.mkdir(exist_ok=True)
        env = {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                    "--no-control-socket", "--bind", f"127.0.0.1:{self.port}",
                    "--workers", str(self.workers), "wsgi:app",
                ],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        _wait(self._answers, f"gunicorn {self.name}")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn {self.name} exited; see {self.log}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return len(self.worker_pids()) >= self.workers
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()]

    def close(self) -> None:
        _stop_group(self.process)


def flask(env: dict, *args: str) -> str:
    """Run the service's CLI (`flask --app commentsvc …`) with `env`; answer its output."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "commentsvc", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout
