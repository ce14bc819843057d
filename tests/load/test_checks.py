"""The load test's checks fail when they should: on synthetic records, no servers."""

import pytest

from loadtest import checks
from loadtest.faults import Plan, Timeline, Window
from loadtest.traffic import Call, Submission


def _submission(number, status=202, comment_id=None, abandoned=False):
    sub = Submission(number, f"[lt-run-{number}]", f"key-{number}", "a", None)
    sub.status, sub.comment_id, sub.abandoned = status, comment_id, abandoned
    if status in (201, 202):
        sub.answered_ids.append(comment_id)
    return sub


def _stored(rows: dict[int, list[int]]) -> checks.Stored:
    by_marker = {f"[lt-run-{n}]": [(i, "a", "approved") for i in ids] for n, ids in rows.items()}
    keys = {f"key-{n}": ids[0] for n, ids in rows.items() if ids}
    return checks.Stored(by_marker, keys)


def _ok(results, name_part):
    (check,) = [c for c in results if name_part in c.name]
    return check.ok


def test_each_answered_submission_stored_once_passes():
    results, counts = checks.submissions([_submission(1, 202, 10)], _stored({1: [10]}))
    assert all(c.ok for c in results)
    assert counts["lost"] == counts["duplicated"] == 0


@pytest.mark.parametrize(
    ("subs", "rows", "count"),
    [
        ([_submission(1, 202, 10)], {}, "lost"),
        ([_submission(1, 202, 10)], {1: [10, 11]}, "duplicated"),
        ([_submission(1, None, abandoned=True)], {1: [10, 11]}, "duplicated"),
        ([_submission(1, 202, 10)], {1: [12]}, "answered_with_another_id"),
    ],
)
def test_a_lost_or_doubled_submission_fails(subs, rows, count):
    results, counts = checks.submissions(subs, _stored(rows))
    assert not _ok(results, "stored exactly once")
    assert counts[count] == 1


def test_an_abandoned_submission_fails():
    results, _ = checks.submissions([_submission(1, None, abandoned=True)], _stored({}))
    assert not _ok(results, "retries ran out")


def _timeline():
    timeline = Timeline(windows=[Window("redis", 6.0, 7.0), Window("postgresql", 10.0, 20.0)])
    timeline.note(5.0, "SIGKILL gunicorn a worker 1 during a submission")
    return timeline


@pytest.mark.parametrize(
    ("call", "failing"),
    [
        (Call("submit", "a", 12.0, 12.1, 503, retry_after="1"), []),
        (Call("read", "b", 12.0, 12.1, 500), ["nothing answered 500", "a 503 during"]),
        (Call("read", "b", 25.0, 25.1, 503, retry_after="1"), ["a 503 during"]),
        (Call("read", "b", 12.0, 12.1, 503), ["Retry-After"]),
        (Call("submit", "b", 6.0, 6.1, 503, retry_after="1"), ["while Redis was down"]),
        (Call("submit", "b", 7.9, 10.2, 503, retry_after="1"), []),
        (Call("submit", "a", 4.9, 5.2, None, "RemoteDisconnected"), []),
        (Call("submit", "a", 8.0, 8.2, None, "ConnectionRefusedError"), ["without an answer"]),
        (Call("read", "a", 1.0, 1.1, 404), ["unexpected 4xx"]),
        (Call("submit", "a", 1.0, 1.1, 429), ["unexpected 4xx"]),
    ],
)
def test_answers_are_held_against_the_fault_timeline(call, failing):
    results, _ = checks.answers([call], _timeline())
    failed = [c.name for c in results if not c.ok]
    assert len(failed) == len(failing)
    for part in failing:
        assert not _ok(results, part)


def test_threads_differing_between_instances_fail():
    page = b'{"comments": [{"id": 10, "replies": []}], "next_cursor": null}'
    other = b'{"comments": [{"id": 10, "replies": []}],  "next_cursor": null}'
    stored = _stored({1: [10]})
    same = checks.threads({"a": {"a": [page], "b": [page]}}, stored, {"a": {"a": 1}, "b": {"a": 1}})
    assert all(c.ok for c in same)
    differ = checks.threads({"a": {"a": [page], "b": [other]}}, stored, {"a": {"a": 1}})
    assert not _ok(differ, "byte-identical")
    missing = checks.threads({"a": {"a": [page], "b": [page]}}, _stored({1: [10], 2: [11]}), {})
    assert not _ok(missing, "exactly the stored comments")
    unread = checks.threads({}, stored, {})
    assert not _ok(unread, "exactly the stored comments")


def test_a_run_too_short_for_the_outage_is_refused():
    assert Plan.for_run(20).db_at + 10 <= 20
    with pytest.raises(ValueError, match="too short"):
        Plan.for_run(12)
