"""How long a report build takes to finish after its worker is killed mid-build.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exp_demo \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/worker_recovery.py

DATABASE_URL must name a database of its own with the demo loaded (manage.py load_demo); the
broker is Redis. Files go to a temporary MEDIA_ROOT. Two faults, each on a fresh report run of
the demo year 2022, with the production settings unless the environment overrides them
(JOBS_VISIBILITY_TIMEOUT_SECONDS, …):

1. The whole worker dies (SIGKILL of a solo-pool worker, as when its machine stops): a second
   worker is started at once; the job is redelivered when its visibility timeout has passed
   and the second worker's sweep (every 10 s) finds it.
2. A pool process dies (SIGKILL of the prefork child running the job; its parent lives):
   the parent rejects the job back to the queue (task_reject_on_worker_lost) and runs it again.

For each it prints the progress at the kill, the seconds from the kill to the finished run,
and how many runs finished (always 1). The workers are stopped at the end.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    if not os.environ.get("DATABASE_URL") or not os.environ.get("CELERY_BROKER_URL", "").startswith(
        "redis"
    ):
        print(__doc__)
        print("Set DATABASE_URL (the demo's own database) and CELERY_BROKER_URL (redis://…).")
        return 2
    media = tempfile.mkdtemp(prefix="recovery-media-")
    os.environ["MEDIA_ROOT"] = media
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from budget import services
    from budget.models import AnnualReport, BudgetYear
    from tests.nodes import start_celery_worker

    call_command("migrate", verbosity=0)
    budget_year = BudgetYear.objects.get(year=2022)
    env = {"MEDIA_ROOT": media}
    print(
        f"visibility timeout {settings.JOBS_VISIBILITY_TIMEOUT_SECONDS} s, time limits "
        f"{settings.JOBS_SOFT_TIME_LIMIT_SECONDS}/{settings.JOBS_TIME_LIMIT_SECONDS} s, "
        f"stalled after {settings.JOBS_STALLED_MINUTES} min"
    )

    def wait(condition, limit=900):
        deadline = time.monotonic() + limit
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit("gave up waiting")
            time.sleep(0.1)

    def run_of(pk):
        return AnnualReport.objects.get(pk=pk)

    logs = Path(tempfile.mkdtemp(prefix="recovery-logs-"))
    workers = []
    try:
        # 1. The whole worker dies.
        first = start_celery_worker("solo-a", env, logs)
        workers.append(first)
        run = services.request_report(budget_year=budget_year, by=None)
        wait(lambda: run_of(run.pk).progress >= 20)
        progress = run_of(run.pk).progress
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait()
        workers.append(start_celery_worker("solo-b", env, logs))
        wait(lambda: run_of(run.pk).status == AnnualReport.Status.DONE)
        seconds = time.monotonic() - killed_at
        print(f"worker killed at {progress}%: run {run.pk} finished {seconds:.1f} s after the kill")

        # 2. A pool process dies; its parent stays.
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
        parent = start_celery_worker("prefork", env, logs, pool="prefork")
        workers.append(parent)
        run = services.request_report(budget_year=budget_year, by=None)
        wait(lambda: run_of(run.pk).progress >= 20)
        progress = run_of(run.pk).progress
        children = subprocess.run(
            ["/usr/bin/pgrep", "-P", str(parent.pid)], capture_output=True, text=True
        ).stdout.split()
        os.kill(int(children[0]), signal.SIGKILL)
        killed_at = time.monotonic()
        wait(lambda: run_of(run.pk).status == AnnualReport.Status.DONE)
        seconds = time.monotonic() - killed_at
        print(f"pool process killed at {progress}%: run {run.pk} finished {seconds:.1f} s after")
        done = AnnualReport.objects.filter(status=AnnualReport.Status.DONE).count()
        print(f"finished runs in the database: {done}")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
