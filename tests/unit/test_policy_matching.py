"""The word matcher and the link counter on any text: never crash, and agree with a
simple reference implementation (position by position, no regular expressions)."""

import ipaddress

from hypothesis import example, given, settings
from hypothesis import strategies as st

from commentsvc.policy import Submission
from commentsvc.policy.mode import count_links
from commentsvc.policy.words import FIELDS, fold, matches

# Text that often contains what the rules look for, and anything else besides.
PIECES = [
    "casino",
    "Casino",
    "CASINO",
    "cheap pills",
    "www.",
    "http://",
    "HTTPS://",
    "ß",
    "\u017f",  # long s: folds to "s"
    "_",
    "-",
    ".",
    "/",
    " ",
    "\n",
    "\t",
    "é",
    "É",
    "İ",
    "ǅ",
    "٣",
    "$$",
    "a",
    "1",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=12).map("".join)
entries = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=6)


def is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def reference_contains(text: str, entry: str) -> bool:
    """Whether `entry` occurs in `text` as a whole word or phrase, folded alike."""
    text, entry = fold(text), fold(entry)
    if not entry:
        return False
    for start in range(len(text) - len(entry) + 1):
        end = start + len(entry)
        if text[start:end] != entry:
            continue
        if is_word(entry[0]) and start > 0 and is_word(text[start - 1]):
            continue
        if is_word(entry[-1]) and end < len(text) and is_word(text[end]):
            continue
        return True
    return False


def reference_network(entry: str):
    try:
        return ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return None


def reference_matches(word_list, submission) -> set[tuple[str, str]]:
    found = set()
    for entry in word_list:
        net = reference_network(entry)
        if net is not None:
            try:
                if submission.ip and ipaddress.ip_address(submission.ip) in net:
                    found.add((entry, "ip"))
            except ValueError:
                pass
            continue
        for name in FIELDS:
            if reference_contains(getattr(submission, name) or "", entry):
                found.add((entry, name))
    return found


@settings(max_examples=150, deadline=None)
@given(word_list=entries, body=texts, name=texts, agent=texts)
@example(word_list=["casino"], body="Casino!", name="", agent="")
@example(word_list=["cheap pills"], body="cheap\n\npills", name="", agent="")
@example(word_list=["ß"], body="SS", name="", agent="")
def test_the_word_matcher_agrees_with_the_reference(word_list, body, name, agent):
    submission = Submission(
        name=name, email="a@b.example", url=None, body=body, ip="10.1.2.3", user_agent=agent
    )

    found = {(m.entry, m.field) for m in matches(tuple(word_list), submission)}

    assert found == reference_matches(word_list, submission)


@settings(max_examples=100, deadline=None)
@given(
    word_list=st.lists(
        st.sampled_from(["10.0.0.0/8", "10.1.2.3", "::1", "2001:db8::/32", "10.1.2.0/33"]),
        max_size=4,
    ),
    ip=st.one_of(st.ip_addresses().map(str), st.text(max_size=12), st.none()),
)
def test_ip_entries_match_the_client_ip_like_the_reference(word_list, ip):
    submission = Submission(name="n", email="e@x.example", url=None, body="b", ip=ip)

    found = {(m.entry, m.field) for m in matches(tuple(word_list), submission)}

    assert found == reference_matches(word_list, submission)


def ascii_lower(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def reference_links(text: str) -> int:
    """Count the places where http://, https:// or a free-standing www. begins."""
    count = 0
    for i in range(len(text)):
        rest = ascii_lower(text[i : i + 8])
        free = i == 0 or not (is_word(text[i - 1]) or text[i - 1] in "./")
        count += rest.startswith(("http://", "https://")) or (rest.startswith("www.") and free)
    return count


@settings(max_examples=300, deadline=None)
@given(texts)
@example("http\u017f://not-a-link.example")
@example("https://www.example.org www.example.org/www.x")
def test_the_link_counter_agrees_with_the_reference(text):
    assert count_links(text) == reference_links(text)
