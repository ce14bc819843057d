"""Build the public shape of a thread from stored comments, and page through it.

Pure: takes rows, returns nodes; no Flask, no session.
"""

import base64
import binascii
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .status import Status

# The largest id an INTEGER column holds on PostgreSQL: a larger one names no comment.
MAX_ID = 2**31 - 1


@dataclass
class ThreadNode:
    comment: Any
    removed: bool
    replies: list["ThreadNode"] = field(default_factory=list)


def is_public(comment) -> bool:
    return comment.status is Status.approved and comment.erased_at is None


def build(
    roots: Sequence[Any], replies: Iterable[Any], max_depth: int | None = None
) -> list[ThreadNode]:
    """Nest `replies` under `roots`, keeping only what readers may see.

    A comment that is not public stays as a placeholder when a public reply
    hangs below it, so the conversation keeps its shape; otherwise it is left out.
    Replies read oldest first under their parent, whatever order the roots have.
    Nothing shows deeper than `max_depth`: a comment one level above it lists every
    public reply beneath it, oldest first, at that depth (imports keep chains deeper than
    replies may go now).
    """
    children: dict[int, list[Any]] = defaultdict(list)
    for reply in sorted(replies, key=lambda c: (c.created_at, c.id)):
        children[reply.parent_id].append(reply)

    def below(comment) -> list[Any]:
        found = []
        for child in children[comment.id]:
            found.append(child)
            found.extend(below(child))
        return found

    def flattened(comment) -> list[ThreadNode]:
        public = [c for c in below(comment) if is_public(c)]
        return [ThreadNode(c, removed=False) for c in sorted(public, key=_age)]

    def shape(comment, level: int) -> ThreadNode | None:
        if max_depth is not None and level >= max(max_depth - 1, 1):
            kept = flattened(comment)
        else:
            kept = [node for child in children[comment.id] if (node := shape(child, level + 1))]
        if is_public(comment):
            return ThreadNode(comment, removed=False, replies=kept)
        if kept:
            return ThreadNode(comment, removed=True, replies=kept)
        return None

    return [node for root in roots if (node := shape(root, 1))]


def _age(comment):
    return (comment.created_at, comment.id)


def public_comments(nodes: Sequence[ThreadNode], avatar: Callable[[str], str]) -> list[dict]:
    """The public shape of each node (as `schemas.PublicCommentOut` documents it).

    `avatar` turns an email into its public token; nothing else of the email leaves.
    Times stay datetimes for the encoder (orjson) to write. A test holds the encoded
    result to the schema's own dump, so the two cannot drift.
    """
    return [_public(node, avatar) for node in nodes]


def _public(node: ThreadNode, avatar: Callable[[str], str]) -> dict:
    c = node.comment
    replies = [_public(child, avatar) for child in node.replies]
    if node.removed:
        return {
            "id": c.id,
            "parent_id": c.parent_id,
            "author": None,
            "html": None,
            "created_at": None,
            "staff": False,
            "removed": True,
            "replies": replies,
        }
    return {
        "id": c.id,
        "parent_id": c.parent_id,
        "author": {"name": c.author_name, "url": c.author_url, "avatar": avatar(c.author_email)},
        "html": c.html,
        "created_at": c.created_at,  # orjson writes it as isoformat() does
        "staff": bool(c.is_staff),
        "removed": False,
        "replies": replies,
    }


def encode_cursor(created_at: datetime, comment_id: int) -> str:
    raw = f"{created_at.isoformat()}|{comment_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Read a cursor made by `encode_cursor`.

    :raise ValueError: when it was not made here.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, number = raw.rsplit("|", 1)
        created_at, comment_id = datetime.fromisoformat(stamp), int(number)
        if created_at.tzinfo is None:
            raise ValueError("cursor without a time zone")
        if not 1 <= comment_id <= MAX_ID:
            raise ValueError("cursor id out of range")
        return created_at, comment_id
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("not a valid cursor") from exc
