"""Build Isso databases for the tests from Isso's own schema (fixtures/isso_schema.sql).

Nothing binary is committed: each test writes the file it reads.
"""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = Path(__file__).parent / "fixtures" / "isso_schema.sql"
# Isso stores a Bloom filter of the voters' addresses; any 256 bytes will do here.
VOTERS = bytes(256)

THREADS = [
    (1, "/2026/03/10/brick-kilns/", "Punjab brick-kiln modernisation"),
    (2, "/ur/lahore-smog/", "لاہور میں سموگ: شہری کیا کریں؟"),
    (3, "/2026/01/quiet-week/", None),
]


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


FULL_STOP = "\u06d4"  # Urdu's full stop, written out: it looks like a hyphen
URDU_THANKS = f"بہت شکریہ، یہ معلومات مفید ہیں{FULL_STOP} 🙏"
URDU_ADVICE = f"سموگ کے دنوں میں ماسک پہنیں اور بچوں کو گھر پر رکھیں{FULL_STOP}"

# (id, tid, parent, created, mode, remote_addr, text, author, email, website, likes)
# fmt: off
COMMENTS = [
    (1, 1, None, "2026-03-10 09:00:00", 1, "203.0.113.0",
     "Zigzag firing **halves** the smoke.\n\n<script>alert('kiln')</script>",
     "Amina Qureshi", "amina@example.org", "https://amina.example", 3),
    (2, 1, 1, "2026-03-10 10:00:00", 1, "203.0.113.0",
     "See [the study](https://example.com/kilns).", "Bilal", "bilal@example.org", None, 0),
    (3, 1, 2, "2026-03-10 11:00:00", 2, "2001:db8::",
     URDU_THANKS, "عمران خان", "imran@example.pk", "", 0),
    (4, 1, 3, "2026-03-10 12:00:00", 1, "203.0.113.0",
     "A fourth level: `code` and > a quote", "Amina Qureshi", "amina@example.org", None, 1),
    # Deleted with a reply: Isso blanked its text, author and website, kept the row.
    (5, 1, None, "2026-03-10 09:15:00", 4, "203.0.113.0", "", None, "regret@example.org", None, 0),
    (6, 1, 5, "2026-03-10 09:20:00", 1, "203.0.113.0",
     "Answering the deleted one anyway.", "Bilal", "bilal@example.org", None, 0),
    # Deleted without replies (Isso would have removed it; an old file may still hold it).
    (7, 1, None, "2026-03-10 13:00:00", 4, "203.0.113.0", "", None, None, None, 0),
    (8, 2, None, "2026-02-01 05:30:00", 1, "198.51.100.0", URDU_ADVICE, None, None, None, 0),
    (9, 2, 8, "2026-02-01 07:45:10", 2, "198.51.100.0",
     "Agreed. *Zaroor!*", "Sara", "sara@example.pk", "", 0),
    # A thread Isso's trigger should have removed: the comment names no known thread.
    (10, 99, None, "2026-03-01 00:00:00", 1, "203.0.113.0", "Lost.", "Lost", None, None, 0),
    # A deleted comment whose only reply is deleted too: neither is kept.
    (11, 1, None, "2026-03-10 14:00:00", 4, "203.0.113.0", "", None, None, None, 0),
    (12, 1, 11, "2026-03-10 14:30:00", 4, "203.0.113.0", "", None, None, None, 0),
    # A reply listed (by id) before its parent, as a merged or imported Isso file has.
    (13, 1, 14, "2026-03-10 18:00:00", 1, "203.0.113.0",
     "Reply with the smaller id.", "Early", "early@example.org", None, 0),
    (14, 1, None, "2026-03-10 17:00:00", 1, "203.0.113.0",
     "Parent with the larger id.", "Later", "later@example.org", None, 0),
]
# fmt: on


def build(path: Path, threads=THREADS, comments=COMMENTS) -> Path:
    """Write an Isso database at `path` with Isso's schema and the given rows."""
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA.read_text())
        db.executemany("INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)", threads)
        db.executemany(
            "INSERT INTO comments (id, tid, parent, created, modified, mode, remote_addr, text,"
            " author, email, website, likes, dislikes, voters, notification)"
            " VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0)",
            [(*row[:3], epoch(row[3]), *row[4:], VOTERS) for row in comments],
        )
    db.close()
    return path


def add_raw(path: Path, sql: str, params=()) -> None:
    """Write a row the Python API would not let a test write (bytes that are not UTF-8)."""
    db = sqlite3.connect(path)
    with db:
        db.execute(sql, params)
    db.close()
