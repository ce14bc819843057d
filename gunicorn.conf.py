"""gunicorn settings; each can be changed with a COMMENTSVC_* variable."""

import os

# Comma-separated: `make run` also listens on :8001, where the demo article page is
# another origin than the service, as a news site's page would be.
bind = os.environ.get("COMMENTSVC_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("COMMENTSVC_WORKERS", "2"))
threads = int(os.environ.get("COMMENTSVC_THREADS", "1"))
timeout = 30
accesslog = "-"
# gunicorn 25+ opens ~/.gunicorn/gunicorn.ctl; two masters on one machine would clash.
control_socket_disable = True
# The app answers a too-long address itself (COMMENTSVC_MAX_URL_LENGTH, 32 KiB), in JSON
# on the API as its document says; gunicorn's limit would answer first, in HTML. Its
# parser still stops a request line at 1 MiB.
limit_request_line = 0
