"""The form token: when the form was shown and for which article, signed; read by both doors."""

import time

import pytest
from itsdangerous import URLSafeSerializer

from commentsvc import tokens

SECRET = "unit-secret"
NOW = 1_800_000_000.0


def test_a_token_says_how_long_ago_the_form_was_shown():
    token = tokens.form_token(SECRET, "article-1", now=NOW)

    assert tokens.check_form_token(SECRET, token, "article-1", now=NOW + 4.25).age == 4.25
    stamp = tokens.read_form_token(SECRET, token, "article-1", now=NOW + 4.25)
    assert (stamp.age, stamp.problem) == (4.25, None)


def test_each_token_carries_its_own_nonce():
    first, second = (tokens.form_token(SECRET, "a", now=NOW) for _ in range(2))
    nonces = {tokens.check_form_token(SECRET, t, "a", now=NOW).nonce for t in (first, second)}
    assert len(nonces) == 2 and all(len(n) >= 16 for n in nonces)


def test_the_clock_of_another_instance_a_little_behind_reads_as_zero():
    token = tokens.form_token(SECRET, "a", now=NOW + 30)

    assert tokens.check_form_token(SECRET, token, "a", now=NOW).age == 0.0


def _signed(payload) -> str:
    return URLSafeSerializer(SECRET, salt=tokens.FORM_SALT).dumps(payload)


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (None, "missing"),
        ("", "missing"),
        ("garbage", "forged"),
        (tokens.form_token("another-secret", "a", now=NOW), "forged"),
        (tokens.form_token(SECRET, "b", now=NOW), "forged"),
        (tokens.form_token(SECRET, "a", now=NOW - tokens.FORM_MAX_AGE - 1), "expired"),
        (tokens.form_token(SECRET, "a", now=NOW + tokens.CLOCK_SKEW + 5), "forged"),
        (_signed(["a", NOW]), "forged"),
        (_signed({"article": "a"}), "forged"),
        (_signed({"article": "a", "shown": "yesterday"}), "forged"),
        (_signed({"article": "a", "shown": True}), "forged"),
        (URLSafeSerializer(SECRET, salt="other").dumps({"article": "a", "shown": NOW}), "forged"),
    ],
)
def test_bad_tokens_are_refused_with_their_problem(token, problem):
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.check_form_token(SECRET, token, "a", now=NOW)
    assert refused.value.problem == problem
    assert tokens.read_form_token(SECRET, token, "a", now=NOW) == tokens.FormStamp(None, problem)


def test_the_payload_is_a_dict_so_a_new_key_leaves_tokens_readable():
    token = _signed({"article": "a", "shown": NOW, "nonce": "added later"})

    assert tokens.check_form_token(SECRET, token, "a", now=NOW + 1).age == 1.0


def test_tokens_use_the_real_clock_by_default():
    token = tokens.form_token(SECRET, "a")

    assert 0 <= tokens.check_form_token(SECRET, token, "a").age < 5
    assert abs(tokens.check_form_token(SECRET, token, "a", now=time.time() + 10).age - 10) < 5
