"""Load test of the public disclosure pages against gunicorn on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_bench .venv/bin/python bench/public_bench.py

It reuses (or builds) the large synthetic year of bench/projects_bench.py (200 projects,
100,000 households), collects static files into a temporary folder, starts gunicorn with
production settings (DEBUG off) on 127.0.0.1, and drives four URLs with wrk (Debian's
package `wrk`) for a fixed time each: the public home page, one project's public page, a
household's own look-up (a POST of 户号 and ID tail that succeeds and is redirected to the
result: it checks the household and writes the look-up's session row), and a trivial Django
view served by the same gunicorn in the same run, measured before and after the pages. It prints
requests per second for each and their ratio to the trivial view (the mean of its two runs),
with the goal beside it. Goals: the look-up POST at least 0.3× the trivial view (issue 16); the
public pages, cached for anonymous visitors, at least 0.5×. Everything stays on 127.0.0.1, and
gunicorn is stopped at the end.
"""

import json
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
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PORT = int(os.environ.get("BENCH_PORT", "8391"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = 16
# The CSRF secret the look-up POST sends as cookie and field (Django accepts the unmasked
# 32-character secret in the field).
CSRF_SECRET = "bench" + "0" * 27


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

    from bench.database import ensure_database
    from bench.projects_bench import build_year

    ensure_database()
    call_command("migrate", verbosity=0)
    build_year()
    from projects.models import Household, Project

    code = Project.objects.filter(code__startswith="BENCH-").order_by("code").first().code
    household = Household.objects.filter(project__code=code).order_by("code").first()
    lookup_body = lookup_form(household)

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
        pages = [
            ("public home", "/public/", None, 0.5),
            ("project page", f"/public/projects/{code}/", None, 0.5),
            ("look-up POST", "/public/lookup/", lookup_body, 0.3),
        ]
        # Every worker imports its templates and writes its compiled SQL on first use: a
        # short run of each URL first, not measured.
        for path, body in [("/bench/trivial/", None), *((p, b) for _, p, b, _ in pages)]:
            requests_per_second(base + path, body, seconds=2)
        trivial = [requests_per_second(f"{base}/bench/trivial/")]
        rates = {}
        for label, path, body, _goal in pages:
            if body is None:
                urllib.request.urlopen(base + path).read()  # warm the cache
            rates[label] = requests_per_second(base + path, body)
        trivial.append(requests_per_second(f"{base}/bench/trivial/"))
        floor = sum(trivial) / 2
        print(
            f"wrk, {SECONDS} s each, {CONNECTIONS} connections; trivial view "
            f"{trivial[0]:.0f} and {trivial[1]:.0f} req/s (before and after the pages)"
        )
        print(f"  {'page':<14} {'req/s':>8} {'ratio':>7}  goal")
        print(f"  {'trivial view':<14} {floor:>8.0f} {1:>6.2f}×")
        for label, _path, _body, goal in pages:
            ratio = rates[label] / floor
            verdict = "ok" if ratio >= goal else "UNDER GOAL"
            print(f"  {label:<14} {rates[label]:>8.0f} {ratio:>6.2f}×  ≥ {goal}×  {verdict}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
    return 0


def lookup_form(household) -> str:
    """The look-up POST's body for `household` that succeeds (its 户号 and ID tail), with the
    CSRF secret the request's cookie carries (bench/lookup_parts.py sends it too)."""
    return urlencode(
        {
            "csrfmiddlewaretoken": CSRF_SECRET,
            "project": household.project_id,
            "code": household.code,
            "id_tail": household.id_number[-6:],
        }
    )


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def requests_per_second(url: str, body: str | None = None, seconds: int = SECONDS) -> float:
    """wrk's rate for GET `url`, or for POST `body` (a form, with the CSRF cookie) to it, over
    `seconds`. Redirects count as answers; any 4xx or 5xx ends the run."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if body is not None:
            script.write(
                'wrk.method = "POST"\n'
                f"wrk.body = {json.dumps(body)}\n"
                'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                f'wrk.headers["Cookie"] = "csrftoken={CSRF_SECRET}"\n'
            )
            script.flush()
            command[1:1] = ["-s", script.name]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if not match or "Non-2xx" in result.stdout:
        raise RuntimeError(result.stdout)
    return float(match.group(1))


if __name__ == "__main__":
    raise SystemExit(main())
