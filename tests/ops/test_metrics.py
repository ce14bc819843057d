"""/metrics: hidden unless a token is configured; counts requests, submissions, the queue,
the cache; and under several gunicorn workers, counts every worker's requests once."""

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commentsvc.models import Comment
from commentsvc.status import Status
from tests.helpers import submit
from tests.ops.test_requestlog import GUNICORN, _wait_for
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-test-token"


@pytest.fixture
def metrics_on(app):
    app.config["METRICS_TOKEN"] = TOKEN
    yield
    app.config["METRICS_TOKEN"] = ""


def scrape(client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def value(text: str, name: str, **labels) -> float:
    """The sample `name{labels}` (the exposition sorts labels by name); 0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    sample = name + (f"{{{wanted}}}" if labels else "")
    match = re.search(re.escape(sample) + r" ([0-9.e+-]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_metrics_are_not_there_without_a_token(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_metrics_answer_404_to_a_wrong_or_missing_token(client, header):
    headers = {"Authorization": header} if header else {}
    assert client.get("/metrics", headers=headers).status_code == 404


@pytest.mark.usefixtures("metrics_on")
def test_requests_submissions_queue_and_cache_are_counted(client, db_session):
    route = "/api/v1/articles/<article_id:article_id>/comments"
    before = scrape(client)

    assert submit(client, "metrics-article").status_code == 202
    for _ in range(2):
        assert client.get("/api/v1/articles/metrics-article/comments").status_code == 200
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("commentsvc_http_requests_total", route=route, method="POST", status="202") == 1
    assert grew("commentsvc_http_requests_total", route=route, method="GET", status="200") == 2
    latency = "commentsvc_http_request_duration_seconds_count"
    assert grew(latency, route=route, method="GET") == 2
    # Every comment is held under the test settings (COMMENTSVC_MODERATION=all).
    held = "commentsvc_submissions_total"
    assert grew(held, rule="moderation_mode", verdict="pending") == 1
    assert grew("commentsvc_cache_requests_total", result="miss") >= 1
    assert grew("commentsvc_cache_requests_total", result="hit") >= 1
    pending = db_session.scalar(
        select(func.count()).select_from(Comment).where(Comment.status == Status.pending)
    )
    assert value(after, "commentsvc_pending_comments") == pending >= 1


def test_every_workers_requests_are_counted_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTSVC_", "PROMETHEUS"))}
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'commentsvc.db'}",
        SECRET_KEY="metrics-secret",
        COMMENTSVC_INSTANCE_PATH=str(tmp_path / "instance"),
        COMMENTSVC_METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
    )
    (tmp_path / "prometheus").mkdir()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "commentsvc", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=True,
    )
    port, output = free_port(), tmp_path / "gunicorn.out"
    with output.open("w") as out:
        server = subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "3", "wsgi:app"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server, output)
        requests = 30
        for _ in range(requests):
            urllib.request.urlopen(base + "/readyz", timeout=5).close()
        seen = set()
        for _ in range(6):
            asked = urllib.request.Request(
                base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            with urllib.request.urlopen(asked, timeout=5) as response:
                text = response.read().decode()
            labels = {"route": "/readyz", "method": "GET", "status": "200"}
            seen.add(value(text, "commentsvc_http_requests_total", **labels))
            assert len(re.findall(r"^commentsvc_pending_comments ", text, re.MULTILINE)) == 1
    finally:
        server.terminate()
        server.wait(timeout=20)

    assert seen == {float(requests)}  # whichever worker answered, it counted all of them
    assert len(list((tmp_path / "prometheus").glob("*.db"))) >= 2  # more than one wrote
