"""Avatars: a keyed hash of the email, so nothing public reveals or confirms the address."""

import hashlib
import re

import pytest

from commentsvc import avatars
from tests.helpers import ARTICLE, EMAIL, published, submit

SECRET = "test-secret"


def plain_hashes(email: str) -> set[str]:
    found = set()
    for variant in {email, email.lower(), email.strip().lower()}:
        for name in ("md5", "sha1", "sha256", "sha512"):
            found.add(hashlib.new(name, variant.encode()).hexdigest())
    return found


def test_token_is_stable_per_email_whatever_its_case():
    assert avatars.token(EMAIL, SECRET) == avatars.token(f"  {EMAIL.upper()} ", SECRET)
    assert re.fullmatch(r"[0-9a-f]{16}", avatars.token(EMAIL, SECRET))


def test_token_differs_per_email_and_per_secret():
    tokens = {avatars.token(f"reader{n}@example.org", SECRET) for n in range(200)}
    assert len(tokens) == 200
    assert avatars.token(EMAIL, SECRET) != avatars.token(EMAIL, "another-secret")


def test_token_is_no_plain_hash_of_the_email():
    token = avatars.token(EMAIL, SECRET)
    assert not any(digest.startswith(token) or token in digest for digest in plain_hashes(EMAIL))


def test_identicon_is_symmetric_and_the_same_for_the_same_token():
    token = avatars.token(EMAIL, SECRET)
    cells = avatars.cells(token)
    assert cells == sorted({(4 - x, y) for x, y in cells})
    assert str(avatars.identicon_svg(token)) == str(avatars.identicon_svg(token))
    other = avatars.token("someone.else@example.org", SECRET)
    assert avatars.identicon_svg(other) != avatars.identicon_svg(token)


@pytest.mark.parametrize("bad", ["", "zz" * 8, "0" * 15, '"><script>'])
def test_identicon_refuses_anything_but_a_token(bad):
    with pytest.raises(ValueError):
        avatars.identicon_svg(bad)


def test_public_json_carries_the_token_and_never_the_email(client, auth, app):
    published(client, auth)
    held = submit(client)
    thread = client.get(f"/api/v1/articles/{ARTICLE}/comments")
    expected = avatars.token(EMAIL, app.config["SECRET_KEY"])
    assert thread.get_json()["comments"][0]["author"]["avatar"] == expected
    assert held.get_json()["comment"]["author"]["avatar"] == expected
    for response in (thread, held, client.get(f"/embed/{ARTICLE}")):
        body = response.get_data(as_text=True).lower()
        assert EMAIL not in body
        assert not any(digest in body for digest in plain_hashes(EMAIL))
