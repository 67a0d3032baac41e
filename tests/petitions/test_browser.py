import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Section
from petitions.models import Petition, Visit
from tests.factories import PASSWORD, staff


@pytest.mark.django_db(transaction=True)
def test_a_receptionist_registers_a_visit_and_opens_a_case_from_it(
    live_server, page: Page, district
):
    staff(Section.OPERATIONS, username="reception", name="接待员")

    page.goto(f"{live_server.url}/petitions/visits/new/")
    page.get_by_label("用户名").fill("reception")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("登记来访")
    page.get_by_label("所属区县").select_option(label="双清区")
    page.get_by_label("来访人数").fill("3")
    page.get_by_label("来访人（代表）姓名").fill("石来访")
    page.get_by_label("联系电话").fill("13907395555")
    page.get_by_label("反映问题摘要").fill("反映过渡安置费连续三个月未发放。")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("来访接待记录已保存。")).to_be_visible()
    page.get_by_role("link", name="登记为信访件").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("登记信访件")
    expect(page.get_by_label("信访事项")).to_have_value("反映过渡安置费连续三个月未发放。")
    expect(page.get_by_label("信访人数")).to_have_value("3")
    expect(page.get_by_label("姓名")).to_have_value("石来访")
    page.get_by_label("信访类别").select_option(label="补偿标准")
    page.get_by_role("button", name="登记").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("信访事项登记回执")
    expect(page.locator("#lookup-code")).to_have_text(
        re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")
    )
    page.get_by_role("link", name="进入信访件").click()

    expect(page.locator("h1")).to_contain_text("待受理")
    expect(page.get_by_text("信访受理期限")).to_be_visible()
    petition = Petition.objects.get()
    visit = Visit.objects.get()
    assert visit.petition == petition
    assert petition.received_on == visit.visited_on == timezone.localdate()
    assert petition.people_count == 3
    assert petition.petitioners.get().phone == "13907395555"
