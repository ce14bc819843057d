"""commentsvc's own export (`services.exporting`), read back line by line."""

from collections.abc import Iterator
from datetime import datetime

import orjson

from . import UnreadableFile
from .records import ArticleRecord, CommentRecord, EventRecord

SUPPORTED_VERSIONS = {1}


def parse(path: str) -> Iterator:
    """Yield the records of a commentsvc export.

    :raise UnreadableFile: not an export of a version this release reads, or a broken line.
    """
    with open(path, "rb") as stream:
        first = stream.readline()
        head = _load(first, 1)
        if head.get("format") != "commentsvc":
            raise UnreadableFile("not a commentsvc export (its first line names no such format)")
        if head.get("version") not in SUPPORTED_VERSIONS:
            raise UnreadableFile(f"export format version {head.get('version')!r} is not read here")
        for number, line in enumerate(stream, start=2):
            if not line.strip():
                continue
            data = _load(line, number)
            try:
                yield _record(data)
            except (KeyError, TypeError, ValueError) as exc:
                raise UnreadableFile(
                    f"line {number}: not a valid {data.get('type')!r}: {exc}"
                ) from None


def _load(line: bytes, number: int) -> dict:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise UnreadableFile(f"line {number} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UnreadableFile(f"line {number} is not a JSON object")
    return data


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return parsed


def _record(data: dict):
    kind = data.get("type")
    if kind == "article":
        return ArticleRecord(
            source_id=data["article_id"],
            url=data.get("url"),
            title=data.get("title"),
            comments_open=bool(data.get("comments_open", True)),
            published_at=_time(data.get("published_at")),
            closes_at=_time(data.get("closes_at")),
            created_at=_time(data.get("created_at")),
        )
    if kind == "comment":
        author = data["author"]
        return CommentRecord(
            source_id=data["source_id"],
            source=data["source"],
            article_source_id=data["article_id"],
            parent_source_id=data.get("parent_source_id"),
            parent_source=data.get("parent_source"),
            author_name=author["name"],
            author_email=author["email"],
            author_url=author.get("url"),
            body=data["body"],
            created_at=_time(data["created_at"]),
            updated_at=_time(data.get("updated_at")),
            erased_at=_time(data.get("erased_at")),
            removed=data.get("erased_at") is not None,
            status=data["status"],
            kind=data.get("kind", "comment"),
            remote_addr=data.get("remote_addr"),
            user_agent=data.get("user_agent"),
            is_staff=bool(data.get("is_staff")),
            held_reasons=tuple(data.get("held_reasons") or ()),
            events=tuple(_event(e) for e in data.get("events", ())),
        )
    raise ValueError(f"unknown line type {kind!r}")


def _event(data: dict) -> EventRecord:
    return EventRecord(
        action=data["action"],
        actor=data["actor"],
        created_at=_time(data["created_at"]),
        from_status=data.get("from_status"),
        to_status=data.get("to_status"),
        reason=data.get("reason"),
        details=data.get("details"),
        batch_id=data.get("batch_id"),
    )
