import pytest
from playwright.sync_api import Page, expect

from core.roles import Section
from projects import services
from projects.models import CompensationPlan
from tests.factories import PASSWORD, ProjectFactory, district_user, reviewers, staff

PDF = b"%PDF-1.4\n% plan document for the browser test\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".user-name")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_district_submits_office_returns_district_resubmits_office_approves(
    live_server, page: Page, new_context, district, tmp_path
):
    project = ProjectFactory(district=district, code="2022-SQ-001", name="六岭棚改")
    district_user(district, username="district", name="李区县")
    staff(username="clerk", name="王测试")
    document = tmp_path / "六岭棚改补偿方案.pdf"
    document.write_bytes(PDF)
    plans_url = f"{live_server.url}/projects/{project.pk}/plans/"

    # The district fills in the standards and uploads the plan.
    log_in(page, live_server.url, "district")
    page.goto(plans_url)
    expect(page.get_by_text("区县尚未提交补偿方案。")).to_be_visible()
    page.get_by_role("link", name="提交补偿方案").click()
    page.get_by_label("评估价值依据").fill("以征收决定公告之日为价值时点。")
    page.get_by_label("搬迁费（元/次）").fill("1000")
    page.get_by_label("临时安置费（元/平方米/月）").fill("12")
    page.get_by_label("临时安置期（月）").fill("24")
    page.get_by_label("提前签约奖励（元/户）").fill("0")
    page.get_by_label("方案文本").set_input_files(str(document))
    page.get_by_label("提交说明").fill("请审核第1版。")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("补偿方案第1版已提交，等待市征收办审核。")).to_be_visible()
    expect(page.locator("#plan-status")).to_have_text("待审核")
    expect(page.get_by_role("button", name="批准")).to_have_count(0)

    # Office staff, in their own browser, find it in the review queue and return it.
    office = new_context().new_page()
    log_in(office, live_server.url, "clerk")
    office.goto(f"{live_server.url}/plans/review/")
    expect(office.get_by_role("link", name="六岭棚改")).to_be_visible()
    office.get_by_role("link", name="审核", exact=True).click()
    expect(office.get_by_text("请审核第1版。")).to_be_visible()
    office.get_by_label("退回意见").fill("临时安置费偏低，请按市定标准调整为每月15元。")
    office.get_by_role("button", name="退回修改").click()
    expect(office.get_by_text("方案已退回区县修改。")).to_be_visible()
    expect(office.locator("#plan-status")).to_have_text("已退回")

    # The district sees the comment, answers and resubmits from the prefilled form.
    page.reload()
    expect(page.locator("#plan-status")).to_have_text("已退回")
    expect(page.locator("#signoff .signoff-comment")).to_have_text(
        "临时安置费偏低，请按市定标准调整为每月15元。"
    )
    page.get_by_label("答复内容").fill("已调整，见第2版。")
    page.get_by_role("button", name="发表答复").click()
    expect(page.get_by_text("答复已记入审核记录。")).to_be_visible()
    page.get_by_role("link", name="提交新版本").click()
    expect(page.get_by_label("搬迁费（元/次）")).to_have_value("1000.00")
    page.get_by_label("临时安置费（元/平方米/月）").fill("15")
    page.get_by_label("提交说明").fill("第2版：临时安置费调整为每月15元。")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("补偿方案第2版已提交，等待市征收办审核。")).to_be_visible()
    expect(page.get_by_text("沿用第1版文本")).to_be_visible()

    # Staff see the answer and version 2, and approve it.
    office.goto(f"{live_server.url}/plans/review/")
    office.get_by_role("link", name="审核", exact=True).click()
    expect(office.get_by_role("heading", name="补偿方案第2版")).to_be_visible()
    expect(office.get_by_text("已调整，见第2版。")).to_be_visible()
    expect(office.get_by_text("15.00 元/平方米/月，24 个月")).to_be_visible()
    office.get_by_role("button", name="审核通过").click()
    expect(office.get_by_text("已审核通过，转下一审核环节。")).to_be_visible()
    expect(office.locator("#plan-status")).to_have_text("待审核")
    # 法规科 and a leader finish the chain (walked page by page in test_plan_review_browser).
    people = reviewers()
    second = CompensationPlan.objects.get(project=project, version=2)
    for section in (Section.LEGAL, Section.LEADER):
        services.approve_plan(plan=second, by=people[section])

    # The district sees the approval, and nothing left to submit.
    page.goto(plans_url)
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("已批准")
    expect(rows.last).to_contain_text("已被新版本替代")
    expect(page.get_by_role("link", name="提交新版本")).to_have_count(0)
    assert list(
        CompensationPlan.objects.filter(project=project).values_list("version", "status")
    ) == [(2, "approved"), (1, "superseded")]
