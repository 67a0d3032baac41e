import pytest
from playwright.sync_api import Page, expect

from core.roles import Section
from tests.factories import PASSWORD, staff


@pytest.mark.django_db(transaction=True)
def test_staff_member_logs_in_and_sees_the_home_page(live_server, page: Page, district):
    staff(Section.LEADER, username="boss", name="周领导")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("用户名").fill("boss")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("周领导，您好")
    nav = page.get_by_role("navigation", name="主导航")
    for label in ["项目", "补偿资金", "评估机构", "信访", "预算绩效", "信息公开"]:
        expect(nav.get_by_text(label, exact=True)).to_be_visible()
    expect(page.locator(".user-role")).to_have_text("领导")
    expect(page.get_by_role("link", name="双清区")).to_be_visible()

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
