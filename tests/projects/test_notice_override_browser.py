"""In the browser: the leader signing off a gated 征收决定公告 reads why it still cannot be
published, and records an override with a reason on the same page."""

import pytest
from playwright.sync_api import Page, expect

from core.roles import Section
from projects import services
from projects.models import GateOverride, Notice, Stage
from tests.factories import PASSWORD, ProjectFactory, staff


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".user-name")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_the_leader_reads_the_reasons_signs_off_and_records_an_override(
    live_server, page: Page, district, tmp_path
):
    project = ProjectFactory(district=district, name="六岭棚改", stage=Stage.DECISION)
    clerk = staff(username="clerk", name="王测试")
    staff(Section.LEADER, username="boss", name="钱领导")
    notice = services.draft_notice(
        project=project, by=clerk, kind=Notice.Kind.DECISION, title="征收决定公告", body="正文"
    )
    log_in(page, live_server.url, "boss")
    page.goto(f"{live_server.url}{notice.get_absolute_url()}")
    warning = page.locator("#sign-off-blockers")
    expect(warning).to_contain_text("签发后仍不能发布，因为：")
    expect(warning).to_contain_text("补偿资金未到位：尚未开设项目资金账户")
    page.screenshot(path=str(tmp_path / "sign-off.png"), full_page=True)
    page.get_by_role("button", name="签发").click()
    expect(page.get_by_text("公告已签发，待责任科室发布。")).to_be_visible()

    page.get_by_text("越过办理条件（领导）").click()
    expect(page.locator("#override-blockers")).to_contain_text("尚未完成社会稳定风险评估。")
    page.get_by_label("越过理由").fill("市政府常务会议纪要〔2022〕12号")
    page.get_by_role("button", name="记录并越过").click()
    expect(page.locator("#pending-override")).to_contain_text("钱领导已于")
    expect(page.locator("#pending-override")).to_contain_text("市政府常务会议纪要〔2022〕12号")
    page.screenshot(path=str(tmp_path / "override.png"), full_page=True)
    record = GateOverride.objects.get()
    assert record.reason == "市政府常务会议纪要〔2022〕12号" and record.used_at is None
