"""Two web nodes, one Redis, one PostgreSQL: a lockout reached through one holds on the other.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_nodes \\
    CACHE_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/two_nodes.py

It migrates the database named by DATABASE_URL (a database of its own), registers one invented
petition case, and starts two gunicorn processes on different loopback ports, both with
CACHE_URL (Redis, required) and DATABASE_URL, and PROXY_COUNT=1 so that X-Forwarded-For gives
each request its client address. It then fails the public case look-up through node A from one
address until the lockout (PETITION_LOOKUP_MAX_FAILURES), and asks through node B: the same
case from a fresh address, another case from the locked address, and a control (fresh case,
fresh address). It prints what each node answered and the time each answer took, and exits 1
if node B did not enforce the lockout node A reached. The look-up keys it used are removed
from Redis at the start; the nodes are stopped at the end.
"""

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    if not os.environ.get("DATABASE_URL") or not os.environ.get("CACHE_URL", "").startswith(
        "redis"
    ):
        print(__doc__)
        print("Set DATABASE_URL (a database of its own) and CACHE_URL (redis://…).")
        return 2
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command

    from tests.factories import DistrictFactory, staff
    from tests.nodes import gunicorn_nodes, post_form
    from tests.petitions.factories import register

    call_command("migrate", verbosity=0)
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter(match="*lockout:*"):
        client.delete(key)
    clerk = staff(username=f"bench-{time.time_ns()}", name="测试员")
    district = DistrictFactory()
    case, other, third = (
        register(by=clerk, district=district, received_on=date(2022, 3, day)) for day in (1, 2, 3)
    )
    limit = settings.PETITION_LOOKUP_MAX_FAILURES
    env = {
        "CACHE_URL": os.environ["CACHE_URL"],
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "true",  # plain-HTTP cookies, static files without collectstatic
        "PROXY_COUNT": "1",
    }

    def ask(node, registration, code, address):
        started = time.perf_counter()
        response = post_form(
            f"{node}/petitions/lookup/",
            {"reference": registration.petition.reference, "code": code},
            client_address=address,
        )
        return response.status_code, (time.perf_counter() - started) * 1000

    with tempfile.TemporaryDirectory() as logs, gunicorn_nodes(2, env, Path(logs)) as nodes:
        first, second = nodes
        print(f"node A {first}, node B {second}; lockout after {limit} failures")
        for attempt in range(1, limit + 1):
            status, ms = ask(first, case, "00000-00000", "198.51.100.1")
            reference = case.petition.reference
            print(f"  A: wrong code #{attempt} for {reference}: HTTP {status} ({ms:.0f} ms)")
        checks = [
            (
                "B: same case, fresh address, right code",
                ask(second, case, case.code, "198.51.100.2"),
                429,
            ),
            (
                "B: locked address, other case, right code",
                ask(second, other, other.code, "198.51.100.1"),
                429,
            ),
            (
                "B: fresh case, fresh address (control)",
                ask(second, third, third.code, "198.51.100.3"),
                200,
            ),
        ]
        failed = 0
        for label, (status, ms), expected in checks:
            verdict = "ok" if status == expected else f"WRONG (expected {expected})"
            failed += status != expected
            print(f"  {label}: HTTP {status} ({ms:.0f} ms) {verdict}")
    print("shared lockout: " + ("enforced across nodes" if not failed else "NOT shared"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
