"""The CPU a cache miss costs for the 200-comment thread, measured inside this process.

With the thread cache sized 0 every read builds the page: the service call alone
(`reading.thread_for`) and the whole request as a server hands it to the app (the public
reads' lane, headers, the request log).
"""

import os
import statistics
import tempfile
import time

import seed
from werkzeug.test import EnvironBuilder

TARGET_MS = 3.0
SAMPLES = 300


def measure(url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="commentsvc-bench-miss-") as tmp:
        os.environ["COMMENTSVC_INSTANCE_PATH"] = tmp
        import flask_migrate

        from commentsvc import cache, create_app
        from commentsvc.extensions import db
        from commentsvc.models import Scope
        from commentsvc.services import accounts, reading

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench-secret",
                "REDIS_URL": None,
                "THREAD_CACHE_BYTES": 0,
                "SUBMIT_RATE_LIMIT": "100000000 per minute",
                "FLOOD_SECONDS": 0,
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            _, key = accounts.create_api_key(db.session, "bench", Scope.moderate)
            client = app.test_client()
            _seed(client, key)
            thread = f"/api/v1/articles/{seed.ARTICLE}/comments?limit=200"
            assert client.get(thread).get_json()["count"] == 200
            service, request = [], []
            for _ in range(SAMPLES):
                started = time.process_time_ns()
                with db.engine.connect() as conn:
                    reading.thread_for(
                        conn,
                        cache.LocalCache(0),
                        seed.ARTICLE,
                        reading.Page("oldest", 200, None),
                        auto_create=True,
                        secret="bench-secret",
                    )
                service.append((time.process_time_ns() - started) / 1e6)
            # The whole request as a server hands it to the app (lane, headers, request
            # log): the WSGI call, without the test client's own request and response work.
            environ = EnvironBuilder(path=thread, headers={"Accept-Encoding": "gzip"})
            environ = environ.get_environ()
            for _ in range(SAMPLES):
                started = time.process_time_ns()
                answered = b"".join(app(dict(environ), _start_response))
                request.append((time.process_time_ns() - started) / 1e6)
            assert answered and _start_response.status == "200 OK"
            db.engine.dispose()
    request_ms = statistics.median(request)
    return {
        "service_ms_median": round(statistics.median(service), 3),
        "request_ms_median": round(request_ms, 3),
        "target_ms": TARGET_MS,
        "met": request_ms < TARGET_MS,
    }


def _start_response(status, headers, exc_info=None):
    _start_response.status = status


def _seed(client, key: str) -> None:
    auth = {"Authorization": f"Bearer {key}"}

    def submit(n, parent=None):
        body = {"name": f"Reader {n}", "email": f"r{n}@example.org", "body": seed.BODY.format(n=n)}
        if parent:
            body["parent_id"] = parent
        response = client.post(f"/api/v1/articles/{seed.ARTICLE}/comments", json=body)
        return response.get_json()["id"]

    def approve(ids):
        response = client.post(
            "/api/v1/moderation/bulk", json={"ids": ids, "action": "approve"}, headers=auth
        )
        assert response.status_code == 200, response.get_data()

    tops = [submit(n) for n in range(seed.TOP_LEVEL)]
    approve(tops)
    approve([submit(1000 + n, tops[n % 40]) for n in range(seed.REPLIES)])
