"""Import rate and peak memory for the Disqus and Isso importers on generated inputs.

    make bench-import (after the WXR bench), or .venv/bin/python bench/import_formats_bench.py
    BENCH_COMMENTS=20000 BENCH_DB=postgres BENCH_FORMATS=isso python bench/import_formats_bench.py

For each format it writes one input (a Disqus export XML, an Isso SQLite file) with
BENCH_COMMENTS comments over one thread per 100 (a third of them replies, some
replies before their parents, some spam, some deleted with and without replies), then:

- parses it alone at a tenth of the size and at full size (no database): the parser's
  peak RSS must not grow with the file;
- runs `flask --app commentsvc import FORMAT FILE` into an empty, migrated database and
  reports comments per second and the process's peak RSS (from wait4, so per run).
"""

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from xml.sax.saxutils import escape

from dbs import database, service_env
from harness import ROOT

COMMENTS = int(os.environ.get("BENCH_COMMENTS", "100000"))
PER_THREAD = 100
ISSO_SCHEMA = ROOT / "tests" / "transfer" / "fixtures" / "isso_schema.sql"
WORDS = [
    "brick",
    "kiln",
    "smoke",
    "zigzag",
    "firing",
    "لاہور",
    "سموگ",
    "ماسک",
    "<b>bold</b>",
    "&amp;",
]


def plan(n: int, seed: int = 12):
    """(id, thread, parent, second, spam, deleted, text) for n comments, ids 1..n."""
    rng = random.Random(seed)  # noqa: S311 - shapes of test data, not secrets
    for i in range(1, n + 1):
        thread = (i - 1) // PER_THREAD + 1
        first_in_thread = (thread - 1) * PER_THREAD + 1
        parent = None
        if i > first_in_thread + 1 and rng.random() < 0.33:
            # Mostly an earlier comment; sometimes the next one (a reply before its parent).
            parent = (
                i + 1 if rng.random() < 0.03 and i + 1 <= n else rng.randrange(first_in_thread, i)
            )
            if (parent - 1) // PER_THREAD + 1 != thread:
                parent = None
        spam = rng.random() < 0.03
        deleted = not spam and rng.random() < 0.02
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
        yield i, thread, parent, i, spam, deleted, text


def write_disqus(path: Path, n: int) -> None:
    threads = (n + PER_THREAD - 1) // PER_THREAD
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com"'
            ' xmlns:dsq="http://disqus.com/disqus-internals">\n'
            '<category dsq:id="1"><forum>bench</forum><title>General</title></category>\n'
        )
        for t in range(1, threads + 1):
            out.write(
                f'<thread dsq:id="{t}"><id>bench-{t}</id><forum>bench</forum>'
                f"<link>https://news.example/{t // 1000}/story-{t}/</link>"
                f"<title>Story {t}</title><createdAt>2025-01-01T00:00:00Z</createdAt>"
                "<isClosed>false</isClosed><isDeleted>false</isDeleted></thread>\n"
            )
        for i, thread, parent, sec, spam, deleted, text in plan(n):
            parent_xml = f'<parent dsq:id="{parent}"/>' if parent else ""
            out.write(
                f'<post dsq:id="{i}"><id/><message><![CDATA[<p>{text}</p>]]></message>'
                f"<createdAt>2025-06-01T{sec // 3600 % 24:02d}:{sec // 60 % 60:02d}:"
                f"{sec % 60:02d}Z</createdAt><isDeleted>{str(deleted).lower()}</isDeleted>"
                f"<isSpam>{str(spam).lower()}</isSpam><author><email>r{i % 5000}@example.org"
                f"</email><name>{escape(f'Reader {i % 5000}')}</name><isAnonymous>false"
                f"</isAnonymous><username>r{i % 5000}</username></author>"
                f'<ipAddress>203.0.113.{i % 250}</ipAddress><thread dsq:id="{thread}"/>'
                f"{parent_xml}</post>\n"
            )
        out.write("</disqus>\n")


def write_isso(path: Path, n: int) -> None:
    threads = (n + PER_THREAD - 1) // PER_THREAD
    db = sqlite3.connect(path)
    db.executescript(ISSO_SCHEMA.read_text())
    with db:
        db.executemany(
            "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
            ((t, f"/{t // 1000}/story-{t}/", f"Story {t}") for t in range(1, threads + 1)),
        )
        db.executemany(
            "INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, author,"
            " email, website, voters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (thread, i, parent, 1.75e9 + sec, 4 if deleted else 2 if spam else 1,
                 "203.0.113.0", text, f"Reader {i % 5000}", f"r{i % 5000}@example.org",
                 None, bytes(256))
                for i, thread, parent, sec, spam, deleted, text in plan(n)
            ),
        )  # fmt: skip
    db.close()


def measured(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """Run cmd; return its wall seconds, peak RSS in MiB and stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, out


PARSE_ONLY = """
import sys
from commentsvc.transfer.formats import FORMATS
n = sum(1 for _ in FORMATS[sys.argv[1]].parse(sys.argv[2]))
print(n)
"""


def main() -> None:
    kind = os.environ.get("BENCH_DB", "sqlite")
    writers = {"disqus": (write_disqus, "export.xml"), "isso": (write_isso, "comments.db")}
    wanted = os.environ.get("BENCH_FORMATS", "disqus,isso").split(",")
    writers = {name: w for name, w in writers.items() if name in wanted}
    print(f"{COMMENTS:,} comments per format, database {kind}")
    with tempfile.TemporaryDirectory(prefix="commentsvc-import-bench-") as tmp:
        for name, (write, filename) in writers.items():
            small, full = Path(tmp, f"small-{filename}"), Path(tmp, filename)
            write(small, COMMENTS // 10)
            write(full, COMMENTS)
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            for label, path in (("1/10", small), ("full", full)):
                seconds, rss, out = measured(
                    [sys.executable, "-c", PARSE_ONLY, name, str(path)], env
                )
                print(
                    f"{name:7} parse only {label:4}: {int(out):>7,} records, "
                    f"{path.stat().st_size / 2**20:6.1f} MiB file, {seconds:6.1f} s, "
                    f"peak RSS {rss:6.1f} MiB"
                )
            with ExitStack() as stack:
                url = stack.enter_context(database(kind, f"import-{name}"))
                instance = stack.enter_context(tempfile.TemporaryDirectory(prefix="inst-"))
                env = service_env(url, None, f"commentsvc-import-bench-{name}:", instance)
                flask = [sys.executable, "-m", "flask", "--app", "commentsvc"]
                subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True,
                               capture_output=True)  # fmt: skip
                seconds, rss, out = measured([*flask, "import", name, str(full)], env)
                stored = sum(
                    int(line.rsplit(None, 1)[1])
                    for line in out.splitlines()
                    if line.startswith("comments ")
                )
                print(
                    f"{name:7} import         : {stored:>7,} comments stored in {seconds:6.1f} s"
                    f" = {stored / seconds:6,.0f} comments/s, peak RSS {rss:6.1f} MiB"
                )


if __name__ == "__main__":
    main()
