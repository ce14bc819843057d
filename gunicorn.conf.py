"""gunicorn settings; each can be changed with a COMMENTSVC_* variable."""

import os

bind = os.environ.get("COMMENTSVC_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("COMMENTSVC_WORKERS", "2"))
threads = int(os.environ.get("COMMENTSVC_THREADS", "1"))
timeout = 30
accesslog = "-"
# gunicorn 25+ opens ~/.gunicorn/gunicorn.ctl; two masters on one machine would clash.
control_socket_disable = True
