"""The service's Prometheus metrics, counted where things happen.

Plain prometheus_client objects, no Flask: services import this to count what only they
know. Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set in gunicorn.conf.py before any
worker imports this) makes each worker write its values to files the scrape merges.
"""

import functools

from prometheus_client import Counter, Histogram

requests = Counter(
    "commentsvc_http_requests_total",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
latency = Histogram(
    "commentsvc_http_request_duration_seconds",
    "Time to answer a request, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
submissions = Counter(
    "commentsvc_submissions_total",
    "Comments submitted, by the policy's verdict and each rule that fired ('none': no rule).",
    ["verdict", "rule"],
)
cache = Counter(
    "commentsvc_cache_requests_total",
    "Thread cache look-ups, by result (hit or miss).",
    ["result"],
)
database_errors = Counter(
    "commentsvc_database_errors_total",
    "Database errors, by kind ('unavailable': unreachable or locked; 'other').",
    ["kind"],
)
redis_errors = Counter(
    "commentsvc_redis_errors_total",
    "Redis commands that failed, by what asked (cache_get, cache_put, limiter, readyz).",
    ["operation"],
)
limiter_fallbacks = Counter(
    "commentsvc_limiter_fallbacks_total",
    "Times the rate limiter lost its Redis storage and fell back to this process's memory.",
)


def submission(verdict: str, rules) -> None:
    """Count one submission under its verdict, once per rule that fired."""
    for rule in rules or ("none",):
        _submissions(verdict, rule).inc()


# Each labelled series, looked up once: the label lookup costs as much as counting.
@functools.lru_cache(maxsize=256)
def _submissions(verdict: str, rule: str):
    return submissions.labels(verdict=verdict, rule=rule)
