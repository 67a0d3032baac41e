"""gunicorn's settings for a web node: the image's command (Dockerfile, docker-compose.yml)
and bench/public_bench.py, which measures the pages as a node serves them.

Sync workers, WEB_CONCURRENCY of them, or by default 2 × the CPUs + 1, gunicorn's documented
starting point: while one worker waits for PostgreSQL or Redis another has the CPU, so a
request that waits on a round trip (the public look-up's session row) does not leave a core
idle. A node beside another on one host (web1 and web2 in docker-compose.yml) may want fewer:
set WEB_CONCURRENCY in `.env`.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "" for none
