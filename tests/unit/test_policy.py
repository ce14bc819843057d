"""The submission policy as pure functions: the mode and links, and how findings combine."""

import pytest

from commentsvc import policy
from commentsvc.policy import Context, Finding, Outcome, Reason, Submission, Verdict, evaluate
from commentsvc.status import ACTIONS, TRANSITIONS, Status, can_transition

HOLD_ALL = "Every comment is held for review (moderation: all)."
HOLD_FIRST = "First comment from this email address."


def submission(body: str = "A calm, plain comment.", url: str | None = None, **kw) -> Submission:
    # A person who took a minute over the form, unless a test says otherwise.
    kw.setdefault("form_age", 60.0)
    return Submission(name="Reader", email="reader@example.org", url=url, body=body, **kw)


def links(count: int) -> str:
    return " ".join(f"see https://example.org/page/{n}" for n in range(count))


def messages(verdict: Verdict) -> tuple[str, ...]:
    return tuple(r.message for r in verdict.reasons)


# ---- moderation mode -----------------------------------------------------------


@pytest.mark.parametrize("approved_before", [0, 1, 25])
def test_all_holds_every_comment_and_says_why(approved_before):
    verdict = evaluate(submission(), Context(moderation="all", approved_before=approved_before))

    assert verdict.outcome is Outcome.hold and verdict.status is Status.pending
    assert verdict.reasons == (Reason("moderation_mode", HOLD_ALL, {"mode": "all"}),)


def test_first_holds_a_first_time_author():
    verdict = evaluate(submission(), Context(moderation="first", approved_before=0))

    assert verdict.reasons == (Reason("moderation_mode", HOLD_FIRST, {"mode": "first"}),)
    assert verdict.status is Status.pending


@pytest.mark.parametrize("approved_before", [1, 7])
def test_first_publishes_an_author_approved_before(approved_before):
    verdict = evaluate(submission(), Context(moderation="first", approved_before=approved_before))

    assert verdict == Verdict(Outcome.publish, ())
    assert verdict.status is Status.approved


@pytest.mark.parametrize("approved_before", [0, 3])
def test_none_publishes(approved_before):
    verdict = evaluate(submission(), Context(moderation="none", approved_before=approved_before))

    assert verdict == Verdict(Outcome.publish, ())


def test_the_default_context_holds_everything():
    assert evaluate(submission(), Context()).status is Status.pending


# ---- links -------------------------------------------------------------------


@pytest.mark.parametrize(("max_links", "count"), [(2, 3), (2, 10), (0, 1), (5, 6)])
def test_too_many_links_hold_the_comment_and_name_the_count(max_links, count):
    verdict = evaluate(submission(links(count)), Context(moderation="none", max_links=max_links))

    assert verdict.status is Status.pending
    (reason,) = verdict.reasons
    assert reason.rule == "links"
    assert reason.message == f"Contains {count} links (more than {max_links})."
    assert reason.details == {"links": count, "max_links": max_links}


@pytest.mark.parametrize(("max_links", "count"), [(2, 0), (2, 1), (2, 2), (0, 0), (5, 5)])
def test_up_to_max_links_is_fine(max_links, count):
    verdict = evaluate(submission(links(count)), Context(moderation="none", max_links=max_links))

    assert verdict == Verdict(Outcome.publish, ())


@pytest.mark.parametrize(
    "body",
    [
        "Compare https://www.example.org/a with https://www.example.org/b.",
        "Compare www.example.org and HTTP://Example.com/www.example.net.",
        "Compare http://example.org/ and https://example.com/",
    ],
)
def test_each_link_counts_once(body):
    verdict = evaluate(submission(body), Context(moderation="none", max_links=2))

    assert verdict == Verdict(Outcome.publish, ())


@pytest.mark.parametrize(
    "body",
    [
        "HTTPS://example.org www.example.com Http://example.net",
        "http://a.example,http://b.example,www.c.example",  # no spaces to hide behind
        "<a href='https://www.a.example'>x</a> (www.b.example) https://c.example/?q=1",
    ],
)
def test_links_are_counted_in_any_case_and_form(body):
    verdict = evaluate(submission(body), Context(moderation="none", max_links=2))

    assert messages(verdict) == ("Contains 3 links (more than 2).",)


def test_the_authors_own_url_is_not_a_link_in_the_comment():
    verdict = evaluate(
        submission("No links here.", url="https://reader.example"),
        Context(moderation="none", max_links=0),
    )

    assert verdict.status is Status.approved


# ---- how findings combine ------------------------------------------------------


@pytest.mark.parametrize(("moderation", "first_reason"), [("all", HOLD_ALL), ("first", HOLD_FIRST)])
def test_every_reason_to_hold_is_kept_in_rule_order(moderation, first_reason):
    verdict = evaluate(submission(links(3)), Context(moderation=moderation, max_links=2))

    assert verdict.status is Status.pending
    assert messages(verdict) == (first_reason, "Contains 3 links (more than 2).")


def _rule(outcome: Outcome, name: str):
    return lambda s, c: Finding(outcome, Reason(name, f"{name} fired"))


@pytest.mark.parametrize(
    ("outcomes", "expected", "status"),
    [
        ((), Outcome.publish, Status.approved),
        ((Outcome.hold,), Outcome.hold, Status.pending),
        ((Outcome.hold, Outcome.hold), Outcome.hold, Status.pending),
        ((Outcome.hold, Outcome.spam), Outcome.spam, Status.spam),
        ((Outcome.spam, Outcome.hold), Outcome.spam, Status.spam),
        ((Outcome.hold, Outcome.refuse, Outcome.spam), Outcome.refuse, None),
        ((Outcome.refuse,), Outcome.refuse, None),
    ],
)
def test_the_strongest_finding_wins_and_every_reason_is_kept(outcomes, expected, status):
    rules = tuple(_rule(o, f"r{n}") for n, o in enumerate(outcomes))

    verdict = evaluate(submission(), Context(), rules)

    assert verdict.outcome is expected
    assert verdict.status is status
    assert [r.rule for r in verdict.reasons] == [f"r{n}" for n in range(len(outcomes))]
    assert (verdict.refusal is not None) is (expected is Outcome.refuse)


def test_the_first_refusing_rule_decides_the_answer():
    rules = (_rule(Outcome.hold, "a"), _rule(Outcome.refuse, "b"), _rule(Outcome.refuse, "c"))

    assert evaluate(submission(), Context(), rules).refusal.rule == "b"


def test_stored_reasons_carry_their_outcome():
    verdict = evaluate(submission(links(3)), Context(moderation="all", max_links=2))

    assert verdict.stored_reasons() == [
        {
            "rule": "moderation_mode",
            "message": HOLD_ALL,
            "details": {"mode": "all", "outcome": "hold"},
        },
        {
            "rule": "links",
            "message": "Contains 3 links (more than 2).",
            "details": {"links": 3, "max_links": 2, "outcome": "hold"},
        },
    ]


def test_duplicates_are_listed_before_floods_so_409_answers_a_repeated_comment():
    names = [rule.__name__ for rule in policy.RULES]

    assert names.index("duplicate") < names.index("flood")
    assert len(set(names)) == len(names) == 10


# ---- statuses and actions ------------------------------------------------------


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_any_status_may_move_to_any_other_but_not_to_itself(current, target):
    assert can_transition(current, target) is (current is not target)


def test_every_status_has_its_moves():
    assert set(TRANSITIONS) == set(Status)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", Status.approved),
        ("reject", Status.rejected),
        ("spam", Status.spam),
        ("pend", Status.pending),
    ],
)
def test_each_action_leads_to_its_status(action, status):
    assert ACTIONS[action] is status


def test_there_are_four_actions():
    assert sorted(ACTIONS) == ["approve", "pend", "reject", "spam"]


def test_every_status_can_be_reached_by_an_action():
    assert set(ACTIONS.values()) == set(Status)


def test_statuses_read_as_their_names():
    assert [str(s) for s in Status] == ["pending", "approved", "rejected", "spam"]
    assert Status("spam") is Status.spam
