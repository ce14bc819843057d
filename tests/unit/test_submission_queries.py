"""The submission's history questions find the author's rows through the email index.

SQLite without statistics would otherwise walk the article's whole thread, or every
comment with a status, on each submission: a cost that grows with the site.
"""

import pytest
from sqlalchemy import create_engine

from commentsvc.extensions import db
from commentsvc.services import submission


@pytest.fixture(scope="module")
def sqlite():
    engine = create_engine("sqlite://")
    db.metadata.create_all(engine)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def plan(conn, statement) -> list[str]:
    sql = str(statement.statement.compile(conn))  # a driver.Select: its SQLAlchemy select
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", (None,) * sql.count("?"))
    return [row[3] for row in rows if row[3].startswith(("SEARCH", "SCAN comments"))]


@pytest.mark.parametrize(
    "statement",
    [submission._SAID_HERE, submission._history_query(True, True, True, by_ip=True)],
    ids=["duplicate", "history"],
)
def test_history_walks_the_author_indexes_only(sqlite, statement):
    steps = plan(sqlite, statement)
    assert steps
    for step in steps:
        assert "ix_comments_author_email" in step or "ix_comments_remote_addr" in step, step
