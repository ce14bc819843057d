"""Layout that mirrors in right-to-left languages: logical CSS only, no left or right."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PHYSICAL = re.compile(
    r"(margin|padding|border)-(left|right)\b|text-align:\s*(left|right)|float:\s*(left|right)"
    r"|(?<![-\w])(left|right)\s*:"
)
STYLED = [
    *sorted((ROOT / "commentsvc" / "static").glob("*.css")),
    ROOT / "commentsvc" / "static" / "embed.js",
    ROOT / "templates" / "demo" / "article.html",
    *sorted((ROOT / "templates" / "mail").glob("*.html")),
]


@pytest.mark.parametrize("path", STYLED, ids=lambda p: p.name)
def test_no_physical_left_or_right(path):
    found = [
        (number, line.strip())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PHYSICAL.search(line) and not line.strip().startswith(("//", "/*", "*"))
    ]
    assert found == []


def test_the_check_catches_what_it_looks_for():
    for css in ("margin-left: 1rem", "text-align: right", ".x { left: 0 }", "float: left"):
        assert PHYSICAL.search(css), css
    for css in ("margin-inline-start: 1rem", "text-align: start", "inset-inline-start: 0"):
        assert not PHYSICAL.search(css), css
