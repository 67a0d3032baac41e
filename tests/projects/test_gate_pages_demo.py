"""On the demo data, through the pages the demo users open: a transfer to the district waits for
the approved plan, blocked forms give way to their reasons, the plan page offers its forms only
to the step the plan waits at, and a notification is done once its item is decided."""

import re

import pytest
from django.urls import reverse

from core.models import Notification, User
from projects.models import CompensationPlan, Project, Stage

pytestmark = pytest.mark.django_db

ADMIN_LINE = "请联系系统管理员"


def as_user(client, username):
    client.force_login(User.objects.get(username=username))


def _row(html: str, label: str) -> str:
    start = html.index(label)
    return html[start : html.index("</tr>", start)]


def _unread(client) -> int:
    counts = client.get(reverse("core:nav_counts")).content.decode()
    return int(re.search(r'id="nav-unread-count"[^>]*data-count="(\d+)"', counts).group(1))


def test_on_the_demo_the_survey_projects_transfer_to_the_district_waits_for_the_plan(
    demo_data, client
):
    project = Project.objects.get(code="2022-BT-C12")
    assert project.stage == Stage.SURVEY
    assert not project.plans.filter(status=CompensationPlan.Status.APPROVED).exists()
    as_user(client, "finance")
    row = _row(client.get(project.get_absolute_url()).content.decode(), "向区县征收部门划拨")
    assert "暂不可办理" in row and "补偿方案尚未经市征收办批准。" in row
    assert "可办理</span>" not in row.replace("暂不可办理</span>", "")


def test_on_the_demo_a_blocked_decision_form_shows_its_reasons_first(demo_data, client):
    project = Project.objects.get(code="2022-BT-C12")
    household = project.households.filter(signed_on__isnull=True).order_by("code").first()
    as_user(client, "beita")
    url = reverse("projects:decision_create", args=[household.pk])
    html = client.get(url).content.decode()
    assert "办理条件" in html
    assert "项目处于「调查登记」阶段，作出补偿决定须在「补偿决定」阶段办理。" in html
    assert 'name="decided_on"' not in html
    response = client.post(url, {})
    assert response.status_code == 409
    assert "此字段为必填项" not in response.content.decode()
    assert "这个字段是必填项" not in response.content.decode()


def test_on_the_demo_only_the_step_the_plan_waits_at_sees_its_forms(demo_data, client):
    plan = CompensationPlan.objects.get(project__code="2022-JK-01")  # waits for the leader
    approve_url = reverse("projects:plan_approve", args=[plan.pk])
    reply_url = reverse("projects:plan_reply", args=[plan.pk])

    for username in ("secretariat", "legal", "operations", "finance"):
        as_user(client, username)
        html = client.get(plan.get_absolute_url()).content.decode()
        assert "领导批准" in html, username  # the progress
        assert f'action="{approve_url}"' not in html, username
        assert f'action="{reply_url}"' not in html, username

    as_user(client, "secretariat")
    refused = client.post(reply_url, {"reply-comment": "秘书科意见"})
    assert refused.status_code == 403
    assert ADMIN_LINE in refused.content.decode()

    as_user(client, "legal")  # its step is done: an order matter, no administrator
    refused = client.post(approve_url, {"approve-comment": ""})
    html = refused.content.decode()
    assert refused.status_code == 403
    assert "法规科审查已经完成，该事项当前待领导批准。" in html
    assert ADMIN_LINE not in html

    as_user(client, "leader")
    html = client.get(plan.get_absolute_url()).content.decode()
    assert f'action="{approve_url}"' in html and f'action="{reply_url}"' in html
    assert plan.reviews.filter(comment="秘书科意见").count() == 0


def test_on_the_demo_the_leaders_notification_is_done_once_the_plan_is_approved(demo_data, client):
    plan = CompensationPlan.objects.get(project__code="2022-JK-01")
    leader = User.objects.get(username="leader")
    about = Notification.objects.filter(recipient=leader, url=plan.get_absolute_url())
    Notification.objects.filter(pk__in=about.values("pk")).update(read_at=None, done_at=None)
    assert about.exists()
    as_user(client, "leader")
    before = _unread(client)
    page = client.get(reverse("core:notification_list")).content.decode()
    assert "新" in page
    response = client.post(
        reverse("projects:plan_approve", args=[plan.pk]), {"approve-comment": "同意"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == CompensationPlan.Status.APPROVED
    assert not about.filter(done_at__isnull=True).exists()
    assert _unread(client) == before - about.count()
