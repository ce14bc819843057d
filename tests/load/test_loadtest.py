"""The load test's short form (20 s): nothing lost or stored twice through the faults.

It starts its own PostgreSQL cluster and Redis server (initdb, pg_ctl, redis-server), so
it runs once, on the PostgreSQL run of `make test`; without those programs it is skipped,
and under CI=true it fails instead.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from loadtest.stack import Missing, postgres_bin, redis_server
from tests.databases import IN_CI

ROOT = Path(__file__).resolve().parents[2]
SHORT_SECONDS = "20"
# Setup, 20 s of traffic, retries after it and the checks take about a minute.
WALL_SECONDS = 300


@pytest.fixture
def programs(request):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("the load test runs on the PostgreSQL run (it starts its own cluster)")
    try:
        postgres_bin()
        redis_server()
    except Missing as exc:
        if IN_CI:
            pytest.fail(f"{exc}; CI requires the load test.")
        pytest.skip(str(exc))


def test_short_run_loses_nothing_through_the_faults(programs, tmp_path):
    report = tmp_path / "report.json"
    env = {**os.environ, "LOADTEST_SECONDS": SHORT_SECONDS, "LOADTEST_REPORT": str(report)}
    process = subprocess.Popen(
        [sys.executable, "-m", "loadtest"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=WALL_SECONDS)
    except subprocess.TimeoutExpired:
        # SIGTERM lets the harness stop its servers and remove its folder.
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        pytest.fail(f"the load test ran past {WALL_SECONDS} s:\n{output}")

    assert report.exists(), output
    result = json.loads(report.read_text())
    failed = [f"{c['name']}: {c['detail']}" for c in result["checks"] if not c["ok"]]
    assert not failed, output
    assert process.returncode == 0, output
    counts = result["counts"]
    assert counts["lost"] == 0
    assert counts["duplicated"] == 0
    assert counts["submissions_answered_2xx"] == counts["submissions_sent"] > 0
    assert counts["submissions_stored"] == counts["submissions_answered_2xx"]
    # The faults were felt: submissions had to be retried through them.
    assert counts["retries"] > 0
    assert [w["name"] for w in result["windows"]] == ["redis", "postgresql"]
    assert "lost" in output and "result: PASS" in output
