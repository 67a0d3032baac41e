"""The 403 page tells an order matter (a sign-off step that waits for another section first) from
a real permission denial: only the latter sends the user to the system administrator."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.roles import Section
from projects import services
from projects.models import CompensationPlan, Notice
from tests.auth import login
from tests.factories import district_user, reviewers, staff

pytestmark = pytest.mark.django_db

ADMIN_LINE = "请联系系统管理员"
PLAN = {
    "valuation_basis": "市场评估价",
    "relocation_allowance": Decimal("1000"),
    "temporary_rate": Decimal("12"),
    "temporary_months": 24,
    "document": "plans/test.pdf",
}


@pytest.fixture
def plan(project, district):
    return services.submit_plan(
        project=project, by=district_user(district, username="submitter"), **PLAN
    )


def test_a_leader_approving_before_the_sections_is_told_what_must_happen_first(client, plan):
    staff(Section.LEADER, username="boss")
    login(client, "boss")
    response = client.post(reverse("projects:plan_approve", args=[plan.pk]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "该事项须先经业务科审核、法规科审查，才轮到领导批准；当前待业务科审核。" in html
    assert "尚不能办理" in html
    assert ADMIN_LINE not in html and "无权访问" not in html
    plan.refresh_from_db()
    assert plan.status == CompensationPlan.Status.SUBMITTED


def test_a_section_whose_step_is_done_is_told_where_the_item_is(client, plan):
    services.approve_plan(plan=plan, by=reviewers()[Section.OPERATIONS])
    staff(Section.OPERATIONS, username="ops2")
    login(client, "ops2")
    response = client.post(reverse("projects:plan_approve", args=[plan.pk]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "业务科审核已经完成，该事项当前待法规科审查。" in html
    assert ADMIN_LINE not in html


def test_publishing_a_notice_before_the_leader_signs_it_off_is_an_order_matter(
    client, project, district
):
    notice = services.draft_notice(
        project=project,
        by=district_user(district, username="drafter"),
        kind=Notice.Kind.FIRST_LIST,
        title="一榜公示",
        body="正文",
        period_days=0,
    )
    staff(Section.OPERATIONS, username="ops")
    login(client, "ops")
    response = client.post(reverse("projects:notice_publish", args=[notice.pk]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "该事项须先经领导签发，才轮到责任科室发布；当前待领导签发。" in html
    assert ADMIN_LINE not in html


def test_the_secretariat_gets_a_real_permission_denial(client, plan):
    staff(Section.SECRETARIAT, username="sec")
    login(client, "sec")
    response = client.post(reverse("projects:plan_approve", args=[plan.pk]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "该事项当前待业务科办理（业务科审核），您无权办理。" in html
    assert ADMIN_LINE in html and "无权访问" in html
