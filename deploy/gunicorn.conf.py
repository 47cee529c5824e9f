"""Gunicorn settings, from the environment (docker-compose.yml's web service; `gunicorn -c deploy/gunicorn.conf.py`).

    GUNICORN_BIND      address to listen on                      0.0.0.0:8000
    WEB_CONCURRENCY    worker processes                          3
    GUNICORN_THREADS   threads per worker (gthread)              4
    GUNICORN_TIMEOUT   seconds a request may take                60
    GUNICORN_MAX_REQUESTS  restart a worker after this many      1000 (0: never)

The gthread worker keeps idle keep-alive connections off the request threads, and since
deploy/nginx buffers every request body to disk before passing it on, an upload reaches the
application at local-network speed: a slow client holds an nginx connection, never a worker.
Access lines are JSON without the query string (it may hold a search for a name).
"""

import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 75  # longer than nginx's upstream keepalive idle time, so nginx closes first
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# Only the proxy reaches the web service; it sets X-Forwarded-Proto/-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's heartbeat files, off the container's overlay disk
if Path(_SHM).is_dir():
    worker_tmp_dir = _SHM

accesslog = "-"
access_log_format = (
    '{"time":"%(t)s","request_id":"%({x-request-id}i)s","method":"%(m)s","path":"%(U)s",'
    '"status":%(s)s,"bytes":"%(B)s","duration_ms":%(M)s}'
)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
