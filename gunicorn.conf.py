"""gunicorn's settings for the ledger: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Each value can be changed by the environment named beside it (docs/operations.md).
"""

import multiprocessing
import os

# Behind a reverse proxy on the same host; LEDGER_PROXY_HOPS tells the app to trust its headers.
bind = os.environ.get("LEDGER_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")

# Pages spend most of their time in the database: two workers a core keep the cores busy,
# and each worker's threads overlap waits. Memory is about 150 MiB a worker.
workers = int(os.environ.get("LEDGER_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("LEDGER_THREADS", "4"))
worker_class = "gthread"

# An import of a 50 MB file or the year's allocation report can take most of a minute.
timeout = int(os.environ.get("LEDGER_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

# A worker is replaced after this many requests (with jitter, so not all at once), which
# bounds the memory a long-lived worker can collect.
max_requests = 2000
max_requests_jitter = 200

# The app logs every request itself, with its duration and user (ledger.web.request_log);
# gunicorn's access log would repeat it. Errors go to stdout with the app's lines.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LEDGER_LOG_LEVEL", "info").lower()

# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - a tmpfs, not a shared temp file

# Load the app once in the master: a configuration error stops the start with one line
# (wsgi.py), and workers share the loaded code.
preload_app = True
