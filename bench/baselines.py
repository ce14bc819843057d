"""The two baselines every case is measured beside, served by gunicorn like commentsvc.

`hello`: plain Flask answering {"ok": true}. `rows`: plain Flask answering, with
`jsonify`, the same 200 comments the thread case reads, loaded from BENCH_ROWS_FILE once
at start-up: what any Flask view pays to send those rows, with no database at all.
"""

import json
import os

from flask import Flask, jsonify

hello = Flask("hello")
rows = Flask("rows")
_ROWS: list = []
if os.environ.get("BENCH_ROWS_FILE"):
    with open(os.environ["BENCH_ROWS_FILE"], encoding="utf-8") as f:
        _ROWS = json.load(f)


@hello.get("/")
@hello.get("/healthz")
def ok():
    return {"ok": True}


@rows.get("/")
def all_rows():
    return jsonify(_ROWS)


@rows.get("/healthz")
def rows_ok():
    return {"ok": True}
