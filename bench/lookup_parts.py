"""Where the public look-up POST spends its CPU, taken apart in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_bench .venv/bin/python bench/lookup_parts.py

It needs the large synthetic year of bench/public_bench.py (run that first on the same
database). It calls the production WSGI handler directly (no gunicorn, no wrk), with the
production settings and bench_urls' trivial view, and times in rounds, each variant in turn:

- `trivial`: GET of the trivial view;
- `look-up`: the look-up POST as wrk sends it (a household that answers right);
- `no session write`: the same with the session store's save doing nothing;
- `stand-in view`: the same with a view that only puts the household in the session;
- `no health check`: the same without CONN_HEALTH_CHECKS (core.db.postgresql's check sends
  nothing while the connection is quiet, so this should cost what `look-up` does).

It prints each variant's median and minimum CPU per request (this process), then the CPU its
PostgreSQL backend spends per look-up, in all and per statement (read from /proc: the
database must run on this machine). The differences between the
variants are what each part costs; bench/README.md keeps the latest figures.
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(
    DJANGO_SETTINGS_MODULE="bench.bench_settings",
    DEBUG="false",
    SECRET_KEY="bench-" + "x" * 50,
    ALLOWED_HOSTS="127.0.0.1",
    SECURE_SSL_REDIRECT="false",
)
from bench.public_bench import CSRF_SECRET, lookup_form  # after the path and the settings

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "12"))
PER_ROUND = 300


def main() -> int:
    if not os.environ.get("DATABASE_URL"):
        print(__doc__)
        return 2
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    from django.db import connection
    from django.shortcuts import redirect

    import core.sessions
    import public.urls
    from projects.models import Household, Project
    from public import lookup

    project = Project.objects.filter(code__startswith="BENCH-").order_by("code").first()
    if project is None:
        print("No bench data here: run bench/public_bench.py on this database first.")
        return 2
    household = Household.objects.filter(project=project).order_by("code").first()
    body = lookup_form(household).encode()

    def call(path: str, post: bool) -> None:
        environ = {
            "REQUEST_METHOD": "POST" if post else "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body if post else b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        if post:
            environ.update(
                CONTENT_TYPE="application/x-www-form-urlencoded",
                CONTENT_LENGTH=str(len(body)),
                HTTP_COOKIE=f"csrftoken={CSRF_SECRET}",
            )
        answer = application(environ, lambda status, headers, exc_info=None: None)
        b"".join(answer)
        answer.close()

    save = core.sessions.SessionStore.save
    route = next(p for p in public.urls.urlpatterns if p.name == "lookup")
    view = route.callback

    def stand_in(request):
        request.session[lookup.SESSION_KEY] = household.pk
        return redirect("public:lookup_result")

    def use(variant: str) -> None:
        core.sessions.SessionStore.save = (
            (lambda self, must_create=False: None) if variant == "no session write" else save
        )
        route.callback = stand_in if variant == "stand-in view" else view
        checks = variant != "no health check"
        connection.settings_dict["CONN_HEALTH_CHECKS"] = checks
        connection.health_check_enabled = checks

    variants = ["trivial", "look-up", "no session write", "stand-in view", "no health check"]
    times = {variant: [] for variant in variants}
    for _round in range(ROUNDS + 1):
        for variant in variants:
            use(variant)
            path, post = (
                ("/bench/trivial/", False) if variant == "trivial" else ("/public/lookup/", True)
            )
            began = time.process_time()
            for _ in range(PER_ROUND):
                call(path, post)
            if _round:  # the first round warms up
                times[variant].append((time.process_time() - began) / PER_ROUND * 1000)
    use("look-up")
    print(f"CPU per request in this process, {ROUNDS} rounds of {PER_ROUND}:")
    for variant in variants:
        print(
            f"  {variant:<17} median {statistics.median(times[variant]):.3f} ms, "
            f"minimum {min(times[variant]):.3f} ms"
        )

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()

    def backend_ms(function, count: int = 2000) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        before = _backend_ticks(pid)
        for _ in range(count):
            function()
        return (_backend_ticks(pid) - before) / ticks / count * 1000

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    def new_session():
        store = core.sessions.SessionStore()
        store[lookup.SESSION_KEY] = household.pk
        store.set_expiry(lookup.IDLE_SECONDS)
        store.create()

    print("CPU of the PostgreSQL backend:")
    print(f"  a whole look-up        {backend_ms(lambda: call('/public/lookup/', True)):.3f} ms")
    print(f"  a SELECT 1             {backend_ms(select_one):.3f} ms (Django's own health check)")
    household_ms = backend_ms(
        lambda: lookup._households_in_public_project(project.pk, household.code)
    )
    print(f"  the household          {household_ms:.3f} ms")
    print(f"  the session row        {backend_ms(new_session):.3f} ms")
    return 0


def _backend_ticks(pid: int) -> int:
    """User and system clock ticks of process `pid` (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


if __name__ == "__main__":
    raise SystemExit(main())
