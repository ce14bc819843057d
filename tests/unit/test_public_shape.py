"""The fast public shape (threads.public_tree + orjson) equals the schema's dump.

`schemas.PublicCommentOut` documents the shape in /openapi.json; the read path builds
the same dicts without marshmallow. Generated threads hold them to each other.
"""

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commentsvc import avatars, threads
from commentsvc.schemas import PublicCommentOut, ThreadOut
from commentsvc.status import Status

SECRET = "test-secret"  # the app fixture's SECRET_KEY
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
comment_fields = st.fixed_dictionaries(
    {
        "status": st.sampled_from(list(Status)),
        "erased": st.booleans(),
        "name": texts,
        "email": st.emails(),
        "url": st.none() | st.just("https://example.org/a?b=c"),
        "html": texts,
        "staff": st.booleans(),
        "microseconds": st.integers(0, 999_999) | st.just(0),
        "parent": st.integers(0, 40),
    }
)


def stored(specs: list[dict]) -> tuple[list, list]:
    """Stand-ins for stored comments: the first few are roots, the rest reply to earlier ones."""
    made = []
    for number, spec in enumerate(specs, start=1):
        earlier = [c for c in made if c.depth < 8]
        parent = earlier[spec["parent"] % len(earlier)] if earlier and number > 3 else None
        made.append(
            SimpleNamespace(
                id=number,
                parent_id=parent.id if parent else None,
                depth=parent.depth + 1 if parent else 1,
                status=spec["status"],
                erased_at=START if spec["erased"] else None,
                author_name=spec["name"],
                author_email=spec["email"],
                author_url=spec["url"],
                html=spec["html"],
                is_staff=spec["staff"],
                created_at=START + timedelta(minutes=number, microseconds=spec["microseconds"]),
            )
        )
    return [c for c in made if c.parent_id is None], [c for c in made if c.parent_id]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(comment_fields, min_size=0, max_size=25), st.none() | st.integers(1, 6))
def test_fast_path_matches_the_schema_dump(app, specs, max_depth):
    roots, replies = stored(specs)
    nodes = threads.build(roots, replies, max_depth)

    avatar = lambda email: avatars.token(email, SECRET)  # noqa: E731
    fast = threads.public_tree(roots, replies, avatar, max_depth)
    assert fast == threads.public_comments(nodes, avatar)

    with app.app_context():
        documented = PublicCommentOut(many=True).dump(nodes)
        thread = {"article_id": "a", "title": None, "comments_open": True, "count": 1}
        full = ThreadOut().dump({**thread, "comments": nodes, "next_cursor": None})
    assert orjson.loads(orjson.dumps(fast)) == json.loads(json.dumps(documented))
    assert orjson.loads(orjson.dumps({**thread, "comments": fast, "next_cursor": None})) == (
        json.loads(json.dumps(full))
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(comment_fields)
def test_the_answer_to_a_submission_matches_the_schema_dump(app, spec):
    from commentsvc.api.public import _answer
    from commentsvc.schemas import HELD_MESSAGE, SubmitOut

    (comment,), _ = stored([spec])
    with app.test_request_context("/api/v1/articles/a/comments", method="POST"):
        body, status = _answer(comment)
        if comment.status is Status.approved:
            documented, expected_status = PublicCommentOut().dump(comment), 201
        else:
            held = {"id": 1, "status": "pending", "message": str(HELD_MESSAGE), "comment": comment}
            documented, expected_status = SubmitOut().dump(held), 202
    assert status == expected_status
    # Kept with an idempotency key as it is: plain JSON, nothing left for an encoder to do.
    assert json.loads(json.dumps(body)) == json.loads(json.dumps(documented))
