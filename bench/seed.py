"""Data for the bench: a small thread through the API, and a large database in bulk.

The small thread goes through the running service (submit, then approve), so it is
exactly what readers' comments become. The large database is written directly, as
fast as each database takes rows (COPY on PostgreSQL, one executemany transaction on
SQLite), then counted and analysed; every article gets the same shape of thread.
"""

import json
from datetime import UTC, datetime, timedelta

from harness import call
from sqlalchemy import create_engine, text

ARTICLE = "bench-article"
TOP_LEVEL, REPLIES = 140, 60
COUNT_ARTICLES = 50
BODY = "Comment {n} with <b>markup</b>, a link https://example.org/{n} and\n\na second paragraph."


def small_thread(port: int, key: str) -> None:
    """Post 140 top-level comments and 60 replies to ARTICLE through the API, all approved."""
    auth = {"Authorization": f"Bearer {key}"}
    tops = [_submit(port, ARTICLE, n) for n in range(TOP_LEVEL)]
    _approve(port, auth, tops)
    replies = [_submit(port, ARTICLE, 1000 + n, parent=tops[n % 40]) for n in range(REPLIES)]
    _approve(port, auth, replies)
    # The other articles a listing asks counts for: some with comments, some without.
    others = [_submit(port, f"{ARTICLE}-{n}", 2000 + n) for n in range(1, COUNT_ARTICLES)]
    _approve(port, auth, others[::2])


def _submit(port: int, article_id: str, n: int, parent: int | None = None) -> int:
    body = {"name": f"Reader {n}", "email": f"reader{n}@example.org", "body": BODY.format(n=n)}
    if parent:
        body["parent_id"] = parent
    status, _, data = call(port, "POST", f"/api/v1/articles/{article_id}/comments", body)
    if status not in (201, 202):
        raise RuntimeError(f"seeding failed: {status} {data[:300]!r}")
    return json.loads(data)["id"]


def _approve(port: int, auth: dict, ids: list[int]) -> None:
    for start in range(0, len(ids), 500):
        chunk = {"ids": ids[start : start + 500], "action": "approve"}
        status, _, data = call(port, "POST", "/api/v1/moderation/bulk", chunk, auth)
        if status != 200:
            raise RuntimeError(f"approving failed: {status} {data[:300]!r}")


# ---- the large database --------------------------------------------------------------

PER_ARTICLE_TOP, PER_ARTICLE_REPLIES = 70, 30
START = datetime(2026, 1, 1, tzinfo=UTC)
COMMENT_COLUMNS = (
    "id, article_pk, parent_id, root_id, depth, author_name, author_email, author_url, body, "
    "html, sanitizer_version, status, held_reasons, remote_addr, user_agent, created_at, "
    "updated_at, is_staff"
)


def large_id(n: int) -> str:
    return f"large-{n}"


def bulk(url: str, articles: int) -> int:
    """Write `articles` articles of 100 comments each (70 top-level, 30 replies); return rows."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                _copy(conn, articles)
            else:
                _executemany(conn, articles)
            conn.execute(
                text(
                    "UPDATE articles SET approved_count = (SELECT count(*) FROM comments"
                    " WHERE comments.article_pk = articles.id AND comments.status = 'approved')"
                )
            )
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    finally:
        engine.dispose()
    return articles * (PER_ARTICLE_TOP + PER_ARTICLE_REPLIES)


def _articles(count: int):
    for n in range(1, count + 1):
        yield (n, large_id(n), f"Large article {n}", START + timedelta(minutes=n))


def _comments(articles: int):
    """Rows in COMMENT_COLUMNS order: 90% approved, 5% pending (the queue), 5% spam."""
    next_id = 1
    for article in range(1, articles + 1):
        base = START + timedelta(minutes=article)
        tops = []
        for i in range(PER_ARTICLE_TOP + PER_ARTICLE_REPLIES):
            parent = tops[i % len(tops)] if i >= PER_ARTICLE_TOP else None
            status = ("pending", "spam")[i % 2] if i % 20 == 7 else "approved"
            email = f"reader{next_id % 5000}@example.org"
            yield (
                next_id,
                article,
                parent,
                parent,
                2 if parent else 1,
                f"Reader {next_id % 5000}",
                email,
                None,
                BODY.format(n=next_id),
                f"<p>Comment {next_id} with <b>markup</b>.</p>\n<p>A second paragraph.</p>",
                1,
                status,
                "[]",
                "127.0.0.1",
                "bench",
                base + timedelta(seconds=i),
                base + timedelta(seconds=i),
                False,
            )
            if parent is None:
                tops.append(next_id)
            next_id += 1


def _executemany(conn, articles: int) -> None:
    raw = conn.connection.driver_connection
    cursor = raw.cursor()
    cursor.executemany(
        "INSERT INTO articles (id, article_id, title, created_at, comments_open, version)"
        " VALUES (?, ?, ?, ?, 1, 1)",
        ((n, a, t, _sqlite_time(c)) for n, a, t, c in _articles(articles)),
    )
    marks = ", ".join("?" * len(COMMENT_COLUMNS.split(",")))
    cursor.executemany(
        f"INSERT INTO comments ({COMMENT_COLUMNS}) VALUES ({marks})",  # noqa: S608
        (_sqlite_row(row) for row in _comments(articles)),
    )


def _sqlite_row(row: tuple) -> tuple:
    return tuple(_sqlite_time(v) if isinstance(v, datetime) else v for v in row)


def _sqlite_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it on SQLite


def _copy(conn, articles: int) -> None:
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy("COPY articles (id, article_id, title, created_at) FROM STDIN") as copy:
            for row in _articles(articles):
                copy.write_row(row)
        with cursor.copy(f"COPY comments ({COMMENT_COLUMNS}) FROM STDIN") as copy:
            for row in _comments(articles):
                copy.write_row(row)
        for table in ("articles", "comments"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT max(id) FROM {table}))"
            )
