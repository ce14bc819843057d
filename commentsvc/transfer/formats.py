"""The formats `flask import` reads: one line each, naming the parser and the source.

A parser is `parse(path, **options) -> Iterator[records]` raising `UnreadableFile`;
`options` names the command-line options it takes (e.g. "skip_pings").
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import disqus, isso, jsonl, wordpress


@dataclass(frozen=True)
class Format:
    source: str  # stored with every comment: services.importing.SOURCES
    parse: Callable[..., Iterator]
    article_id_from: str = "path"  # the default of --article-id
    options: frozenset = frozenset()


FORMATS: dict[str, Format] = {
    "wordpress": Format("wordpress", wordpress.parse, options=frozenset({"skip_pings"})),
    "disqus": Format("disqus", disqus.parse),
    "isso": Format("isso", isso.parse),
    "json": Format("commentsvc", jsonl.parse, article_id_from="source-id"),
}
