"""The mixed traffic: submissions (with Idempotency-Key and retries), thread reads,
counts and approvals, alternating between the instances, and a record of every call.

A submission is retried with the same key on a transport error (a killed worker, a
refused connection), a 5xx, a 429, and a 409 `idempotency_key_in_use`, until it gets
2xx or another 4xx, or its deadline passes (then it counts as abandoned). Every call
is recorded with when it started and ended, so the checks can hold each 5xx against
the fault timeline.
"""

import http.client
import itertools
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field

TIMEOUT = 20
MAX_BACKOFF = 2.0
HEDGED = 0.1  # the share of submissions sent twice at once (to both instances)
RETRY_CODES = {"idempotency_key_in_use"}
# Answers each kind of call may give without anything being wrong (retryable ones are
# checked separately, against the fault timeline).
EXPECTED = {
    "submit": {201, 202},
    "read": {200, 304},
    "count": {200, 304},
    "approve": {200, 409},
    "final": {200},
}


@dataclass
class Call:
    kind: str
    instance: str
    started: float  # seconds since the run began
    ended: float
    status: int | None  # None: no HTTP answer (connection refused or reset, timeout)
    error: str | None = None
    retry_after: str | None = None


@dataclass
class Submission:
    number: int
    marker: str
    key: str
    article_id: str
    parent_id: int | None
    attempts: int = 0
    status: int | None = None  # the final answer
    comment_id: int | None = None
    replayed: bool = False
    abandoned: bool = False
    hedged: bool = False  # also sent at once to the other instance, with the same key
    answered_ids: list[int] = field(default_factory=list)  # from every 2xx, hedge included


@dataclass
class Answer:
    status: int | None
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def code(self) -> str | None:
        data = self.json()
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            return data["error"].get("code")
        return None


class Client:
    """HTTP calls to the instances in turn, each recorded with its times."""

    def __init__(self, instances: dict[str, int], epoch: float, api_key: str):
        self.instances = list(instances.items())
        self.epoch = epoch
        self.api_key = api_key
        self.calls: list[Call] = []
        # local port -> (instance, its port, kind) of each call waiting for its answer
        self.in_flight: dict[int, tuple[str, int, str]] = {}
        self._lock = threading.Lock()
        self._turn = itertools.count()

    def submissions_in_flight(self, instance: str) -> list[tuple[int, int]]:
        """(client port, server port) of the submissions now waiting on `instance`."""
        with self._lock:
            return [
                (local, port)
                for local, (name, port, kind) in self.in_flight.items()
                if name == instance and kind == "submit"
            ]

    def now(self) -> float:
        return time.monotonic() - self.epoch

    def call(self, kind, method, path, body=None, headers=None, auth=False) -> Answer:
        name, port = self.instances[next(self._turn) % len(self.instances)]
        return self.call_on(name, port, kind, method, path, body, headers, auth)

    def call_on(self, name, port, kind, method, path, body=None, headers=None, auth=False):
        headers = {"Accept-Encoding": "identity", **(headers or {})}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = f"Bearer {self.api_key}"
        payload = json.dumps(body).encode() if body is not None else None
        started = self.now()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        local_port = None
        try:
            conn.connect()
            local_port = conn.sock.getsockname()[1]
            with self._lock:
                self.in_flight[local_port] = (name, port, kind)
            conn.request(method, path, payload, headers)
            response = conn.getresponse()
            answer = Answer(response.status, dict(response.getheaders()), response.read())
        except (OSError, http.client.HTTPException) as exc:
            answer = Answer(None, error=exc.__class__.__name__)
        finally:
            conn.close()
            with self._lock:
                self.in_flight.pop(local_port, None)
        call = Call(
            kind, name, started, self.now(), answer.status, answer.error,
            answer.headers.get("Retry-After"),
        )  # fmt: skip
        with self._lock:
            self.calls.append(call)
        return answer


class Traffic:
    """Worker threads sending the mix until `stop_at`; submissions retry until `give_up_at`."""

    def __init__(self, client: Client, articles: list[str], run_id: str):
        self.client = client
        self.articles = articles
        self.run_id = run_id
        self.submissions: list[Submission] = []
        self.retries = 0
        self.to_approve: list[int] = []  # accepted, not yet approved
        self.approved: dict[str, list[int]] = {a: [] for a in articles}
        self.article_of: dict[int, str] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self.stop_at = 0.0
        self.give_up_at = 0.0

    def run(self, clients: int, seconds: float, grace: float) -> None:
        self.stop_at = self.client.now() + seconds
        self.give_up_at = self.stop_at + grace
        threads = [
            threading.Thread(target=self._worker, args=(i,), daemon=True) for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + grace + TIMEOUT * 2)

    def _worker(self, number: int) -> None:
        rng = random.Random(f"{self.run_id}-{number}")
        actions = (self.submit, self.read, self.count, self.approve)
        while self.client.now() < self.stop_at:
            rng.choices(actions, weights=(40, 30, 15, 15))[0](rng)

    def submit(self, rng: random.Random) -> Submission:
        number = next(self._numbers)
        article_id = rng.choice(self.articles)
        with self._lock:
            parents = self.approved[article_id]
            parent_id = rng.choice(parents) if parents and rng.random() < 0.2 else None
        marker = f"[lt-{self.run_id}-{number}]"
        submission = Submission(number, marker, str(uuid.uuid4()), article_id, parent_id)
        with self._lock:
            self.submissions.append(submission)
        body = {
            "name": f"Load tester {number}",
            "email": f"lt{number}@example.org",
            "body": f"Comment {marker} under load, number {number}.",
        }
        if parent_id is not None:
            body["parent_id"] = parent_id
        path = f"/api/v1/articles/{article_id}/comments"
        headers = {"Idempotency-Key": submission.key}
        if rng.random() < HEDGED:
            submission.hedged = True
            threading.Thread(target=self._hedge, args=(submission, path, body), daemon=True).start()
        delay = 0.2
        while True:
            answer = self.client.call("submit", "POST", path, body, headers)
            submission.attempts += 1
            submission.status = answer.status
            if answer.status in (201, 202):
                self._accepted(submission, answer)
                return submission
            retryable = (
                answer.status is None
                or answer.status >= 500
                or answer.status == 429
                or answer.code() in RETRY_CODES
            )
            if not retryable:
                return submission  # a refusal: the checks count it as unexpected
            if self.client.now() > self.give_up_at:
                submission.abandoned = True
                return submission
            with self._lock:
                self.retries += 1
            time.sleep(_pause(answer, delay, rng))
            delay = min(delay * 2, MAX_BACKOFF)

    def _hedge(self, submission: Submission, path: str, body: dict) -> None:
        """The same request at the same moment: a client that retried too early."""
        answer = self.client.call("submit", "POST", path, body, {"Idempotency-Key": submission.key})
        if answer.status in (201, 202):
            with self._lock:
                submission.answered_ids.append((answer.json() or {}).get("id"))

    def _accepted(self, submission: Submission, answer: Answer) -> None:
        data = answer.json() or {}
        submission.comment_id = data.get("id")
        with self._lock:
            submission.answered_ids.append(submission.comment_id)
        submission.replayed = answer.headers.get("Idempotent-Replayed") == "true"
        with self._lock:
            if submission.comment_id is not None:
                self.article_of[submission.comment_id] = submission.article_id
                self.to_approve.append(submission.comment_id)

    def read(self, rng: random.Random) -> None:
        article_id = rng.choice(self.articles)
        self.client.call("read", "GET", f"/api/v1/articles/{article_id}/comments?limit=20")

    def count(self, rng: random.Random) -> None:
        query = "&".join(f"article_id={a}" for a in self.articles)
        self.client.call("count", "GET", f"/api/v1/counts?{query}")

    def approve(self, rng: random.Random) -> None:
        with self._lock:
            if not self.to_approve:
                comment_id = None
            else:
                comment_id = self.to_approve.pop(rng.randrange(len(self.to_approve)))
        if comment_id is None:
            self.read(rng)
            return
        answer = self.client.call(
            "approve", "POST", f"/api/v1/comments/{comment_id}/moderation",
            {"action": "approve"}, auth=True,
        )  # fmt: skip
        if answer.status == 200:
            with self._lock:
                self.approved[self.article_of[comment_id]].append(comment_id)
        elif answer.status != 409:
            # No answer or a 5xx: left for a later approval or the final one. A 409
            # (already approved by an attempt whose answer was lost) is settled there too.
            with self._lock:
                self.to_approve.append(comment_id)

    def counts(self) -> dict:
        calls = self.client.calls
        answered = [s for s in self.submissions if s.status in (201, 202)]
        return {
            "submissions_sent": len(self.submissions),
            "submissions_answered_2xx": len(answered),
            "submissions_replayed": sum(s.replayed for s in answered),
            "submissions_retried": sum(s.attempts > 1 for s in self.submissions),
            "submissions_hedged": sum(s.hedged for s in self.submissions),
            "retries": self.retries,
            "submissions_abandoned": sum(s.abandoned for s in self.submissions),
            "submissions_refused_4xx": sum(
                s.status is not None and 400 <= s.status < 500 for s in self.submissions
            ),
            "calls": len(calls),
            "calls_by_kind": _tally(c.kind for c in calls),
            "answers": _tally("none" if c.status is None else str(c.status) for c in calls),
        }


def _pause(answer: Answer, delay: float, rng: random.Random) -> float:
    """Retry-After when the server gives one (capped), else the backoff with jitter."""
    try:
        asked = float(answer.headers.get("Retry-After", ""))
    except ValueError:
        asked = None
    if asked is not None:
        return min(max(asked, 0.1), MAX_BACKOFF)
    return delay * (0.5 + rng.random())


def _tally(values) -> dict[str, int]:
    result: dict[str, int] = {}
    for value in values:
        result[value] = result.get(value, 0) + 1
    return dict(sorted(result.items()))
