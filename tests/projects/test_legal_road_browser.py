from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from projects import legal
from tests.auth import log_in_browser
from tests.compensation.factories import ready_for_decision
from tests.factories import announce


@pytest.mark.django_db(transaction=True)
def test_an_undecided_reconsideration_shows_both_windows_and_the_announcement_goes_public(
    live_server, page: Page, project, district_member, office_user
):
    household = ready_for_decision(
        project, code="A-031", head_name="孙小梅", address="六岭路12号3栋2单元401室"
    )
    today = timezone.localdate()
    decision = legal.record_compensation_decision(
        household=household,
        by=district_member,
        number="双政征补字〔2026〕9号",
        decided_on=today - timedelta(days=100),
        amount=Decimal("256000.00"),
        amount_reason="经评估复核后确定。",
        reconsideration_body="邵阳市人民政府",
        court="邵阳市中级人民法院",
    )
    legal.serve_decision(
        decision=decision, by=district_member, served_on=today - timedelta(days=99)
    )
    # Accepted 70 days ago: the review body's 60 days (rolled past any holiday) ended before today.
    accepted_on = today - timedelta(days=70)

    log_in_browser(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}{decision.get_absolute_url()}")
    page.get_by_text("登记行政复议").click()
    page.get_by_label("申请复议日期").fill((accepted_on - timedelta(days=3)).isoformat())
    page.get_by_label("复议受理日期").fill(accepted_on.isoformat())
    page.locator("form[action$='/reconsideration/'] button").click()
    expect(page.get_by_text("已登记行政复议情况")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("复议逾期未决，诉讼期内")

    decision.refresh_from_db()
    suit = legal.suit_window(decision).due
    court = legal.application_window(decision).due
    road = page.locator("ol.road")
    expect(road).to_contain_text("复议机关逾期未作决定")
    expect(road.locator("li", has_text="提起行政诉讼期限")).to_contain_text(
        f"{suit.year}年{suit.month}月{suit.day}日"
    )
    expect(road.locator("li", has_text="申请法院强制执行期限")).to_contain_text(
        f"{court.year}年{court.month}月{court.day}日"
    )

    page.goto(f"{live_server.url}/deadlines/")
    row = page.locator("tr", has_text="A-031 孙小梅")
    expect(row).to_contain_text("起诉期限（复议逾期未决）")
    expect(row).to_contain_text(suit.strftime("%Y-%m-%d"))

    # The office drafts the announcement, a leader signs it off and 法规科 publishes it (their
    # pages are tested in tests/projects/test_notice_publication.py); the public reads it
    # masked, on a phone too.
    announce(decision, by=office_user, on=today)
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/public/notices/")
    page.get_by_text("房屋征收补偿决定公告（双政征补字〔2026〕9号）").click()
    body = page.locator("article")
    expect(body).to_contain_text("孙*梅")
    expect(body).to_contain_text("六岭路12号3栋***")
    expect(body).to_contain_text("贰拾伍万陆仟元整")
    expect(body).to_contain_text("邵阳市中级人民法院")
    expect(body).not_to_contain_text("孙小梅")
    expect(body).not_to_contain_text("401室")
