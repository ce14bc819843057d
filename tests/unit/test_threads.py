"""The public thread's shape, built from plain stand-ins for stored comments."""

import base64
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from commentsvc.status import Status
from commentsvc.threads import MAX_ID, build, decode_cursor, encode_cursor

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def comment(id, parent_id=None, status=Status.approved, minute=None, erased=False):
    """A stand-in comment; it was written `minute` minutes after START (default: its id)."""
    return SimpleNamespace(
        id=id,
        parent_id=parent_id,
        status=status,
        erased_at=START + timedelta(days=1) if erased else None,
        created_at=START + timedelta(minutes=id if minute is None else minute),
    )


def shape(nodes) -> list:
    """Nodes as nested (id, removed, replies) tuples, easy to compare."""
    return [(n.comment.id, n.removed, shape(n.replies)) for n in nodes]


# ---- build -------------------------------------------------------------------


def test_replies_nest_under_their_parents():
    roots = [comment(1)]
    replies = [comment(2, parent_id=1), comment(3, parent_id=2), comment(4, parent_id=1)]

    assert shape(build(roots, replies)) == [
        (1, False, [(2, False, [(3, False, [])]), (4, False, [])]),
    ]


def test_replies_read_oldest_first_whatever_order_they_arrive_in():
    replies = [
        comment(5, parent_id=1, minute=30),
        comment(3, parent_id=1, minute=10),
        comment(4, parent_id=1, minute=20),
    ]

    (root,) = build([comment(1)], replies)

    assert [r.comment.id for r in root.replies] == [3, 4, 5]


def test_replies_written_in_the_same_instant_read_in_id_order():
    replies = [comment(9, parent_id=1, minute=5), comment(7, parent_id=1, minute=5)]

    (root,) = build([comment(1)], replies)

    assert [r.comment.id for r in root.replies] == [7, 9]


def test_roots_keep_the_order_they_are_given_in():
    roots = [comment(3), comment(1), comment(2)]  # e.g. a newest-first page

    assert [n.comment.id for n in build(roots, [])] == [3, 1, 2]


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Status.pending},
        {"status": Status.rejected},
        {"status": Status.spam},
        {"erased": True},
        {"status": Status.approved, "erased": True},
    ],
)
def test_a_hidden_leaf_is_left_out(hidden):
    replies = [comment(2, parent_id=1, **hidden), comment(3, parent_id=1)]

    assert shape(build([comment(1)], replies)) == [(1, False, [(3, False, [])])]


@pytest.mark.parametrize("hidden", [{"status": Status.rejected}, {"erased": True}])
def test_a_hidden_root_without_public_replies_is_left_out(hidden):
    roots = [comment(1, **hidden), comment(2)]
    replies = [comment(3, parent_id=1, status=Status.pending)]

    assert shape(build(roots, replies)) == [(2, False, [])]


@pytest.mark.parametrize("hidden", [{"status": Status.spam}, {"erased": True}])
def test_a_hidden_root_with_a_public_reply_stays_as_a_placeholder(hidden):
    (node,) = build([comment(1, **hidden)], [comment(2, parent_id=1)])

    assert shape([node]) == [(1, True, [(2, False, [])])]


def test_a_hidden_comment_in_the_middle_of_a_chain_stays_as_a_placeholder():
    replies = [
        comment(2, parent_id=1, status=Status.rejected),
        comment(3, parent_id=2, status=Status.pending),
        comment(4, parent_id=3),
    ]

    assert shape(build([comment(1)], replies)) == [
        (1, False, [(2, True, [(3, True, [(4, False, [])])])]),
    ]


def test_a_hidden_chain_with_nothing_public_at_its_end_is_dropped_whole():
    replies = [
        comment(2, parent_id=1, status=Status.rejected),
        comment(3, parent_id=2, status=Status.pending),
        comment(4, parent_id=3, status=Status.spam),
        comment(5, parent_id=1),
    ]

    assert shape(build([comment(1)], replies)) == [(1, False, [(5, False, [])])]


def test_nothing_in_gives_nothing_out():
    assert build([], []) == []


def test_the_node_carries_the_comment_itself():
    root = comment(1)

    (node,) = build([root], [])

    assert node.comment is root


# ---- cursors -----------------------------------------------------------------


@pytest.mark.parametrize(
    "created_at",
    [
        START,
        START.replace(microsecond=123456),
        datetime(2026, 3, 10, 14, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ],
)
@pytest.mark.parametrize("comment_id", [1, 42, MAX_ID])
def test_a_cursor_reads_back_what_it_was_made_from(created_at, comment_id):
    cursor = encode_cursor(created_at, comment_id)

    assert decode_cursor(cursor) == (created_at, comment_id)
    assert cursor.isascii() and "=" not in cursor and "/" not in cursor and "+" not in cursor


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage",
        "!!!!",
        "a",  # a length base64 never produces
        _b64("no separator"),
        _b64("2026-03-10T09:00:00+00:00|"),
        _b64("2026-03-10T09:00:00+00:00|seven"),
        _b64("yesterday|7"),
        _b64("|7"),
        _b64("2026-03-10T09:00:00+00:00|0"),
        _b64("2026-03-10T09:00:00+00:00|-7"),
        _b64(f"2026-03-10T09:00:00+00:00|{MAX_ID + 1}"),
        _b64(f"2026-03-10T09:00:00+00:00|{10**30}"),
        encode_cursor(datetime(2026, 3, 10, 9, 0), 7),  # naive: no time zone
        base64.urlsafe_b64encode(b"\xff\xfe|7").decode(),  # not UTF-8
    ],
)
def test_a_cursor_not_made_here_is_refused(cursor):
    with pytest.raises(ValueError):
        decode_cursor(cursor)


def test_replies_deeper_than_the_limit_show_flattened_at_it():
    # 1 <- 2 <- 3 <- 4 <- 5, and 6 (held) <- 7 below 3; a limit of 3 levels.
    roots = [comment(1)]
    replies = [
        comment(2, parent_id=1),
        comment(3, parent_id=2),
        comment(4, parent_id=3),
        comment(5, parent_id=4),
        comment(6, parent_id=3, status=Status.pending),
        comment(7, parent_id=6, minute=4.5),
    ]

    assert shape(build(roots, replies, max_depth=3)) == [
        (1, False, [(2, False, [(3, False, []), (4, False, []), (7, False, []), (5, False, [])])]),
    ]
    assert shape(build(roots, replies))[0][2][0][2][0][2][0] == (4, False, [(5, False, [])])
