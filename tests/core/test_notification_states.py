"""A notification is new until its recipient opens it or its item is acted on: a step passed or
returned, a notice published, a payment decided; the navigation's count follows."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import Notification
from core.roles import Section
from projects import services
from tests.auth import login
from tests.factories import district_user, staff

pytestmark = pytest.mark.django_db

PLAN = {
    "valuation_basis": "市场评估价",
    "relocation_allowance": Decimal("1000"),
    "temporary_rate": Decimal("12"),
    "temporary_months": 24,
    "document": "plans/test.pdf",
}


def _unread(client) -> str:
    counts = client.get(reverse("core:nav_counts")).content.decode()
    return counts[counts.index('id="nav-unread-count"') :].split('data-count="')[1].split('"')[0]


def test_a_section_members_notice_is_done_once_a_colleague_passes_the_step(client, project):
    submitter = district_user(project.district, username="submitter")
    first = staff(Section.OPERATIONS, username="ops1", name="赵业务")
    second = staff(Section.OPERATIONS, username="ops2", name="钱业务")
    staff(Section.LEGAL, username="legal1", name="孙法规")
    plan = services.submit_plan(project=project, by=submitter, **PLAN)

    login(client, "ops1")
    assert _unread(client) == "1"
    page = client.get(reverse("core:notification_list")).content.decode()
    assert "待业务科审核" in page and "新" in page
    assert _unread(client) == "1"  # listing is not reading

    services.approve_plan(plan=plan, by=second)
    assert _unread(client) == "0"
    page = client.get(reverse("core:notification_list")).content.decode()
    assert "已办结" in page and '<span class="badge warn">新</span>' not in page
    assert Notification.objects.get(recipient=first).done_at is not None

    # 法规科 hears of it now, and reads it by opening it: it leads to the plan.
    client.logout()
    login(client, "legal1")
    assert _unread(client) == "1"
    note = Notification.objects.get(recipient__username="legal1")
    assert note.done_at is None
    response = client.get(reverse("core:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert _unread(client) == "0"


def test_a_returned_plans_notice_is_done_when_the_district_resubmits(client, project):
    submitter = district_user(project.district, username="submitter")
    reviewer = staff(Section.OPERATIONS, username="ops1")
    plan = services.submit_plan(project=project, by=submitter, **PLAN)
    services.return_plan(plan=plan, by=reviewer, comment="补充附件")
    login(client, "submitter")
    assert _unread(client) == "1"
    services.submit_plan(project=project, by=submitter, **PLAN)
    returned = Notification.objects.get(recipient=submitter, kind=Notification.Kind.RETURNED)
    assert returned.done_at is not None
    assert _unread(client) == "0"


def test_nobody_opens_another_persons_notification(client, project):
    submitter = district_user(project.district, username="submitter")
    staff(Section.OPERATIONS, username="ops1")
    staff(Section.LEGAL, username="legal1")
    services.submit_plan(project=project, by=submitter, **PLAN)
    note = Notification.objects.get(recipient__username="ops1")
    login(client, "legal1")
    assert client.get(reverse("core:notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
