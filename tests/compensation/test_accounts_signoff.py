"""A leader approves or returns the cost budget and the final accounts with a comment (core.signoffs
"cost_budget", "final_account"); 计划财务科 sees the comment on the page and its to-do list,
corrects and resubmits; both sides are notified."""

import pytest
from django.urls import reverse

from compensation.models import Category, CostBudget, FinalAccount
from core import signoffs
from core.models import Notification
from projects.models import Stage
from tests.compensation.factories import finance, leader
from tests.projects.test_gates import _closable

pytestmark = pytest.mark.django_db

COMMENT = "征收补偿类概算偏低，请按分户评估结果调整后重新提交"


def _budget_post(house: str) -> dict:
    amounts = {value: "0.00" for value in Category.values}
    amounts["house"] = house
    return {**amounts, "note": "概算"}


def test_a_leader_returns_the_budget_with_a_comment_and_approves_the_resubmission(client, project):
    keeper, boss = finance(), leader()
    page_url = reverse("compensation:cost_accounts", args=[project.pk])
    client.force_login(keeper)
    client.post(reverse("compensation:budget_save", args=[project.pk]), _budget_post("90000.00"))
    assert Notification.objects.filter(recipient=boss, kind="assigned").exists()

    client.force_login(boss)
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert "领导审定概算" in todo and "六岭棚改 征收成本概算" in todo
    assert "待审定概算" not in todo  # listed once, through its sign-off
    # A return needs a comment: nothing changes without one.
    response = client.post(
        reverse("compensation:budget_return", args=[project.pk]),
        {"budget-return-comment": " "},
        follow=True,
    )
    assert "退回时必须填写意见。" in response.content.decode()
    assert not Notification.objects.filter(recipient=keeper, kind="returned").exists()
    response = client.post(
        reverse("compensation:budget_return", args=[project.pk]),
        {"budget-return-comment": COMMENT},
        follow=True,
    )
    assert "概算已退回计划财务科修改。" in response.content.decode()
    # A returned budget is not approved until resubmitted.
    response = client.post(reverse("compensation:budget_approve", args=[project.pk]), follow=True)
    assert "概算已退回计划财务科修改，待重新提交后方可审定。" in response.content.decode()
    assert not CostBudget.objects.get(project=project).is_approved

    # 计划财务科 sees the comment on the page, its to-do list and its notifications.
    client.force_login(keeper)
    assert COMMENT in client.get(page_url).content.decode()
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert "被退回、待修改后重新提交" in todo and COMMENT in todo and "概算审定" in todo
    assert Notification.objects.get(recipient=keeper, kind="returned").text.endswith(COMMENT)
    client.post(reverse("compensation:budget_save", args=[project.pk]), _budget_post("120000.00"))
    assert COMMENT not in client.get(reverse("core:todo_list")).content.decode()

    client.force_login(boss)
    response = client.post(reverse("compensation:budget_approve", args=[project.pk]), follow=True)
    assert "概算已审定。" in response.content.decode()
    budget = CostBudget.objects.get(project=project)
    assert budget.is_approved and budget.approved_by == boss
    assert Notification.objects.filter(recipient=keeper, kind="approved").exists()
    actions = [row.action for row in signoffs.record(signoffs.signoff_for(budget))]
    assert actions == ["submit", "return", "resubmit", "approve"]


def test_only_a_leader_returns_the_budget(client, project):
    keeper = finance()
    client.force_login(keeper)
    client.post(reverse("compensation:budget_save", args=[project.pk]), _budget_post("1.00"))
    response = client.post(
        reverse("compensation:budget_return", args=[project.pk]),
        {"budget-return-comment": "自己退回"},
    )
    assert response.status_code == 403
    assert (
        "退回计划财务科"
        not in client.get(reverse("compensation:cost_accounts", args=[project.pk])).content.decode()
    )
    assert signoffs.signoff_for(CostBudget.objects.get(project=project)).state == "pending"


def test_a_leader_returns_the_final_accounts_and_the_fund_stays_open(client, project):
    fund = _closable(project)  # final accounts saved by 计划财务科, the project settled
    project.refresh_from_db()
    assert project.stage == Stage.ENFORCEMENT
    keeper, boss = finance(), leader()
    client.force_login(boss)
    response = client.post(
        reverse("compensation:final_return", args=[project.pk]),
        {"final-return-comment": "决算说明缺少结余资金去向"},
        follow=True,
    )
    assert "决算已退回计划财务科修改。" in response.content.decode()
    response = client.post(reverse("compensation:final_approve", args=[project.pk]), follow=True)
    assert "决算已退回计划财务科修改，待重新提交后方可审定。" in response.content.decode()
    assert not FinalAccount.objects.get(project=project).is_approved
    fund.refresh_from_db()

    client.force_login(keeper)
    page = client.get(reverse("compensation:cost_accounts", args=[project.pk])).content.decode()
    assert "决算说明缺少结余资金去向" in page
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert "决算说明缺少结余资金去向" in todo
    client.post(reverse("compensation:final_save", args=[project.pk]), {"note": "结余为零"})

    client.force_login(boss)
    response = client.post(reverse("compensation:final_approve", args=[project.pk]), follow=True)
    assert "决算已审定并冻结" in response.content.decode()
    assert FinalAccount.objects.get(project=project).is_approved
    # The fund's books are closed: its page says so, and finance gets neither the deposit and
    # request buttons nor the reversal forms.
    client.force_login(keeper)
    page = client.get(reverse("compensation:fund_detail", args=[fund.pk])).content.decode()
    assert "项目决算已审定，资金账户已封账。" in page
    assert reverse("compensation:deposit_create", args=[fund.pk]) not in page
    assert reverse("compensation:request_create", args=[fund.pk]) not in page
    assert "冲正原因" not in page
