"""make bench-import: import a generated 100,000-comment WordPress export; print the rate
and the peak memory.

Environment: BENCH_DB=sqlite (default; a file in a temporary folder) or postgres
(BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1/test, in a schema of the
run's own), BENCH_COMMENTS (100000), BENCH_BATCH (500). Peak RSS is the process's
maximum resident set (resource.getrusage), measured before and after, so the import's
own growth shows beside the app's start-up footprint.
"""

import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

# Run as a script, the folder itself comes first on the path, where bench.py would shadow
# the bench package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import flask_migrate  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench.wxr import write_wxr  # noqa: E402
from commentsvc import create_app  # noqa: E402
from commentsvc.extensions import db  # noqa: E402
from commentsvc.services import importing  # noqa: E402
from commentsvc.transfer import wordpress  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def database(folder: Path):
    if os.environ.get("BENCH_DB", "sqlite") == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    base = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    schema = f"bench_import_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{base}?options=-csearch_path%3D{schema}", drop


def main() -> None:
    comments = int(os.environ.get("BENCH_COMMENTS", "100000"))
    batch = int(os.environ.get("BENCH_BATCH", "500"))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        wxr = folder / "site.xml"
        write_wxr(wxr, comments)
        size_mb = wxr.stat().st_size / 1e6
        url, drop = database(folder)
        try:
            os.environ["COMMENTSVC_INSTANCE_PATH"] = str(folder / "instance")
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
            with app.app_context():
                flask_migrate.upgrade()
                before = peak_rss_mb()
                started = time.perf_counter()
                records = sum(1 for _ in wordpress.parse(str(wxr)))
                scanned = time.perf_counter()
                summary = importing.import_records(
                    db.session,
                    wordpress.parse(str(wxr)),
                    source="wordpress",
                    batch_size=batch,
                )
                done = time.perf_counter()
                db.engine.dispose()
        finally:
            drop()
    scan, load = scanned - started, done - scanned
    print(f"database:        {url.split(':', 1)[0]}")
    print(f"file:            {comments} comments, {records} records, {size_mb:.1f} MB")
    print(f"check pass:      {scan:.1f} s ({records / scan:,.0f} records/s)")
    print(f"import:          {summary.stored} stored in {load:.1f} s")
    print(f"rate:            {summary.stored / load:,.0f} comments/s (import pass)")
    print(f"rate, both:      {summary.stored / (scan + load):,.0f} comments/s (as flask import)")
    print(f"peak RSS:        {peak_rss_mb():.0f} MB (before importing: {before:.0f} MB)")


if __name__ == "__main__":
    main()
