"""0003_policy: held reasons become structured, and back; nothing else is lost either way."""

import json

import flask_migrate
from sqlalchemy import text

from commentsvc import create_app
from commentsvc.extensions import db
from tests.databases import fresh_database

OLD = [
    "Every comment is held for review (moderation: all).",
    "Contains 3 links (more than 2).",
    "Something a moderator once wrote",
]


def test_reasons_are_converted_up_and_down_and_no_row_is_lost(
    request, tmp_path_factory, monkeypatch, tmp_path
):
    monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    with fresh_database(request.config, tmp_path_factory, "policymig") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x"})
        with app.app_context():
            try:
                flask_migrate.upgrade(revision="0002_review")
                with db.engine.begin() as connection:
                    connection.execute(
                        text(
                            "INSERT INTO articles (article_id, comments_open, version, created_at)"
                            " VALUES ('a', true, 1, '2026-01-01 00:00:00+00')"
                        )
                    )
                    for n, created in enumerate(["2026-01-03", "2026-01-02"]):
                        connection.execute(
                            text(
                                "INSERT INTO comments (article_pk, depth, author_name, "
                                "author_email, body, html, sanitizer_version, status, "
                                "held_reasons, created_at, updated_at, is_staff) VALUES "
                                "(1, 1, 'n', 'e@x.example', :body, '', 1, 'pending', :reasons,"
                                " :created, :created, false)"
                            ),
                            {
                                "body": f"b{n}",
                                "reasons": json.dumps(OLD if n == 0 else []),
                                "created": f"{created} 10:00:00+00",
                            },
                        )

                flask_migrate.upgrade()
                with db.engine.connect() as connection:
                    reasons = (
                        connection.execute(text("SELECT held_reasons FROM comments ORDER BY id"))
                        .scalars()
                        .all()
                    )
                    first = connection.execute(
                        text("SELECT first_comment_at FROM articles")
                    ).scalar()
                converted = [json.loads(r) if isinstance(r, str) else r for r in reasons]
                assert converted[0] == [
                    {
                        "rule": "moderation_mode",
                        "message": OLD[0],
                        "details": {"mode": "all", "outcome": "hold"},
                    },
                    {
                        "rule": "links",
                        "message": OLD[1],
                        "details": {"links": 3, "max_links": 2, "outcome": "hold"},
                    },
                    {"rule": "legacy", "message": OLD[2], "details": {}},
                ]
                assert converted[1] == []
                assert str(first).startswith("2026-01-02 10:00:00")

                flask_migrate.downgrade(revision="0002_review")
                with db.engine.connect() as connection:
                    back = (
                        connection.execute(text("SELECT held_reasons FROM comments ORDER BY id"))
                        .scalars()
                        .all()
                    )
                assert [json.loads(r) if isinstance(r, str) else r for r in back] == [OLD, []]
            finally:
                db.engine.dispose()
