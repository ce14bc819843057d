"""The export: its format, the round trip through an empty database, and its API door."""

import orjson
from sqlalchemy import delete

from commentsvc.models import Article, Comment, ModerationEvent, Scope
from commentsvc.services import Actor, accounts, exporting, importing, moderation, staff
from commentsvc.transfer import jsonl, wordpress
from tests.helpers import api_error, published, submit

ARTICLE_KEYS = (
    "type",
    "article_id",
    "title",
    "url",
    "comments_open",
    "closes_at",
    "published_at",
    "created_at",
)
COMMENT_KEYS = (
    "type",
    "id",
    "article_id",
    "parent",
    "source",
    "source_id",
    "parent_source",
    "parent_source_id",
    "kind",
    "status",
    "author",
    "remote_addr",
    "user_agent",
    "is_staff",
    "body",
    "html",
    "sanitizer_version",
    "held_reasons",
    "created_at",
    "updated_at",
    "erased_at",
    "events",
)
EVENT_KEYS = (
    "action",
    "actor",
    "from_status",
    "to_status",
    "reason",
    "details",
    "batch_id",
    "created_at",
)


def site(db_session, client, auth, moderator, fixture_path):
    """An imported WordPress site, a native thread, decisions, a staff reply and an erasure."""
    importing.import_records(
        db_session, wordpress.parse(fixture_path("wordpress.xml")), source="wordpress"
    )
    first = published(client, auth, body="Native, approved.")
    reply = submit(client, parent_id=first, body="A native reply, held.").get_json()["id"]
    moderation.moderate(db_session, [reply], "spam", Actor(moderator_id=moderator.id), "junk")
    erased = published(client, auth, body="To be erased.")
    submit(client, parent_id=erased, body="Reply to the erased one.")
    moderation.erase_comment(db_session, erased, Actor(moderator_id=moderator.id))
    asha = db_session.query(Comment).filter_by(source="wordpress", source_id="101").one()
    staff.reply_as_moderator(db_session, asha.id, "Staff here.", moderator, max_depth=5)


def export(db_session) -> bytes:
    return b"".join(exporting.export_lines(db_session))


def empty(db_session):
    for model in (ModerationEvent, Comment, Article):
        db_session.execute(delete(model))
    db_session.commit()


def test_the_export_is_versioned_and_complete(db_session, client, auth, moderator, fixture_path):
    site(db_session, client, auth, moderator, fixture_path)

    lines = [orjson.loads(line) for line in export(db_session).splitlines()]

    assert lines[0] == {"format": "commentsvc", "version": 1}
    comments = {c["id"]: c for c in lines if c.get("type") == "comment"}
    # The format is documented field by field (README): a new field is added on purpose.
    assert {tuple(c) for c in comments.values()} == {COMMENT_KEYS}
    assert {tuple(e) for c in comments.values() for e in c["events"]} == {EVENT_KEYS}
    assert {tuple(a) for a in lines if a.get("type") == "article"} == {ARTICLE_KEYS}
    assert len(comments) == 16 + 4 + 1
    asha = comments["wordpress:101"]
    assert asha["author"] == {
        "name": "Asha",
        "email": "asha@example.org",
        "url": "https://asha.example",
    }
    assert asha["body"] == "First!\nA second line." and asha["html"].startswith("<p>")
    assert asha["events"][0]["reason"] == "imported from WordPress, comment 101"
    staff_reply = next(c for c in comments.values() if c["body"] == "Staff here.")
    assert staff_reply["parent"] == "wordpress:101" and staff_reply["is_staff"]
    assert staff_reply["source"] == "commentsvc"
    spam = next(c for c in comments.values() if c["body"] == "A native reply, held.")
    assert spam["status"] == "spam"
    assert [(e["action"], e["actor"], e["reason"]) for e in spam["events"]][-1] == (
        "spam",
        "moderator:mod@example.org",
        "junk",
    )
    erased = next(c for c in comments.values() if c["erased_at"])
    assert erased["body"] == "" and erased["author"]["email"] == ""


def test_export_import_export_is_byte_identical(
    db_session, client, auth, moderator, fixture_path, tmp_path
):
    site(db_session, client, auth, moderator, fixture_path)
    first = export(db_session)
    path = tmp_path / "site.jsonl"
    path.write_bytes(first)
    empty(db_session)

    summary = importing.import_records(
        db_session, jsonl.parse(str(path)), source="commentsvc", article_id_from="source-id"
    )

    assert summary.stored == 21 and not summary.skipped
    assert export(db_session) == first
    again = importing.import_records(
        db_session, jsonl.parse(str(path)), source="commentsvc", article_id_from="source-id"
    )
    assert again.stored == 0 and again.already_imported == 21
    assert export(db_session) == first


def test_an_export_of_one_article(db_session, client, auth, moderator, fixture_path):
    site(db_session, client, auth, moderator, fixture_path)

    lines = [
        orjson.loads(line) for line in exporting.export_lines(db_session, ["2020/05/hello-world"])
    ]

    assert {line.get("article_id") for line in lines[1:]} == {"2020/05/hello-world"}
    assert len(lines) == 1 + 1 + 16  # header, article, its 15 comments and the staff reply


def test_the_api_streams_the_export_to_moderate_keys(db_session, client, auth, fixture_path):
    importing.import_records(
        db_session, wordpress.parse(fixture_path("wordpress.xml")), source="wordpress"
    )

    response = client.get("/api/v1/export", headers=auth)

    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.is_streamed
    assert response.get_data() == export(db_session)
    one = client.get("/api/v1/export?article_id=p-2", headers=auth).get_data().splitlines()
    assert [orjson.loads(line).get("type") for line in one] == [None, "article", "comment"]


def test_the_export_needs_a_moderate_key(db_session, client, read_key):
    api_error(client.get("/api/v1/export"), 401, "unauthorized")
    response = client.get("/api/v1/export", headers={"Authorization": f"Bearer {read_key}"})
    api_error(response, 403, "forbidden")
    bad = client.get("/api/v1/export?article_id=no%20spaces", headers={"Authorization": "x"})
    assert bad.status_code == 401
    assert accounts.list_api_keys(db_session)[0].scope is Scope.read


def test_the_openapi_document_names_the_ndjson_export(client):
    spec = client.get("/openapi.json").get_json()

    ok = spec["paths"]["/api/v1/export"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["application/x-ndjson"]
