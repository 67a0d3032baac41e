from datetime import date

import pytest
from playwright.sync_api import Page, expect

from appraisers import services
from appraisers.models import FirmSelection
from projects.models import Stage
from tests.appraisers.factories import FirmFactory
from tests.factories import PASSWORD, HouseholdFactory, ProjectFactory, put_at_stage, staff


@pytest.mark.django_db(transaction=True)
def test_staff_member_runs_a_random_draw_and_sees_the_result_notice(
    live_server, page: Page, district
):
    clerk = staff(username="clerk", name="王测试")
    project = ProjectFactory(district=district, code="2022-SQ-001", name="六岭棚改")
    put_at_stage(project, Stage.DECISION)
    for n in range(3):
        HouseholdFactory(project=project, code=f"A-{n:03d}")
    firms = [FirmFactory(name=name) for name in ("甲评估", "乙评估", "丙评估")]
    services.open_selection(project=project, by=clerk, firms=firms, opened_on=date(2022, 6, 1))

    page.goto(f"{live_server.url}/appraisers/projects/{project.pk}/selection/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="候选机构")).to_be_visible()
    page.get_by_text("随机确定（摇号）").click()
    expect(page.get_by_text("hashlib.sha256").first).to_be_visible()
    page.get_by_label("见证人").fill("被征收人代表甲、纪检干部乙")
    page.get_by_label("公证机构").fill("邵阳市公证处")
    page.get_by_role("button", name="开始摇号").click()

    selection = FirmSelection.objects.select_related("winner").get()
    expect(page.get_by_text(f"随机确定完成：{selection.winner.name}")).to_be_visible()
    expect(page.locator("#draw-seed")).to_have_text(selection.seed)
    expect(page.get_by_text("按公开方法复算，结果一致。")).to_be_visible()

    page.locator("#result-notice").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("六岭棚改评估机构选定结果公告")
    expect(page.locator("#notice-status")).to_have_text("草稿")  # until a leader signs it off
    expect(page.get_by_text(f"随机种子：{selection.seed}")).to_be_visible()
    expect(page.get_by_text("见证人：被征收人代表甲、纪检干部乙").first).to_be_visible()
