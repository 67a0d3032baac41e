"""In a browser: a district's plan goes 业务科 → 法规科 (returned) → the district resubmits →
业务科 → 法规科 → 领导, and each person's to-do count in the navigation bar follows it."""

import re

import pytest
from playwright.sync_api import Page, expect

from core.roles import Section
from projects.models import CompensationPlan
from tests.factories import PASSWORD, ProjectFactory, district_user, staff

PLAN_FIELDS = {
    "#id_valuation_basis": "以征收决定公告之日为价值时点。",
    "#id_relocation_allowance": "1000",
    "#id_temporary_rate": "12",
    "#id_temporary_months": "24",
}


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".user-name")).to_be_visible()


def todo_count(page: Page) -> str:
    """The count the navigation bar loads after the page (htmx)."""
    badge = page.locator("#nav-todo-count")
    expect(badge).to_have_attribute("data-count", re.compile(r"\d+"))
    return badge.get_attribute("data-count")


def open_plan_from_todo(page: Page, base: str, step: str) -> None:
    page.goto(f"{base}/todo/")
    row = page.locator("#todo-review tr.todo-item", has_text=step)
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    expect(page.locator("#plan-status")).to_have_text("待审核")


@pytest.mark.django_db(transaction=True)
def test_a_plan_goes_through_the_review_chain_with_one_return(
    live_server, page: Page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    project = ProjectFactory(name="六岭棚改", district__name="双清区", district__code="sq")
    district_user(project.district, username="district", name="李区县")
    staff(Section.OPERATIONS, username="ops", name="孙业务")
    staff(Section.LEGAL, username="legal", name="刘法规")
    staff(Section.LEADER, username="boss", name="周领导")
    staff(Section.SECRETARIAT, username="secretary", name="赵秘书")
    document = tmp_path / "方案.pdf"
    document.write_bytes(b"%PDF-1.4\n% plan\n")

    # The district submits version 1.
    log_in(page, base, "district")
    page.goto(f"{base}/projects/{project.pk}/plans/new/")
    for field, value in PLAN_FIELDS.items():
        page.locator(field).fill(value)
    page.locator("#id_document").set_input_files(str(document))
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#plan-status")).to_have_text("待审核")
    assert todo_count(page) == "0"

    # 业务科 sees it on the to-do list and passes it; 法规科 is next.
    log_in(page, base, "ops")
    assert todo_count(page) == "1"
    open_plan_from_todo(page, base, "业务科审核")
    page.locator(".plan-review").get_by_role("button", name="审核通过").click()
    expect(page.locator(".messages")).to_contain_text("已审核通过，转下一审核环节。")
    assert todo_count(page) == "0"

    # The secretariat has nothing to do and no button to press.
    log_in(page, base, "secretary")
    assert todo_count(page) == "0"
    page.goto(f"{base}/plans/{CompensationPlan.objects.get().pk}/")
    expect(page.locator(".plan-review")).to_have_count(0)

    # 法规科 returns it with a comment.
    log_in(page, base, "legal")
    assert todo_count(page) == "1"
    open_plan_from_todo(page, base, "法规科审查")
    page.get_by_label("退回意见").fill("提前签约奖励期限不明确，请补充。")
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator("#plan-status")).to_have_text("已退回")
    assert todo_count(page) == "0"

    # The district sees the return and its comment on its to-do list and resubmits.
    log_in(page, base, "district")
    assert todo_count(page) == "1"
    page.goto(f"{base}/notifications/")
    expect(page.locator("tr.notification").first).to_contain_text("被退回")
    page.goto(f"{base}/todo/")
    returned = page.locator("#todo-returned tr.todo-item")
    expect(returned).to_contain_text("提前签约奖励期限不明确，请补充。")
    returned.get_by_role("link").click()
    expect(page.locator(".signoff-returned")).to_contain_text("提前签约奖励期限不明确，请补充。")
    page.get_by_role("link", name="提交新版本").click()
    page.locator("#id_temporary_months").fill("30")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#plan-status")).to_have_text("待审核")
    assert todo_count(page) == "0"

    # Version 2 goes 业务科 → 法规科 → 领导.
    for username, step, button in [
        ("ops", "业务科审核", "审核通过"),
        ("legal", "法规科审查", "审查通过"),
        ("boss", "领导批准", "批准"),
    ]:
        log_in(page, base, username)
        assert todo_count(page) == "1", username
        open_plan_from_todo(page, base, step)
        page.locator(".plan-review").get_by_role("button", name=button, exact=True).click()
        assert todo_count(page) == "0", username

    expect(page.locator("#plan-status")).to_have_text("已批准")
    expect(page.locator(".messages")).to_contain_text("补偿方案第2版已批准。")
    plan = CompensationPlan.objects.get(version=2)
    assert plan.status == CompensationPlan.Status.APPROVED
    assert plan.decided_by.username == "boss"

    # The district is told.
    log_in(page, base, "district")
    expect(page.locator("#nav-unread-count .count-badge")).to_be_visible()
    page.goto(f"{base}/notifications/")
    expect(page.locator("tr.notification").first).to_contain_text("已批准")
