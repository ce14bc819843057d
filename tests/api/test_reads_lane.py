"""The public reads' WSGI lane answers exactly as the Flask views it stands in front of.

Each generated request (query parameters right and wrong, encodings, conditions, origins,
request ids) goes to the lane and, separately, straight to Flask: status, body and
headers must agree (the form token and a generated request id are per request, so
only their presence is compared). Ordinary reads must not reach Flask at all, or the
lane would be a detour that only looks fast.
"""

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from commentsvc.api.reads import PublicReads
from tests.helpers import published

ARTICLE = "lane/article-1"
PER_REQUEST = {"Comment-Form-Token", "X-Request-Id"}


class Spy:
    """Flask's own WSGI app, counting the requests the lane passed on."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.wrapped(environ, start_response)


@pytest.fixture
def thread(client, auth):
    """An article with top-level comments and replies, and the first page's cursor."""
    top = [published(client, auth, ARTICLE, body=f"Top {n}") for n in range(4)]
    published(client, auth, ARTICLE, body="A reply", parent_id=top[0])
    published(client, auth, "lane/other", body="Elsewhere")
    page = client.get(f"/api/v1/articles/{ARTICLE}/comments?limit=2").get_json()
    return {"cursor": page["next_cursor"]}


@pytest.fixture
def lanes(app):
    flask_app = app.wsgi_app.wrapped
    spy = Spy(flask_app)
    return PublicReads(app, spy), flask_app, spy


def run(wsgi, environ):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = headers

    body = b"".join(wsgi(dict(environ), start_response))
    return answer["status"], answer["headers"], body


def compare(lanes, path, query, headers):
    lane, flask_app, _spy = lanes
    environ = EnvironBuilder(path=path, query_string=query, headers=headers).get_environ()
    status, lane_headers, lane_body = run(lane, environ)
    flask_status, flask_headers, flask_body = run(flask_app, environ)
    assert status == flask_status, (query, headers)
    # An error names its request's id, which is new for each request not giving one.
    assert _unnamed(lane_body, lane_headers) == _unnamed(flask_body, flask_headers)
    assert _comparable(lane_headers) == _comparable(flask_headers)
    assert {k for k, _ in lane_headers} >= {k for k, _ in flask_headers if k in PER_REQUEST}
    given = headers.get("X-Request-Id")
    if given in ("req-123.abc:9",):  # a plain id is echoed by both
        assert dict(lane_headers)["X-Request-Id"] == dict(flask_headers)["X-Request-Id"] == given
    if status == 200 and ("Content-Encoding", "gzip") in lane_headers:
        assert gzip.decompress(lane_body).startswith(b"{")
    return status, lane_headers


def _unnamed(body: bytes, headers) -> bytes:
    return body.replace(dict(headers)["X-Request-Id"].encode(), b"<request id>")


def _comparable(headers):
    return sorted((k, v) for k, v in headers if k not in PER_REQUEST)


VALUES = {
    "order": ["oldest", "newest", "", "Newest", "random", "oldest%00"],
    "limit": ["1", "2", "50", "200", "201", "0", "050", "-1", "abc", "+5", " 5", "1e2"],
    "_": ["1732", "", "a b", "x%0Ay", "caf%C3%A9", "1.2-3_~"],
    "cursor": ["CURSOR", "", "garbage", "bm90IGEgY3Vyc29y", "!!"],
    "other": ["1"],
}
REQUEST_IDS = [None, "req-123.abc:9", "bad id with spaces", "x" * 200]


def query_strings(names):
    pair = st.sampled_from(names).flatmap(
        lambda name: st.sampled_from(VALUES[name]).map(lambda value: f"{name}={value}")
    )
    return st.lists(pair, max_size=4).map("&".join)


def request_headers(etag_choices):
    return st.fixed_dictionaries(
        {},
        optional={
            "Accept-Encoding": st.sampled_from(
                ["gzip", "gzip, deflate, br", "identity", "gzip;q=0", "*", "br", "GZIP"]
            ),
            "If-None-Match": st.sampled_from(etag_choices),
            "Origin": st.sampled_from(["https://news.example", "https://evil.example", "null"]),
            "X-Request-Id": st.sampled_from([r for r in REQUEST_IDS if r]),
            "If-Modified-Since": st.just("Wed, 21 Oct 2015 07:28:00 GMT"),
        },
    )


def _etags(client, path):
    plain = client.get(path).headers["ETag"]
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    return [plain, zipped, f'{plain}, W/"nope"', "*", '"nope"', "garbage"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_thread_answers_match_flask(client, thread, lanes, data):
    article = data.draw(st.sampled_from([ARTICLE, "lane/unknown", "lane/../x", "lane/comments"]))
    path = f"/api/v1/articles/{article}/comments"
    query = data.draw(query_strings(list(VALUES))).replace("CURSOR", thread["cursor"])
    etags = _etags(client, f"/api/v1/articles/{ARTICLE}/comments?limit=2")
    headers = data.draw(request_headers(etags))
    compare(lanes, path, query, headers)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_counts_answers_match_flask(client, thread, lanes, data):
    ids = data.draw(
        st.lists(
            st.sampled_from([ARTICLE, "lane/other", "lane/none", "bad id", "a" * 201, "x/..", ""]),
            max_size=6,
        )
    )
    many = data.draw(st.sampled_from([0, 0, 0, 100, 101]))
    names = [*ids, *(f"many-{n}" for n in range(many))]
    query = "&".join(f"article_id={name}" for name in names)
    extra = data.draw(query_strings(["_", "other"]))
    query = "&".join(part for part in (query, extra) if part)
    counts_path = "/api/v1/counts"
    good = client.get(f"{counts_path}?article_id={ARTICLE}&article_id=lane/other")
    headers = data.draw(request_headers([good.headers["ETag"], "*", '"nope"']))
    compare(lanes, counts_path, query, headers)


def test_ordinary_reads_never_reach_flask(client, thread, lanes):
    lane, _flask_app, spy = lanes
    widget = {"Accept-Encoding": "gzip, deflate, br", "Origin": "https://news.example"}
    path = f"/api/v1/articles/{ARTICLE}/comments"
    status, headers = compare(lanes, path, "limit=50&_=1732", widget)
    assert status == 200
    etag = dict(headers)["ETag"]
    assert compare(lanes, path, "limit=50", {**widget, "If-None-Match": etag})[0] == 304
    assert compare(lanes, path, f"cursor={thread['cursor']}&order=newest&limit=2", {})[0] == 200
    counts = f"article_id={ARTICLE}&article_id=lane/other&article_id=lane/none"
    assert compare(lanes, "/api/v1/counts", counts, widget)[0] == 200
    calls_for_ordinary = spy.calls
    # What only Flask answers: a refusal, a keyed read, HEAD.
    compare(lanes, path, "limit=0", {})
    environ = EnvironBuilder(path=path, method="HEAD").get_environ()
    assert run(lane, environ)[0] == 200
    assert calls_for_ordinary == 0
    assert spy.calls == 2


def test_a_generated_request_id_is_new_each_time(client, thread, lanes):
    lane = lanes[0]
    environ = EnvironBuilder(path=f"/api/v1/articles/{ARTICLE}/comments").get_environ()
    first, second = (dict(run(lane, environ)[1])["X-Request-Id"] for _ in range(2))
    assert first != second and len(first) == 32
    given = EnvironBuilder(
        path=f"/api/v1/articles/{ARTICLE}/comments", headers={"X-Request-Id": "trace-1"}
    ).get_environ()
    assert dict(run(lane, given)[1])["X-Request-Id"] == "trace-1"
