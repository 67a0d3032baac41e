"""Changing the holiday arrangement recomputes the stored due dates in a Celery job sent on
commit: the page saves at once and says the due dates are being recomputed, the deadline pages
keep the rows computed before the change (with a note) until the job has rewritten them, and
the holiday page then says when it finished."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.models import DueDate, DueRecompute
from core.tasks import recompute_due_dates
from tests.auth import login
from tests.core.test_holiday_calendar import LINES_2027
from tests.petitions.factories import register

SHANGHAI = ZoneInfo("Asia/Shanghai")
PENDING = "各项期限的到期日正在重新计算"
NOTE = "到期日正在重新计算；完成前，下面仍是更改前算出的到期日"


def at(*args):
    return time_machine.travel(datetime(*args, 9, 0, tzinfo=SHANGHAI), tick=False)


def a_case_due_in_the_october_holidays(office_user, district):
    """Received 2027-09-20: provisionally due 6 October 2027; under LINES_2027 (1–7 October
    off) due on the 8th."""
    petition = register(
        by=office_user, district=district, received_on=date(2027, 9, 20), today=date(2027, 9, 25)
    ).petition
    assert DueDate.objects.get(source_id=petition.pk).due_on == date(2027, 10, 6)
    return petition


@pytest.mark.django_db
def test_the_page_saves_at_once_and_the_due_dates_follow_when_the_job_has_run(
    client, office_user, district, django_capture_on_commit_callbacks
):
    with at(2027, 9, 25):
        petition = a_case_due_in_the_october_holidays(office_user, district)
        login(client, "clerk")
        # The job is sent when the request's transaction commits: held back here.
        with django_capture_on_commit_callbacks() as jobs:
            response = client.post(
                reverse("core:holiday_arrangement", args=[2027]),
                {"text": LINES_2027, "action": "save"},
                follow=True,
            )
        assert len(jobs) == 1
        page = response.content.decode()
        assert "已录入2027年节假日安排" in page and "正在后台重新计算" in page
        assert PENDING in page and f'hx-get="{reverse("core:due_recompute_status")}"' in page
        run = DueRecompute.objects.get()
        assert (run.years, run.requested_by, run.is_pending) == ([2027], office_user, True)

        # Meanwhile the deadline page shows what was computed before, and says so.
        deadlines = client.get(reverse("core:deadline_list")).content.decode()
        assert NOTE in deadlines and "2027-10-06" in deadlines
        assert DueDate.objects.get(source_id=petition.pk).due_on == date(2027, 10, 6)

        jobs[0]()  # the job (in-process: tasks run eagerly in tests)
        run.refresh_from_db()
        assert run.finished_at and run.written == 1 and not run.is_pending
        assert DueDate.objects.get(source_id=petition.pk).due_on == date(2027, 10, 8)
        status = client.get(reverse("core:due_recompute_status")).content.decode()
        assert "重新计算到期日：" in status and "完成，共1项期限" in status
        assert "hx-get" not in status  # no more polling
        deadlines = client.get(reverse("core:deadline_list")).content.decode()
        assert NOTE not in deadlines and "2027-10-08" in deadlines
        assert "2027-10-06" not in deadlines


@pytest.mark.django_db
def test_a_failed_recomputation_says_so_and_can_be_started_again(
    client, office_user, district, django_capture_on_commit_callbacks, monkeypatch
):
    from core import due

    with at(2027, 9, 25):
        petition = a_case_due_in_the_october_holidays(office_user, district)
        login(client, "clerk")

        def broken(**kwargs):
            raise RuntimeError("计算中断")

        monkeypatch.setattr(due, "recompute", broken)
        # The job's error is raised (in the worker, where it is logged) after the run is marked.
        with (
            pytest.raises(RuntimeError, match="计算中断"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            client.post(
                reverse("core:holiday_arrangement", args=[2027]),
                {"text": LINES_2027, "action": "save"},
            )
        run = DueRecompute.objects.get()
        assert run.failed_at and "计算中断" in run.error and not run.finished_at
        page = client.get(reverse("core:holiday_calendar")).content.decode()
        assert "重新计算到期日没有完成" in page
        retry = reverse("core:due_recompute_retry", args=[run.pk])
        assert retry in page
        assert DueDate.objects.get(source_id=petition.pk).due_on == date(2027, 10, 6)
        assert "正在重新计算" not in client.get(reverse("core:deadline_list")).content.decode()

        monkeypatch.undo()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(retry)
        assert response.status_code == 302
        assert "完成，共1项期限" in client.get(response["Location"]).content.decode()
        assert DueDate.objects.get(source_id=petition.pk).due_on == date(2027, 10, 8)
        # Running a finished job again (a redelivery) writes nothing more.
        latest = DueRecompute.objects.first()
        assert recompute_due_dates.apply(args=[latest.pk]).get() == 1
        assert DueDate.objects.filter(source_id=petition.pk).count() == 1


@pytest.mark.django_db
def test_district_users_cannot_see_or_restart_recomputations(client, district_member):
    run = DueRecompute.objects.create(years=[2027], failed_at=datetime(2027, 1, 1, tzinfo=SHANGHAI))
    login(client, "district")
    assert client.get(reverse("core:due_recompute_status")).status_code == 403
    assert client.post(reverse("core:due_recompute_retry", args=[run.pk])).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recomputes_the_due_dates_after_the_page_saved(
    celery_worker, client, office_user, district
):
    # Real time here (the worker's timers need it): the case's dates are given explicitly.
    petition = a_case_due_in_the_october_holidays(office_user, district)
    login(client, "clerk")
    response = client.post(
        reverse("core:holiday_arrangement", args=[2027]), {"text": LINES_2027, "action": "save"}
    )
    assert response.status_code == 302
    run = DueRecompute.objects.get()
    # The worker took the job queued on commit; wait for it through a second, no-op delivery
    # (a run no longer pending is left alone), which the solo worker runs after the first.
    recompute_due_dates.delay(run.pk).get(timeout=60)
    run.refresh_from_db()
    assert run.finished_at and run.written == 1
    assert DueDate.objects.get(source_id=petition.pk).due_on == date(2027, 10, 8)
    status = client.get(reverse("core:due_recompute_status")).content.decode()
    assert "完成，共1项期限" in status
