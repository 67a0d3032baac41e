"""The staff household form in a real browser: an ID or phone pasted with the spaces,
invisible or full-width characters offices type is not cut short by the input's length."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ProjectFactory, district_user
from tests.projects.test_plan_browser import log_in


@pytest.mark.django_db(transaction=True)
def test_an_id_and_phone_pasted_with_spaces_reach_the_server_whole(
    live_server, page: Page, district
):
    project = ProjectFactory(district=district, code="2022-SQ-009", name="样例棚改")
    district_user(district, username="district", name="李区县")
    log_in(page, live_server.url, "district")
    page.goto(f"{live_server.url}/projects/{project.pk}/households/new/")
    page.get_by_label("户号").fill("0001")
    page.get_by_label("户主姓名").fill("张\u3000三")
    # 18 digits with two ideographic spaces and a zero-width space: 21 characters typed.
    page.get_by_label("身份证号码").fill("430502\u300019711107\u3000066\u200b1")
    # 11 digits as written on a card, with full-width hyphens and a trailing extension.
    page.get_by_label("联系电话").fill("０７３９－５１２３４５６－８０１２\u3000")
    page.get_by_label("房屋坐落").fill("样例路1号")
    page.get_by_label("房屋用途").select_option(index=1)
    page.get_by_label("建筑面积").fill("80.50")
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_text("已登记被征收户 0001。")).to_be_visible()
    household = project.households.get()
    assert household.head_name == "张三"
    assert household.id_number == "430502197111070661"
    assert household.phone == "0739-5123456转8012"
