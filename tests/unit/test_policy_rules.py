"""Each family of rules as a pure function, table-driven: words, traps, history, closing."""

from datetime import UTC, datetime, timedelta

import pytest

from commentsvc.policy import (
    CheckAnswer,
    Context,
    Outcome,
    Submission,
    closing,
    external,
    history,
    traps,
    words,
)


def sub(**kw) -> Submission:
    fields = {
        "name": "Reader",
        "email": "reader@example.org",
        "url": None,
        "body": "A calm, plain comment.",
        "ip": "198.51.100.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "form_age": 60.0,
    }
    fields.update(kw)
    return Submission(**fields)


def outcome(finding):
    return None if finding is None else finding.outcome


# ---- word lists ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "fields", "found"),
    [
        (("casino",), {"body": "Best CASINO in town!"}, [("casino", "body")]),
        (("casino",), {"body": "casinos and more"}, []),  # whole words only
        (("casino",), {"body": "my-casino-site"}, [("casino", "body")]),  # "-" is no word char
        (("cheap pills",), {"body": "Cheap\n  pills here"}, [("cheap pills", "body")]),
        (("cheap pills",), {"body": "cheap, pills"}, []),
        (("casino",), {"name": "Casino King"}, [("casino", "name")]),
        (("spam.example",), {"email": "bob@spam.example"}, [("spam.example", "email")]),
        (("spam.example",), {"url": "https://spam.example/x"}, [("spam.example", "url")]),
        (("curl",), {"user_agent": "curl/8.5.0"}, [("curl", "user_agent")]),
        (("$$$",), {"body": "Earn $$$ now"}, [("$$$", "body")]),  # no boundary for symbols
        (("ǅemal",), {"body": "ǆEMAL was here"}, [("ǅemal", "body")]),  # Unicode case folding
        (("straße",), {"body": "STRASSE"}, [("straße", "body")]),
        (
            ("casino", "poker"),
            {"body": "poker night", "name": "casino"},
            [("casino", "name"), ("poker", "body")],
        ),
        (("   ",), {"body": "anything"}, []),  # blank entries match nothing
        (("203.0.113.9",), {"ip": "203.0.113.9"}, [("203.0.113.9", "ip")]),
        (("203.0.113.0/24",), {"ip": "203.0.113.200"}, [("203.0.113.0/24", "ip")]),
        (("203.0.113.0/24",), {"ip": "203.0.114.1"}, []),
        (("2001:db8::/32",), {"ip": "2001:db8::1"}, [("2001:db8::/32", "ip")]),
        (("203.0.113.9",), {"body": "from 203.0.113.9", "ip": "10.0.0.1"}, []),  # IPs match IPs
        (("203.0.113.9",), {"ip": "not an address"}, []),
        (("203.0.113.9",), {"ip": None}, []),
    ],
)
def test_word_lists_match_whole_words_in_every_field_and_ips_by_range(entries, fields, found):
    matches = words.matches(entries, sub(**fields))

    assert [(m.entry, m.field) for m in matches] == found


@pytest.mark.parametrize(
    ("context", "expected", "rule", "message"),
    [
        (
            Context(moderation_words=("casino",)),
            Outcome.hold,
            "moderation_words",
            "matched moderation word “casino” in the body",
        ),
        (
            Context(disallowed_words=("casino",)),
            Outcome.spam,
            "disallowed_words",
            "matched disallowed word “casino” in the body",
        ),
        (
            Context(disallowed_words=("198.51.100.0/24",)),
            Outcome.spam,
            "disallowed_words",
            "the client IP 198.51.100.7 is in the disallowed list (“198.51.100.0/24”)",
        ),
        (
            Context(moderation_words=("casino", "bonus")),
            Outcome.hold,
            "moderation_words",
            "matched moderation word “casino” in the body, and 1 more",
        ),
    ],
)
def test_word_list_findings_say_what_matched_where(context, expected, rule, message):
    submission = sub(body="Casino bonus inside")
    finding = words.moderation_words(submission, context) or words.disallowed_words(
        submission, context
    )

    assert finding.outcome is expected
    assert finding.reason.rule == rule
    assert finding.reason.message == message
    assert finding.reason.details["matches"][0]["field"] in ("body", "ip")


def test_empty_word_lists_find_nothing():
    assert words.moderation_words(sub(), Context()) is None
    assert words.disallowed_words(sub(), Context()) is None


# ---- honeypot and time-trap ------------------------------------------------------


@pytest.mark.parametrize(
    ("honeypot", "expected"), [("", None), ("x", Outcome.spam), ("http://bot", Outcome.spam)]
)
def test_a_filled_honeypot_is_spam(honeypot, expected):
    assert outcome(traps.honeypot(sub(honeypot=honeypot), Context())) is expected


@pytest.mark.parametrize(
    ("age", "problem", "min_seconds", "trusted", "expected", "words_in_message"),
    [
        (60.0, None, 3, False, None, None),
        (3.0, None, 3, False, None, None),
        (2.99, None, 3, False, Outcome.hold, "posted 3.0 s after the form was shown (under 3 s)"),
        (1.0, None, 3, False, Outcome.hold, "under 3 s"),
        (0.99, None, 3, False, Outcome.spam, "(under 1 s)"),
        (0.0, None, 3, False, Outcome.spam, "posted 0.0 s"),
        (0.5, None, 0, False, None, None),  # 0 turns the rule off
        (None, "missing", 0, False, None, None),
        (0.5, None, 1, False, Outcome.spam, "under 1 s"),
        (1.5, None, 1, False, None, None),
        (0.1, None, 3, True, None, None),  # a request with an API key is exempt
        (None, "missing", 3, True, None, None),
        (None, "missing", 3, False, Outcome.hold, "no form token"),
        (None, "forged", 3, False, Outcome.hold, "not valid"),
        (None, "expired", 3, False, Outcome.hold, "more than 24 hours"),
        (None, "something new", 3, False, Outcome.hold, "not valid"),
        (None, None, 3, False, Outcome.hold, "no form token"),
    ],
)
def test_time_trap(age, problem, min_seconds, trusted, expected, words_in_message):
    submission = sub(form_age=age, form_problem=problem, trusted=trusted)

    finding = traps.time_trap(submission, Context(min_form_seconds=min_seconds))

    assert outcome(finding) is expected
    if expected is not None:
        assert finding.reason.rule == "time_trap"
        assert words_in_message in finding.reason.message


# ---- flood, duplicate, repeat offenders --------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "by", "limit", "expected", "retry_after"),
    [
        (None, None, 15, None, None),
        (15.0, "ip", 15, None, None),
        (100.0, "email", 15, None, None),
        (14.2, "ip", 15, Outcome.refuse, 1),
        (4.0, "email", 15, Outcome.refuse, 11),
        (0.0, "ip", 15, Outcome.refuse, 15),
        (-2.0, "ip", 15, Outcome.refuse, 15),  # another instance's clock ran ahead
        (1.0, "ip", 0, None, None),  # 0 turns the rule off
    ],
)
def test_flood(seconds, by, limit, expected, retry_after):
    context = Context(flood_seconds=limit, last_post_seconds=seconds, last_post_by=by)

    finding = history.flood(sub(), context)

    assert outcome(finding) is expected
    if expected:
        assert finding.reason.details["retry_after"] == retry_after
        assert finding.reason.details["by"] == by
        assert f"same {'IP address' if by == 'ip' else 'email address'}" in finding.reason.message


@pytest.mark.parametrize(("duplicate_of", "expected"), [(None, None), (12, Outcome.refuse)])
def test_duplicate(duplicate_of, expected):
    finding = history.duplicate(sub(), Context(duplicate_of=duplicate_of))

    assert outcome(finding) is expected
    if expected:
        assert finding.reason.details == {"comment_id": 12}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Hello world", "hello   WORLD", True),
        ("Hello world", "\n Hello\tworld \n", True),
        ("Hello world", "Hello world!", False),
        ("STRASSE", "straße", True),
        ("", "   ", True),
    ],
)
def test_same_text_folds_white_space_and_case(a, b, same):
    assert (history.same_text(a) == history.same_text(b)) is same


@pytest.mark.parametrize(
    ("by_email", "by_ip", "limit", "expected", "by"),
    [
        (0, 0, 3, None, None),
        (2, 2, 3, None, None),
        (3, 0, 3, Outcome.spam, "email"),
        (0, 5, 3, Outcome.spam, "ip"),
        (4, 7, 3, Outcome.spam, "ip"),
        (9, 9, 0, None, None),  # 0 turns the rule off
        (1, 0, 1, Outcome.spam, "email"),
    ],
)
def test_repeat_offenders(by_email, by_ip, limit, expected, by):
    context = Context(spam_repeat=limit, spam_by_email=by_email, spam_by_ip=by_ip)

    finding = history.repeat_offender(sub(), context)

    assert outcome(finding) is expected
    if expected:
        assert finding.reason.details["by"] == by


# ---- external checker ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected", "text"),
    [
        (None, None, None),
        (CheckAnswer("ham"), None, None),
        (CheckAnswer("spam"), Outcome.spam, "the external checker (Akismet) says spam"),
        (CheckAnswer("spam", "blatant"), Outcome.spam, "says spam (blatant)"),
        (
            CheckAnswer("error", "no answer within 3 s"),
            Outcome.hold,
            "could not answer: no answer within 3 s",
        ),
        (CheckAnswer("error", "HTTP 500", "Other"), Outcome.hold, "(Other) could not answer"),
    ],
)
def test_checker_answers(answer, expected, text):
    finding = external.checker(sub(), Context(checker=answer))

    assert outcome(finding) is expected
    if expected:
        assert text in finding.reason.message


# ---- closing after N days ---------------------------------------------------------------

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("own", "published", "days", "expected"),
    [
        (None, None, 0, None),
        (None, T0, 0, None),
        (None, None, 14, None),
        (None, T0, 14, T0 + timedelta(days=14)),
        (T0 + timedelta(days=3), T0, 14, T0 + timedelta(days=3)),  # the earlier wins
        (T0 + timedelta(days=30), T0, 14, T0 + timedelta(days=14)),
        (T0, None, 14, T0),
        (T0, T0, 0, T0),
    ],
)
def test_closing_time(own, published, days, expected):
    assert closing.closes_at(own, published, days) == expected
