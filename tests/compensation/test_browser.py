import pytest
from playwright.sync_api import Page, expect

from tests.auth import log_in_browser
from tests.compensation.factories import district_request, finance, funded, leader
from tests.factories import ProjectFactory


@pytest.mark.django_db(transaction=True)
def test_a_leader_approves_a_request_and_the_ledger_shows_the_new_balance(
    live_server, page: Page, district
):
    project = ProjectFactory(district=district, code="2022-SQ-001", name="六岭棚改")
    requester = finance(name="钱财务")
    leader(name="孙领导")
    fund = funded(project, "80000.00", by=requester)
    request = district_request(fund, "12345.60", by=requester)

    log_in_browser(page, live_server.url, "leader")
    page.get_by_role("navigation", name="主导航").get_by_text("补偿资金", exact=True).click()
    page.get_by_role("link", name="待审批划拨（1）").click()
    page.get_by_role("link", name=f"#{request.pk}").click()
    page.get_by_text("审批并划拨", exact=True).click()  # shows what the approval will do first
    expect(page.locator("#approve")).to_contain_text(
        "从补偿资金专户划拨 12,345.60 元给 双清区房屋征收管理办公室。"
        "划拨记入账本后不能删除，只能冲正。"
    )
    page.get_by_role("button", name="确认划拨").click()

    expect(page.get_by_text("已划拨12,345.60元（第2笔），账户余额67,654.40元。")).to_be_visible()
    page.get_by_role("link", name="资金账户").first.click()
    expect(page.locator("#entry-2")).to_contain_text("12,345.60")
    expect(page.locator("#entry-2")).to_contain_text("67,654.40")
    fund.refresh_from_db()
    expect(page.locator("dd code.hash")).to_have_text(fund.last_hash)
