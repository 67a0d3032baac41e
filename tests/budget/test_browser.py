import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from budget import services
from budget.models import AnnualReport
from core.roles import Section
from tests.budget.conftest import indicator
from tests.budget.factories import BudgetYearFactory
from tests.factories import PASSWORD, staff


@pytest.mark.django_db(transaction=True)
def test_staff_press_the_button_watch_the_progress_bar_finish_and_download_the_pdf(
    live_server, page: Page, celery_worker, tmp_path
):
    finance = staff(Section.FINANCE, username="finance", name="陈财务")
    budget_year = BudgetYearFactory(year=2022)
    indicator(budget_year, finance, target=Decimal(1), actual=Decimal(1), weight=Decimal(50))

    page.goto(f"{live_server.url}/budget/2022/")
    page.get_by_label("用户名").fill("finance")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2022年度预算执行与绩效自评")

    page.get_by_role("button", name="生成自评报告").click()
    # The job runs on the worker: the page polls the progress bar until it has finished.
    expect(page).to_have_url(re.compile(r"/budget/reports/\d+/$"))
    progress = page.locator("#report-progress progress")
    expect(progress).to_be_visible()
    expect(page.locator("#report-progress .badge")).to_have_text("已完成", timeout=30_000)
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator("[hx-trigger]").filter(has=progress)).to_have_count(0)  # polling stopped
    expect(page.get_by_text("已提交生成任务")).to_have_count(0)

    with page.expect_download() as info:
        page.get_by_role("link", name="自评报告（PDF）").click()
    download = info.value
    assert download.suggested_filename == "2022年度整体支出绩效自评报告.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")


@pytest.mark.django_db(transaction=True)
def test_the_page_of_a_queued_report_turns_into_the_finished_report_without_a_reload(
    live_server, page: Page
):
    finance = staff(Section.FINANCE, username="finance", name="陈财务")
    budget_year = BudgetYearFactory(year=2022)
    indicator(budget_year, finance, target=Decimal(1), actual=Decimal(1), weight=Decimal(50))
    # Queued, and no worker: the page polls until this test builds the run itself.
    run = AnnualReport.objects.create(budget_year=budget_year, requested_by=finance)

    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    page.get_by_label("用户名").fill("finance")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("已提交生成任务，请稍候。")).to_be_visible()
    expect(page.locator("#report-progress .badge")).to_have_text("排队中")
    expect(page.get_by_role("heading", name="一致性检查")).to_have_count(0)
    page.evaluate("window.sameDocument = true")

    services.build_report(run_id=run.pk)

    expect(page.locator("#report-progress .badge")).to_have_text("已完成", timeout=10_000)
    expect(page.get_by_text("已提交生成任务")).to_have_count(0)
    expect(page.get_by_role("link", name="自评报告（PDF）")).to_be_visible()
    expect(page.get_by_role("link", name="附件3 项目支出绩效自评表")).to_be_visible()
    expect(page.get_by_role("heading", name="一致性检查")).to_be_visible()
    expect(page.get_by_role("button", name="公开此报告")).to_be_visible()
    expect(page.locator("#report-run")).to_have_count(1)  # replaced, not nested in itself
    expect(page.locator("[hx-trigger]").filter(has=page.locator("#report-progress"))).to_have_count(
        0
    )
    assert page.evaluate("window.sameDocument") is True  # no reload

    with page.expect_download() as info:
        page.get_by_role("link", name="附件1 部门整体支出绩效评价基础数据表").click()
    assert info.value.suggested_filename == "附件1 2022年度部门整体支出绩效评价基础数据表.xlsx"
