from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Section
from projects import legal
from tests.compensation.factories import ready_for_decision
from tests.factories import PASSWORD, staff


@pytest.mark.django_db(transaction=True)
def test_a_legal_clerk_records_a_served_decision_and_sees_its_windows(
    live_server, page: Page, project, district_member
):
    staff(Section.LEGAL, username="lawyer", name="刘法规")
    household = ready_for_decision(project, code="A-031", head_name="孙某某")
    today = timezone.localdate()
    decision = legal.record_compensation_decision(
        household=household,
        by=district_member,
        number="双政征补字〔2022〕7号",
        decided_on=today - timedelta(days=45),
    )
    served_on = today - timedelta(days=40)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("lawyer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.goto(f"{live_server.url}{decision.get_absolute_url()}")
    expect(page.get_by_text("待送达")).to_be_visible()
    page.get_by_label("送达日期").fill(served_on.isoformat())
    page.get_by_role("button", name="保存").first.click()
    expect(page.get_by_text("已登记送达")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("复议期内")

    decision.refresh_from_db()
    due = legal.reconsideration_window(decision).due
    page.goto(f"{live_server.url}/deadlines/")
    row = page.locator("tr", has_text="A-031 孙某某")
    expect(row).to_contain_text("行政复议期限")
    expect(row).to_contain_text(due.strftime("%Y-%m-%d"))
    row.get_by_text("计算依据").click()
    expect(row.locator("ol.explanation")).to_contain_text("节假日依据")
