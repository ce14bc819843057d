"""Schemathesis holds the server to /openapi.json: every operation, every check, 0 failures.

Each operation gets valid and invalid requests generated from the document (a fixed
seed, a bounded number of examples) with a moderate-scope API key; every built-in
check runs on every answer, so a 500, an undocumented status, header or body, a valid
request refused or an invalid one accepted fails the test. The submission limit and
the flood interval are lifted for the run: the fuzzer posts far faster than any reader,
often with the same address (the document still says 429 for both, and
tests/policy/test_api_rules.py holds the server to it).

The operations are walked here rather than through `@schema.parametrize()`: the schema
comes from the session's app (a fixture), and Schemathesis' fixture-backed parametrize
does not run under pytest 9.2 (it sets `node._nodeid`, which pytest no longer has).
"""

import itertools
from collections import Counter
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from commentsvc import threads

load_all_checks()
ALL_CHECKS = CHECKS.get_all()
SEED = 20261126
FRESH_KEYS = itertools.count()
EXAMPLES = 25


@pytest.fixture
def api_schema(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "100000 per minute")
    monkeypatch.setitem(app.config, "FLOOD_SECONDS", 0)
    # Generated host names would be looked up in the DNS; the rule is tested elsewhere.
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def genuine_references(case) -> None:
    """What JSON Schema cannot describe, a valid request has: a cursor is opaque (only
    one this service gave out is valid), a reply names a published comment of the same
    article (the document says so; any other id answers 422), and each comment has its
    own Idempotency-Key."""
    if case.query and "cursor" in case.query:
        case.query["cursor"] = threads.encode_cursor(datetime(2026, 1, 1, tzinfo=UTC), 7)
    if isinstance(case.body, dict) and case.body.get("parent_id") is not None:
        case.body["parent_id"] = None
    # A client sends a new Idempotency-Key with each new comment (reused with another
    # comment, a key answers 422, as documented).
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = f"contract-{next(FRESH_KEYS)}"


def _leaves(exc: BaseException, notes: tuple[str, ...] = ()) -> list[str]:
    """Each failure's text with the request that caused it (the notes along the way)."""
    notes = (*notes, *getattr(exc, "__notes__", []))
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner, notes)]
    return [f"{exc}\n" + "\n".join(n for n in notes if "Falsifying" not in n)]


def failures_of(operation, mode: GenerationMode, headers: dict, sent: Counter) -> list[str]:
    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=True,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        if mode is GenerationMode.POSITIVE:
            genuine_references(case)
        response = case.call(headers=headers)
        sent[operation.label] += 1
        try:
            case.validate_response(response, headers=headers, checks=ALL_CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # one failure, or a group of them
            exc.add_note(
                f"{case.as_curl_command(headers=headers)}\n-> {response.status_code} "
                f"{response.headers.get('Allow', '')} {response.text[:300]}"
            )
            raise

    try:
        check()
    except (Exception, BaseExceptionGroup) as exc:
        return [f"{operation.label} ({mode.value}): {leaf}" for leaf in _leaves(exc)]
    return []


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_to_the_document(api_schema, api_key, mode):
    # The WSGI client does not undo Content-Encoding as an HTTP client would.
    headers = {"Authorization": f"Bearer {api_key}", "Accept-Encoding": "identity"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    sent: Counter = Counter()
    failures = [f for operation in operations for f in failures_of(operation, mode, headers, sent)]

    assert len(operations) >= 18
    # Failures first: a failing example ends its operation's run, so they explain a low count.
    assert failures == [], f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
    assert {op.label for op in operations} == set(sent)  # every operation was called
    assert min(sent.values()) >= 5, sent


def test_sequences_of_operations_keep_to_the_document(api_schema, api_key):
    """Stateful: create a webhook or a comment, then read, change and delete it, so the
    checks that need a history (use_after_free, ensure_resource_availability) run too."""
    headers = {"Authorization": f"Bearer {api_key}", "Accept-Encoding": "identity"}
    machine = api_schema.as_state_machine()
    answered: list[str] = []

    class Sequences(machine):
        def before_call(self, case):
            case.headers = {**(case.headers or {}), **headers}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            answered.append(f"{case.operation.label} {response.status_code}")
            case.validate_response(response, headers=headers, checks=ALL_CHECKS)

    Sequences.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert len(answered) >= 15
    assert any(label.split()[0] == "DELETE" for label in answered)
    print(f"{len(answered)} requests in sequences; first: {answered[:8]}")
