"""`flask import` and `flask export`: exit codes, the summary, nothing written on errors;
an import killed halfway and run again; the widget's thread on the imported article."""

import os
import signal
import subprocess
import sys
import time

import orjson
import pytest
from sqlalchemy import create_engine, func, select, text

from bench.wxr import write_wxr
from commentsvc.models import Article, Comment, ModerationEvent
from tests.databases import fresh_database
from tests.helpers import row_counts


def test_import_prints_the_summary(runner, db_session, fixture_path):
    result = runner.invoke(args=["import", "wordpress", fixture_path("wordpress.xml")])

    assert result.exit_code == 0, result.output
    table = dict(line.rsplit(None, 1) for line in result.stdout.splitlines()[2:])
    assert table["articles created"] == "2"
    assert table["comments approved"] == "12" and table["comments spam"] == "1"
    assert table["of which replies"] == "6"
    assert db_session.scalar(select(func.count()).select_from(Comment)) == 16


def test_skip_pings_and_article_ids(runner, db_session, fixture_path):
    result = runner.invoke(
        args=[
            "import",
            "wordpress",
            fixture_path("wordpress.xml"),
            "--skip-pings",
            "--article-id",
            "slug",
        ]
    )

    assert result.exit_code == 0, result.output
    assert "skipped: pingback (--skip-pings)" in result.stdout
    assert set(db_session.scalars(select(Article.article_id))) == {"hello-world", "plain-simple"}
    assert db_session.scalar(select(func.count()).select_from(Comment)) == 14


def test_a_dry_run_writes_nothing(runner, db_session, fixture_path):
    before = row_counts(db_session)

    result = runner.invoke(args=["import", "wordpress", fixture_path("wordpress.xml"), "--dry-run"])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Dry run: nothing was written")
    assert "comments approved" in result.stdout and " 12" in result.stdout
    assert row_counts(db_session) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["wordpress", "billion_laughs.xml"], "DTD or entities"),
        (["wordpress", "xxe.xml"], "DTD or entities"),
        (["wordpress", "xxe_remote_dtd.xml"], "DTD or entities"),
        (["wordpress", "truncated.xml"], "not well-formed XML"),
        (["wordpress", "not_xml.txt"], "not well-formed XML"),
        (["json", "wordpress.xml"], "line 1 is not JSON"),
        (["myspace", "wordpress.xml"], "unknown format 'myspace'; use one of:"),
        (["json", "wordpress.xml", "--skip-pings"], "applies to wordpress only"),
    ],
)
def test_bad_files_fail_and_write_nothing(runner, db_session, fixture_path, args, message):
    before = row_counts(db_session)
    fmt, name, *rest = args

    result = runner.invoke(args=["import", fmt, fixture_path(name), *rest])

    assert result.exit_code == 1
    assert message in result.output
    assert row_counts(db_session) == before


def test_export_writes_json_lines(runner, db_session, fixture_path):
    runner.invoke(args=["import", "wordpress", fixture_path("wordpress.xml")])

    result = runner.invoke(args=["export", "--article-id", "p-2"])

    assert result.exit_code == 0
    lines = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    assert lines[0] == {"format": "commentsvc", "version": 1}
    assert [line.get("type") for line in lines[1:]] == ["article", "comment"]
    assert lines[2]["source_id"] == "201" and lines[2]["status"] == "pending"


def test_the_widget_thread_shows_the_imported_comments(runner, client, fixture_path):
    runner.invoke(args=["import", "wordpress", fixture_path("wordpress.xml")])

    thread = client.get("/api/v1/articles/2020/05/hello-world/comments").get_json()

    assert thread["count"] == 12 and thread["title"] == "Hello world"

    def walk(nodes, depth=1):
        for node in nodes:
            yield node, depth
            yield from walk(node["replies"], depth + 1)

    seen = {
        node["author"]["name"] if node["author"] else None: d
        for node, d in walk(thread["comments"])
    }
    assert "Cheap Pills" not in seen and "Trashed" not in seen
    # 103 is held: a placeholder keeps 104 in place; 106 (depth 6) shows at depth 5.
    assert seen[None] == 3
    assert (seen["Deep Four"], seen["Deep Five"], seen["Deep Six"]) == (4, 5, 5)
    assert seen["Early Reply"] == 2 and seen["The Editor"] == 2
    asha = thread["comments"][0]
    assert asha["author"]["name"] == "Asha" and asha["created_at"].startswith("2020-05-01T10:00")


# ---- killed halfway: a real process on a database of its own -----------------------------


def flask(url: str, instance, *args):
    env = {
        **os.environ,
        "COMMENTSVC_SQLALCHEMY_DATABASE_URI": url,
        "COMMENTSVC_INSTANCE_PATH": str(instance),
        "COMMENTSVC_SECRET_KEY": "x",
    }
    command = [sys.executable, "-m", "flask", "--app", "commentsvc", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def snapshot(engine):
    with engine.connect() as conn:
        comments = conn.execute(
            text(
                "SELECT c.source_id, c.status, c.depth, c.created_at, p.source_id "
                "FROM comments c LEFT JOIN comments p ON p.id = c.parent_id ORDER BY c.source_id"
            )
        ).all()
        events = conn.scalar(select(func.count()).select_from(ModerationEvent.__table__))
        counts = conn.execute(
            select(Article.article_id, Article.approved_count).order_by(Article.article_id)
        ).all()
    return comments, events, counts


@pytest.fixture
def own_database(request, tmp_path_factory, tmp_path):
    with fresh_database(request.config, tmp_path_factory, "issue12_import_kill") as url:
        upgrade = flask(url, tmp_path / "instance", "db", "upgrade")
        _, err = upgrade.communicate(timeout=120)
        assert upgrade.returncode == 0, err
        engine = create_engine(url)
        yield url, engine
        engine.dispose()


def test_an_import_killed_halfway_and_run_again_ends_the_same(own_database, tmp_path):
    url, engine = own_database
    path = tmp_path / "site.xml"
    write_wxr(path, 1200, per_post=40)
    args = ("import", "wordpress", str(path), "--batch-size", "100")

    killed = flask(url, tmp_path / "instance", *args)
    deadline = time.monotonic() + 120
    stored = 0
    while stored < 200 and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(Comment.__table__))
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    with engine.connect() as conn:
        partial = conn.scalar(select(func.count()).select_from(Comment.__table__))
    assert 0 < partial < 1200

    rerun = flask(url, tmp_path / "instance", *args)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    resumed = snapshot(engine)
    assert len(resumed[0]) == 1200 and resumed[1] == 1200
    assert b"already imported (unchanged)" in out

    with engine.begin() as conn:
        for model in (ModerationEvent, Comment, Article):
            conn.execute(model.__table__.delete())
    clean = flask(url, tmp_path / "instance", *args)
    clean.communicate(timeout=300)
    assert clean.returncode == 0
    assert snapshot(engine) == resumed
