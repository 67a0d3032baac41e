"""The sign-off rules on the demo data, through the pages each demo user opens."""

import pytest
from django.urls import reverse

from compensation.models import DisbursementRequest
from core.models import User
from projects import gates, services
from projects.models import Approval, CompensationPlan, Notice
from tests.auth import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def as_demo_user(client, username):
    user = User.objects.get(username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    client.logout()
    login(client, username)
    return user


def todo(client) -> str:
    return client.get(reverse("core:todo_list")).content.decode()


def test_demo_users_see_what_waits_for_them_and_the_secretariat_cannot_sign(client, demo_data):
    plan = CompensationPlan.objects.get(project__code="2022-JK-01")
    returned = CompensationPlan.objects.get(project__code="2022-BT-C12")
    first_list = Notice.objects.get(project__code="2022-JK-01", kind=Notice.Kind.FIRST_LIST)
    # 北塔区 files a new scan of the C-12 plot's 国土 approval: past 立项启动, on a leader's
    # recorded override (projects.gates' approval.record); it waits for 业务科.
    land = Approval.objects.get(project__code="2022-BT-C12", kind=Approval.Kind.LAND)
    gates.override(
        action="approval.record",
        by=User.objects.get(username="leader"),
        reason="原扫描件不清晰，区征收办重新提交",
        project=land.project,
    )
    services.record_approval(
        project=land.project,
        by=User.objects.get(username="beita"),
        kind=land.kind,
        number=land.number,
        issued_on=land.issued_on,
    )

    # The secretariat (人事秘书科) can neither approve a plan, publish a notice nor verify.
    as_demo_user(client, "secretariat")
    refused = [
        client.post(reverse("projects:plan_approve", args=[plan.pk])),
        client.post(reverse("projects:notice_sign_off", args=[first_list.pk])),
        client.post(reverse("projects:notice_publish", args=[first_list.pk])),
        client.post(reverse("projects:approval_verify", args=[land.pk])),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403, 403]
    plan.refresh_from_db()
    first_list.refresh_from_db()
    land.refresh_from_db()
    assert plan.status == CompensationPlan.Status.SUBMITTED
    assert not first_list.is_published
    assert not land.is_verified
    assert "没有待办事项" in todo(client)

    # The leader's list: the plan at its last step, the 一榜 to sign off, the payment requests.
    as_demo_user(client, "leader")
    page = todo(client)
    assert "领导批准" in page and "三里桥道路改造工程 补偿方案 第1版" in page
    assert "领导签发" in page and first_list.title in page
    assert page.count("待审批划拨") == 2
    # Amounts as the fund's pages write them: thousands separated, two decimals.
    for request in DisbursementRequest.objects.pending():
        assert f"{request.amount:,.2f}元" in page and request.amount >= 1000
    counts = client.get(reverse("core:nav_counts")).content.decode()
    listed = page.count('class="todo-item"')
    assert f'data-count="{listed}"' in counts

    # 业务科's list: the new scan of the C-12 plot's 国土 approval.
    as_demo_user(client, "operations")
    assert "业务科核查" in todo(client)

    # 北塔区 sees its returned plan and why; 双清区 its returned notice.
    as_demo_user(client, "beita")
    page = todo(client)
    assert str(returned) in page
    assert "临时安置费标准低于市定标准" in page
    as_demo_user(client, "shuangqing")
    page = todo(client)
    assert "中驰棚改签约进度公告" in page
    assert "请补充签约期限届满日和咨询电话。" in page
    assert str(returned) not in page
