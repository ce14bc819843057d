"""The faults a run injects, on a schedule, and the timeline they leave.

An outage window opens just before a dependency is stopped and closes once it answers
again; the checks accept a 5xx only if the call overlapped a window (plus a little grace).
A killed worker is an event, not a window: its in-flight calls lose their connection,
and nothing may answer 5xx for it.
"""

import math
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Window:
    name: str
    start: float
    end: float | None = None


@dataclass
class Timeline:
    events: list[tuple[float, str]] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)

    def note(self, at: float, text: str) -> None:
        self.events.append((round(at, 2), text))


@dataclass(frozen=True)
class Plan:
    """When each fault happens, in seconds from the start of the traffic."""

    kill_at: float
    redis_at: float
    redis_down: float
    db_at: float
    db_down: float

    @classmethod
    def for_run(cls, seconds: float, db_down: float = 10.0) -> "Plan":
        """Spread the faults over `seconds`, leaving traffic after the last recovery.

        :raise ValueError: `seconds` is too short for the database's outage and a tail.
        """
        redis_at = 0.15 * seconds
        redis_down = max(2.0, min(5.0, 0.1 * seconds))
        # Apart by more than the checks' grace, so each 5xx belongs to one outage.
        db_at = max(redis_at + redis_down + 2.5, 0.35 * seconds)
        if db_at + db_down + 2 > seconds:
            raise ValueError(
                f"LOADTEST_SECONDS={seconds:g} is too short for a {db_down:g} s database "
                f"outage; use at least {math.ceil(db_at + db_down + 2)}"
            )
        return cls(0.08 * seconds, redis_at, redis_down, db_at, db_down)


class Faults(threading.Thread):
    """Run `plan` against the stack, recording what happened when in `timeline`."""

    def __init__(self, plan: Plan, client, victim, redis, postgres, seed: int = 0):
        super().__init__(daemon=True)
        self.plan, self.now = plan, client.now
        self.in_flight = client.submissions_in_flight
        self.victim, self.redis, self.postgres = victim, redis, postgres
        self.timeline = Timeline()
        self.errors: list[str] = []
        self.killed: list[int] = []
        self._random = random.Random(seed)

    def run(self) -> None:
        steps = (
            (self.plan.kill_at, self._kill_worker),
            (self.plan.redis_at, self._stop_redis),
            (self.plan.db_at, self._stop_database),
        )
        for at, step in steps:
            self._sleep_until(at)
            try:
                step()
            except Exception as exc:  # a fault that could not be injected fails the run
                self.errors.append(f"{step.__name__}: {exc!r}")
                self.timeline.note(self.now(), f"{step.__name__} failed: {exc!r}")

    def _sleep_until(self, at: float) -> None:
        time.sleep(max(0.0, at - self.now()))

    def _kill_worker(self) -> None:
        """SIGKILL the worker answering a submission (or any worker if none is found soon)."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for local, server in self.in_flight(self.victim.name):
                pid = worker_serving(self.victim.worker_pids(), server, local)
                if pid is not None:
                    os.kill(pid, signal.SIGKILL)
                    self.killed.append(pid)
                    self.timeline.note(
                        self.now(),
                        f"SIGKILL gunicorn {self.victim.name} worker {pid} during a submission",
                    )
                    return
            time.sleep(0.005)
        pid = self._random.choice(self.victim.worker_pids())
        os.kill(pid, signal.SIGKILL)
        self.killed.append(pid)
        self.timeline.note(self.now(), f"SIGKILL gunicorn {self.victim.name} worker {pid}")

    def _stop_redis(self) -> None:
        window = Window("redis", self.now())
        self.timeline.windows.append(window)
        self.redis.stop()
        self.timeline.note(self.now(), "redis stopped")
        time.sleep(self.plan.redis_down)
        self.redis.start()
        window.end = self.now()
        self.timeline.note(window.end, "redis started and answering")

    def _stop_database(self) -> None:
        window = Window("postgresql", self.now())
        self.timeline.windows.append(window)
        self.postgres.stop("fast")
        self.timeline.note(self.now(), "postgresql stopped (pg_ctl stop -m fast)")
        time.sleep(self.plan.db_down)
        self.postgres.start()
        window.end = self.now()
        self.timeline.note(window.end, "postgresql started and accepting connections")


def worker_serving(pids: list[int], server_port: int, client_port: int) -> int | None:
    """The worker holding the server end of the loopback connection from `client_port`.

    Reads the socket's inode from /proc/net/tcp, then looks for it among each worker's
    open files; None when no worker holds it (the request still waits in the backlog).
    """
    wanted = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    inode = None
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if (fields[1], fields[2]) == wanted:
                inode = fields[9]
                break
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None
