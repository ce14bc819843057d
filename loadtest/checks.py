"""What a run must show, each a check that can fail, over the records and the database."""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import create_engine, text

from .faults import Timeline
from .traffic import EXPECTED, Call, Submission

# A call that ends this soon after a window closed still counts as in it: a pooled
# connection may need one more request to notice that its server came back.
GRACE = 1.0
# A call without an answer must have been in flight this close to the worker's death.
KILL_SLACK = 1.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Stored:
    """Rows of this run as the database holds them after the run."""

    by_marker: dict[str, list[tuple[int, str, str]]]  # marker -> [(id, article_id, status)]
    key_to_comment: dict[str, int | None]


def read_stored(database_url: str, run_id: str) -> Stored:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT c.id, c.body, a.article_id, c.status FROM comments c "
                    "JOIN articles a ON a.id = c.article_pk WHERE c.body LIKE :pattern"
                ),
                {"pattern": f"%[lt-{run_id}-%"},
            ).all()
            keys = conn.execute(text("SELECT key, comment_id FROM idempotency_keys")).all()
    finally:
        engine.dispose()
    by_marker: dict[str, list] = defaultdict(list)
    for comment_id, body, article_id, status in rows:
        marker = body[body.index("[lt-") : body.index("]", body.index("[lt-")) + 1]
        by_marker[marker].append((comment_id, article_id, status))
    return Stored(dict(by_marker), dict(keys))


def submissions(subs: list[Submission], stored: Stored) -> tuple[list[Check], dict]:
    """Every 2xx stored exactly once, under the id it was answered with; nothing twice."""
    lost, duplicated, mismatched, stored_unanswered = [], [], [], []
    for sub in subs:
        rows = stored.by_marker.get(sub.marker, [])
        if len(rows) > 1:
            duplicated.append(sub.marker)
        if sub.status in (201, 202):
            if not rows:
                lost.append(sub.marker)
            elif (
                set(sub.answered_ids) != {rows[0][0]}
                or stored.key_to_comment.get(sub.key) != rows[0][0]
            ):
                mismatched.append(sub.marker)
        elif rows:
            stored_unanswered.append(sub.marker)
    abandoned = [s.marker for s in subs if s.abandoned]
    counts = {
        "submissions_stored": sum(bool(stored.by_marker.get(s.marker)) for s in subs),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "answered_with_another_id": len(mismatched),
        "stored_without_2xx": len(stored_unanswered),
    }
    checks = [
        Check(
            "every submission answered 2xx is stored exactly once (0 lost, 0 duplicated)",
            not lost and not duplicated and not mismatched,
            f"lost {len(lost)} {lost[:5]}, duplicated {len(duplicated)} {duplicated[:5]}, "
            f"answered with another id than stored {len(mismatched)} {mismatched[:5]}",
        ),
        Check(
            "every submission got its 2xx before its retries ran out",
            not abandoned and not any(s.status not in (201, 202) for s in subs),
            f"abandoned {len(abandoned)} {abandoned[:5]}; final answers "
            f"{dict(Counter(str(s.status) for s in subs if s.status not in (201, 202)))}",
        ),
    ]
    return checks, counts


def answers(calls: list[Call], timeline: Timeline) -> tuple[list[Check], dict]:
    """No 500; every 5xx a 503 with Retry-After inside an outage; no other surprise."""
    windows = [(w.name, w.start, (w.end if w.end is not None else float("inf")) + GRACE)
               for w in timeline.windows]  # fmt: skip
    kills = [at for at, what in timeline.events if what.startswith("SIGKILL")]

    def outage(call: Call) -> str | None:
        """The window the call ended in, else any it overlapped."""
        for name, start, end in windows:
            if start <= call.ended <= end:
                return name
        for name, start, end in windows:
            if call.started <= end and call.ended >= start:
                return name
        return None

    server_errors = [c for c in calls if c.status is not None and c.status >= 500]
    five_hundreds = [c for c in server_errors if c.status == 500]
    outside = [c for c in server_errors if c.status != 503 or outage(c) is None]
    # Without Redis the service keeps its limits per process and builds threads itself:
    # nothing needs to fail.
    during_redis = [c for c in server_errors if outage(c) == "redis"]
    no_retry_after = [c for c in server_errors if c.status == 503 and not c.retry_after]
    unanswered = [c for c in calls if c.status is None]
    unexplained = [
        c for c in unanswered
        if not any(c.started - KILL_SLACK <= at <= c.ended + KILL_SLACK for at in kills)
    ]  # fmt: skip
    retryable = {409, 429}  # a submission's idempotency_key_in_use; 429 only as a retry
    surprising = [
        c for c in calls
        if c.status is not None and c.status < 500 and c.status not in EXPECTED[c.kind]
        and not (c.kind == "submit" and c.status in retryable)
    ]  # fmt: skip
    by_window = Counter(outage(c) or "outside any outage" for c in server_errors)
    counts = {
        "answered_5xx": len(server_errors),
        "answered_5xx_by_status": dict(Counter(str(c.status) for c in server_errors)),
        "answered_5xx_by_window": dict(by_window),
        "answered_500": len(five_hundreds),
        "answered_500_by_kind": dict(Counter(c.kind for c in five_hundreds)),
        "answered_503_without_retry_after": len(no_retry_after),
        "no_answer": len(unanswered),
        "answered_429": sum(c.status == 429 for c in calls),
    }
    checks = [
        Check(
            "nothing answered 500",
            not five_hundreds,
            f"{len(five_hundreds)} answered 500: {dict(Counter(c.kind for c in five_hundreds))}",
        ),
        Check(
            "every 5xx was a 503 during an outage window",
            not outside,
            f"{len(outside)} outside: {_sample(outside)}",
        ),
        Check(
            "while Redis was down nothing answered 5xx",
            not during_redis,
            f"{len(during_redis)} answered 5xx: {_sample(during_redis)}",
        ),
        Check(
            "every 503 carried Retry-After",
            not no_retry_after,
            f"{len(no_retry_after)} without: {_sample(no_retry_after)}",
        ),
        Check(
            "calls without an answer were in flight when the worker was killed",
            not unexplained,
            f"{len(unexplained)} unexplained of {len(unanswered)}: {_sample(unexplained)}",
        ),
        Check(
            "no unexpected 4xx (reads 200/304, approvals 200/409, no 429)",
            not surprising and not counts["answered_429"],
            f"{len(surprising)} unexpected, {counts['answered_429']} answered 429: "
            f"{_sample(surprising)}",
        ),
    ]
    return checks, counts


def threads(pages: dict[str, dict[str, list[bytes]]], stored: Stored, counts: dict) -> list[Check]:
    """Both instances serve the same bytes, and the thread holds every stored comment.

    `pages` maps article_id -> instance -> the thread's pages (raw bodies); `counts`
    maps instance -> the /counts answer's counts.
    """
    differing, incomplete, miscounted = [], [], []
    expected: dict[str, set[int]] = defaultdict(set)
    for rows in stored.by_marker.values():
        for comment_id, article_id, _status in rows:
            expected[article_id].add(comment_id)
    not_approved = [
        comment_id
        for rows in stored.by_marker.values()
        for comment_id, _article, status in rows
        if status != "approved"
    ]
    for article_id in sorted(set(pages) | set(expected)):
        bodies = list(pages.get(article_id, {}).values())
        if not bodies:
            incomplete.append(f"{article_id}: not read")
            continue
        if any(body != bodies[0] for body in bodies[1:]):
            differing.append(article_id)
        served = _ids(bodies[0])
        if served != expected[article_id]:
            incomplete.append(f"{article_id}: {len(served)} served, {len(expected[article_id])}")
        for instance, answer in counts.items():
            if answer.get(article_id) != len(expected[article_id]):
                miscounted.append(f"{instance}/{article_id}: {answer.get(article_id)}")
    return [
        Check(
            "after the final approvals every stored comment is approved",
            not not_approved,
            f"{len(not_approved)} not approved: {not_approved[:5]}",
        ),
        Check(
            "both instances serve byte-identical threads for every article",
            not differing,
            f"differ: {differing}",
        ),
        Check(
            "each thread serves exactly the stored comments, and counts agree",
            not incomplete and not miscounted,
            f"threads {incomplete}; counts {miscounted}",
        ),
    ]


def _ids(pages: list[bytes]) -> set[int]:
    found: set[int] = set()

    def walk(comments):
        for comment in comments:
            found.add(comment["id"])
            walk(comment.get("replies", []))

    for page in pages:
        walk(json.loads(page)["comments"])
    return found


def _sample(calls: list[Call], n: int = 5) -> list[str]:
    return [
        f"{c.kind}@{c.instance} {c.started:.1f}-{c.ended:.1f}s {c.status or c.error}"
        for c in calls[:n]
    ]
