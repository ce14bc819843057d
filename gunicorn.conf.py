"""gunicorn settings; each can be changed with a COMMENTSVC_* variable."""

import glob
import os
import shutil
import tempfile

# Comma-separated: `make run` also listens on :8001, where the demo article page is
# another origin than the service, as a news site's page would be.
bind = os.environ.get("COMMENTSVC_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("COMMENTSVC_WORKERS", "2"))
threads = int(os.environ.get("COMMENTSVC_THREADS", "1"))
timeout = 30
# No access log: its lines carry raw paths and query strings (set-password tokens,
# authors' emails in the queue's filters). The app writes one line per request itself,
# naming the route's template instead (commentsvc/ops/requestlog.py).
accesslog = None
# gunicorn 25+ opens ~/.gunicorn/gunicorn.ctl; two masters on one machine would clash.
control_socket_disable = True
# The app answers a too-long address itself (COMMENTSVC_MAX_URL_LENGTH, 32 KiB), in JSON
# on the API as its document says; gunicorn's limit would answer first, in HTML. Its
# parser still stops a request line at 1 MiB.
limit_request_line = 0

# /metrics under several workers: each writes its counters to files here, and whichever
# worker answers a scrape merges them. Set before any worker imports prometheus_client.
_made_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _made_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="commentsvc-metrics-")


def on_starting(server):
    """Start from zero: files a previous run left would add its counts to ours."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for leftover in glob.glob(os.path.join(directory, "*.db")):  # only prometheus' own files
        os.remove(leftover)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics folder this config made (one given by the operator stays)."""
    if _made_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
