"""Separate server processes of this project on one machine, as on several machines: gunicorn
web nodes on loopback ports and Celery workers, sharing one PostgreSQL database and one Redis,
for the tests (and bench/two_nodes.py, bench/worker_recovery.py) of shared state and faults."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn_nodes(count: int, env: dict[str, str], log_dir: Path):
    """Start `count` gunicorn processes (one worker each) with `env` on top of this process's
    environment; yield their base URLs once each answers /healthz; stop them afterwards."""
    nodes = []
    try:
        for number in range(count):
            port = free_port()
            log = open(log_dir / f"node{number}.log", "wb")  # noqa: SIM115 (the node writes it)
            command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
            command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"]
            process = subprocess.Popen(  # noqa: S603 (our own fixed command line)
                command,
                cwd=BASE_DIR,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            nodes.append((process, f"http://127.0.0.1:{port}"))
        for process, url in nodes:
            wait_until_answering(
                process, f"{url}/healthz", healthy=lambda response: response.status_code == 200
            )
        yield [url for _process, url in nodes]
    finally:
        for process, _url in nodes:
            process.send_signal(signal.SIGTERM)
        for process, _url in nodes:
            process.wait(timeout=30)


def wait_until_answering(process: subprocess.Popen, url: str, *, healthy=None) -> None:
    """Poll `url` until the server answers (and `healthy(response)` holds, when given). No
    clock: however slow the machine, the wait ends when the server answers, or fails when its
    process exits (a server that cannot start)."""
    while True:
        assert process.poll() is None, f"the server at {url} exited before it answered"
        try:
            # A first request may wait for a worker to load Django: a generous network timeout.
            response = requests.get(url, timeout=60)
        except requests.ConnectionError:
            time.sleep(0.2)
            continue
        if healthy is None or healthy(response):
            return
        time.sleep(0.2)


def post_form(url: str, data: dict[str, str], *, client_address: str) -> requests.Response:
    """GET the form at `url`, then POST `data` with its CSRF token, as a browser at
    `client_address` behind one proxy (X-Forwarded-For) would."""
    headers = {"X-Forwarded-For": client_address}
    with requests.Session() as session:
        page = session.get(url, headers=headers, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return session.post(
            url, data={**data, "csrfmiddlewaretoken": token}, headers=headers, timeout=30
        )


def start_celery_worker(
    name: str, env: dict[str, str], log_dir: Path, *, pool: str = "solo"
) -> subprocess.Popen:
    """A `celery worker` process (one task at a time) with `env` on top of this environment;
    its output goes to log_dir/<name>.log. The caller stops (or kills) it."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool]
    command += ["--concurrency", "1", "--hostname", f"{name}@%h", "--without-gossip"]
    command += ["--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]
    log = open(log_dir / f"{name}.log", "wb")  # noqa: SIM115 (the worker process writes it)
    return subprocess.Popen(  # noqa: S603 (our own fixed command line)
        command, cwd=BASE_DIR, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
