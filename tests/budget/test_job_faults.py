"""The report job survives faults: a broker that cannot be reached, a run that stops moving,
and a real worker process killed mid-build."""

import signal
import socket
import subprocess
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from budget import services
from budget.models import AnnualReport
from config.celery import app as celery_app
from tests.auth import login
from tests.budget.conftest import indicator
from tests.nodes import start_celery_worker


@pytest.fixture
def year_with_indicator(budget_year, finance):
    indicator(budget_year, finance, target=Decimal(1), actual=Decimal(1), weight=Decimal(50))
    return budget_year


@pytest.fixture(params=["refused", "silent"])
def broker_down(request):
    """The broker address points at a port nothing listens on (Redis down), or at a socket
    that accepts connections and never answers (Redis hung, or a half-open network path)."""
    original = celery_app.conf.broker_write_url
    with socket.socket() as silent:
        if request.param == "refused":
            url = "redis://127.0.0.1:1/0"
        else:
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_write_url = url
        celery_app.amqp._producer_pool = None
        try:
            yield
        finally:
            celery_app.conf.broker_write_url = original
            celery_app.amqp._producer_pool = None
            celery_app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_cannot_be_reached_gives_a_503_page_and_a_failed_run_to_retry(
    client, year_with_indicator, office_user, broker_down
):
    login(client, "clerk")
    response = client.post(reverse("budget:report_request", args=[2022]))

    assert response.status_code == 503
    page = response.content.decode()
    assert "后台任务服务暂不可用" in page
    run = AnnualReport.objects.get()
    assert (run.status, run.error) == ("failed", "任务队列暂时不可用，报告未能开始生成。")
    assert f'href="{run.get_absolute_url()}"' in page  # 查看任务并重试
    detail = client.get(run.get_absolute_url()).content.decode()
    assert reverse("budget:report_retry", args=[run.pk]) in detail
    assert "重新生成" in detail


@pytest.mark.django_db(transaction=True)
def test_retrying_while_the_broker_is_still_down_keeps_the_run_failed(
    client, year_with_indicator, office_user, broker_down
):
    run = AnnualReport.objects.create(
        budget_year=year_with_indicator, status=AnnualReport.Status.FAILED, error="x"
    )
    login(client, "clerk")
    response = client.post(reverse("budget:report_retry", args=[run.pk]))
    assert response.status_code == 503
    run.refresh_from_db()
    assert run.status == "failed"


@pytest.mark.django_db
def test_the_retry_button_builds_the_failed_run_again(
    client, year_with_indicator, office_user, django_capture_on_commit_callbacks
):
    run = AnnualReport.objects.create(
        budget_year=year_with_indicator, status=AnnualReport.Status.FAILED, error="队列不可用"
    )
    login(client, "clerk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("budget:report_retry", args=[run.pk]))
    assert response["Location"] == run.get_absolute_url()
    run.refresh_from_db()
    assert (run.status, run.error, run.requested_by) == ("done", "", office_user)
    with run.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


@pytest.mark.django_db
def test_only_a_failed_run_can_be_retried(client, year_with_indicator, office_user):
    run = AnnualReport.objects.create(budget_year=year_with_indicator)
    login(client, "clerk")
    page = client.post(reverse("budget:report_retry", args=[run.pk]), follow=True)
    assert "只有失败的报告可以重新生成。" in page.content.decode()
    run.refresh_from_db()
    assert run.status == "queued"


@pytest.mark.django_db
def test_a_district_user_cannot_retry_a_run(client, year_with_indicator, district_member):
    run = AnnualReport.objects.create(
        budget_year=year_with_indicator, status=AnnualReport.Status.FAILED
    )
    login(client, "district")
    response = client.post(reverse("budget:report_retry", args=[run.pk]))
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == "failed"


@pytest.mark.django_db
def test_a_run_that_stopped_moving_is_queued_again_once_then_failed(
    client, year_with_indicator, office_user, django_capture_on_commit_callbacks, settings
):
    settings.JOBS_STALLED_MINUTES = 10
    now = timezone.now()
    just_stalled = AnnualReport.objects.create(
        budget_year=year_with_indicator,
        status=AnnualReport.Status.RUNNING,
        progress=20,
        moved_at=now - timedelta(minutes=10, seconds=1),
    )
    still_moving = AnnualReport.objects.create(
        budget_year=year_with_indicator,
        status=AnnualReport.Status.RUNNING,
        progress=60,
        moved_at=now - timedelta(minutes=10),  # on the edge: not stalled yet
    )
    stalled_again = AnnualReport.objects.create(
        budget_year=year_with_indicator,
        status=AnnualReport.Status.QUEUED,
        requeued=1,
        moved_at=now - timedelta(minutes=30),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled_reports(now=now) == (1, 1)

    just_stalled.refresh_from_db()
    still_moving.refresh_from_db()
    stalled_again.refresh_from_db()
    # Re-queued (and, without a broker in this test, built at once).
    assert (just_stalled.status, just_stalled.requeued) == ("done", 1)
    assert (still_moving.status, still_moving.progress) == ("running", 60)
    assert stalled_again.status == "failed"
    assert "超过10分钟没有进展" in stalled_again.error
    login(client, "clerk")
    page = client.get(stalled_again.get_absolute_url()).content.decode()
    assert "超过10分钟没有进展" in page
    assert reverse("budget:report_retry", args=[stalled_again.pk]) in page


def _broker_reset(url: str) -> None:
    """Forget queued and unacknowledged messages left on the test broker by earlier runs."""
    client = redis.Redis.from_url(url)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


def _start_worker(tmp_path: Path, name: str, db_name: str) -> subprocess.Popen:
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # A worker that vanished has its job delivered again after 3 s (production: minutes).
        "JOBS_VISIBILITY_TIMEOUT_SECONDS": "3",
    }
    return start_celery_worker(name, env, tmp_path)


def _wait_for(condition, what: str, *, run_pk: int, worker: subprocess.Popen):
    """Poll until `condition()` is true. No clock: however slow the machine, the wait ends when
    the condition holds, or fails when the worker doing the work exits or the run fails."""
    while not condition():
        assert worker.poll() is None, f"the worker exited while waiting for {what}"
        assert _run(run_pk).status != "failed", f"the run failed while waiting for {what}"
        time.sleep(0.05)


def _waiting_on_the_run() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE %s",
            ['UPDATE "budget_annualreport"%'],
        )
        return cursor.fetchone()[0]


def _run(pk):
    return AnnualReport.objects.get(pk=pk)


@pytest.mark.django_db(transaction=True)
def test_a_report_whose_worker_is_killed_mid_build_is_finished_once_by_another_worker(
    year_with_indicator, office_user, tmp_path
):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs a real broker"
    _broker_reset(settings.CELERY_BROKER_URL)
    db_name = connection.settings_dict["NAME"]
    celery_app.conf.task_always_eager = False
    first = _start_worker(tmp_path, "first", db_name)
    second = None
    try:
        run = services.request_report(budget_year=year_with_indicator, by=office_user)
        _wait_for(
            lambda: _run(run.pk).progress >= 20,
            "the first worker to reach 20%",
            run_pk=run.pk,
            worker=first,
        )

        # Hold the run's row so that the worker's next progress write waits on it: the
        # build is then certainly in the middle when the worker is killed.
        dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={db_name}"
        with psycopg.connect(dsn) as lock:
            lock.execute("SELECT 1 FROM budget_annualreport WHERE id = %s FOR UPDATE", [run.pk])
            status, progress = lock.execute(
                "SELECT status, progress FROM budget_annualreport WHERE id = %s", [run.pk]
            ).fetchone()
            assert (status, 20 <= progress < 100) == ("running", True)
            _wait_for(
                lambda: _waiting_on_the_run() == 1,
                "the first worker to wait on the row",
                run_pk=run.pk,
                worker=first,
            )
            first.send_signal(signal.SIGKILL)
            first.wait()
            lock.rollback()

        killed = _run(run.pk)
        assert (killed.status, killed.pdf.name) == ("running", "")

        second = _start_worker(tmp_path, "second", db_name)
        _wait_for(
            lambda: _run(run.pk).status == "done",
            "the second worker to finish the run",
            run_pk=run.pk,
            worker=second,
        )
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)
        celery_app.conf.task_always_eager = True

    assert list(AnnualReport.objects.values_list("status", flat=True)) == ["done"]
    run = _run(run.pk)
    assert run.progress == 100
    folder = Path(settings.MEDIA_ROOT) / f"budget/reports/2022/run-{run.pk}"
    assert sorted(p.name for p in folder.iterdir()) == sorted(AnnualReport.FILES.values())
    with run.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    second_log = (tmp_path / "second.log").read_text()
    assert second_log.count("budget.tasks.build_annual_report") >= 1
