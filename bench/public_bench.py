"""Load test of the public disclosure pages against gunicorn on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_bench .venv/bin/python bench/public_bench.py

It reuses (or builds) the large synthetic year of bench/projects_bench.py (200 projects,
100,000 households), collects static files into a temporary folder, starts gunicorn with
production settings (DEBUG off) on 127.0.0.1, and drives three URLs with wrk (Debian's
package `wrk`) for a fixed time each: the public home page, one project's public page, and a
trivial Django view served by the same gunicorn in the same run. It prints requests per second
for each and their ratio to the trivial view. Target: the public pages reach at least half the
trivial view's rate (they are cached for anonymous visitors). Everything stays on 127.0.0.1,
and gunicorn is stopped at the end.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PORT = int(os.environ.get("BENCH_PORT", "8391"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = 16


def main() -> int:
    if not os.environ.get("DATABASE_URL"):
        print(__doc__)
        print("DATABASE_URL is not set: refusing to fill the development database.")
        return 2
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk")
        return 2

    import django

    django.setup()
    from django.core.management import call_command

    from bench.projects_bench import build_year, ensure_database

    ensure_database()
    call_command("migrate", verbosity=0)
    build_year()
    from projects.models import Project

    code = Project.objects.filter(code__startswith="BENCH-").order_by("code").first().code

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static_root,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(os.cpu_count() or 2),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        wait_for(f"{base}/bench/trivial/")
        urls = {
            "trivial view": "/bench/trivial/",
            "public home": "/public/",
            "project page": f"/public/projects/{code}/",
        }
        rates = {}
        for label, path in urls.items():
            urllib.request.urlopen(base + path).read()  # warm the cache
            rates[label] = requests_per_second(base + path)
        floor = rates["trivial view"]
        print(f"{'page':<14} {'req/s':>10} {'vs trivial':>11}")
        for label, rate in rates.items():
            print(f"{label:<14} {rate:>10.0f} {rate / floor:>10.0%}")
        worst = min(rate for label, rate in rates.items() if label != "trivial view")
        print(f"target: public pages at least 50% of the trivial view: {worst / floor:.0%}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
    return 0


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def requests_per_second(url: str) -> float:
    result = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", url],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if not match or "Non-2xx" in result.stdout:
        raise RuntimeError(result.stdout)
    return float(match.group(1))


if __name__ == "__main__":
    raise SystemExit(main())
