"""SQLite's writers take turns through a kernel lock instead of polling SQLite's.

SQLite admits one writer at a time, and a writer that finds its lock taken sleeps in
the busy handler (1, 2, 5, 10, 15, 20, 25, ... ms) before it looks again, however soon
the lock came free; meanwhile the writer that had it may take it again, and again.
Under two gunicorn workers taking comments, measured: a BEGIN IMMEDIATE waited 0.6 ms
on average for a lock held 0.75 ms, one in ten slept a millisecond or more after the
lock was free, one slept 100 ms through eight retries while the other worker wrote six
times, and the cores sat idle a fifth of the time.

So before BEGIN IMMEDIATE a writer takes an exclusive flock on a file beside the
database (`<database>-writers`), and keeps it until its connection goes back to the
pool, right after its COMMIT or ROLLBACK. A waiting writer looks again within
`_LONGEST_NAP` (0.2 ms), and SQLite's lock is then free. The flock is only the
queue: SQLite's own lock still decides who writes, so a process that does not queue
(the sqlite3 shell, a cron job) stays safe and only waits as before. A writer that waited
`PATIENCE` (a unit of work lasts milliseconds; an import's batch, a little longer) goes
on to BEGIN IMMEDIATE anyway, where SQLite's busy timeout answers as it always did
(outage.py turns "database is locked" into a 503): a turn kept too long, say by a
connection held out of the pool, slows the others down and never stops them.

Threads of one process share the turn: the first takes the flock, the last to finish
gives it back, and between themselves SQLite's lock orders them as before.
"""

import errno
import fcntl
import os
import threading
import time

PATIENCE = 1.0  # seconds
_FIRST_NAP = 0.00002
_LONGEST_NAP = 0.0002


class Queue:
    """The writers' turn on one SQLite database file, for this process."""

    def __init__(self, path: str):
        self.path = path
        self._mutex = threading.Lock()
        self._pid = None
        self._fd = None
        self._holders = 0  # this process's writers in a transaction (threads)
        self._locked = False

    def enter(self, patience: float) -> None:
        """Wait (at most `patience` seconds) until this process's writers have the turn."""
        with self._mutex:
            self._own_file()
            self._holders += 1
            if self._holders > 1:
                return  # another thread of this process has it, or is waiting for it
            fd = self._fd
        deadline = time.monotonic() + patience
        nap = _FIRST_NAP
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    return  # no lock to be had here (a file system without flock): as before
                if time.monotonic() + nap > deadline:
                    return
                time.sleep(nap)
                nap = min(nap * 2, _LONGEST_NAP)
                continue
            with self._mutex:
                self._locked = True
            return

    def leave(self) -> None:
        with self._mutex:
            if self._pid != os.getpid():
                return  # entered by the process this one was forked from, not by this one
            self._holders -= 1
            if self._holders == 0 and self._locked:
                self._locked = False
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _own_file(self) -> None:
        # A forked worker opens its own, and starts with no writers: a descriptor inherited
        # from its parent shares the parent's lock, and two processes holding one lock is
        # no queue.
        if self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
            self._holders, self._locked = 0, False


_queues: dict[str, Queue] = {}
_queues_mutex = threading.Lock()


def queue_for(database: str | None) -> Queue | None:
    """The queue of the SQLite file `database` (a URL's database part); None when it is no
    file of its own (in memory, or a `file:` URI, whose options are SQLite's to read)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = os.path.abspath(database) + "-writers"
    with _queues_mutex:
        queue = _queues.get(path)
        if queue is None:
            queue = _queues[path] = Queue(path)
        return queue
