"""In a browser: a blocked form gives way to its 办理条件 panel, and a leader's override from the
panel brings him back to the form, now open."""

import pytest
from playwright.sync_api import Page, expect

from core.roles import Section
from projects.models import GateOverride, Stage
from tests.factories import HouseholdFactory, ProjectFactory, put_at_stage, staff
from tests.projects.test_plan_review_browser import log_in


@pytest.mark.django_db(transaction=True)
def test_a_leader_overrides_a_blocked_decision_from_its_panel(live_server, page: Page, tmp_path):
    project = ProjectFactory(name="六岭棚改", district__name="双清区", district__code="sq")
    household = HouseholdFactory(project=project, code="A-001")
    put_at_stage(project, Stage.SURVEY)
    staff(Section.LEADER, username="boss", name="周领导")
    base = live_server.url

    log_in(page, base, "boss")
    page.goto(f"{base}/households/{household.pk}/decisions/new/")
    panel = page.locator("#gate-refusal")
    expect(panel).to_contain_text(
        "项目处于「调查登记」阶段，作出补偿决定须在「补偿决定」阶段办理。"
    )
    expect(page.locator("input[name=number]")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "gate-refused.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "gate-refused-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    panel.get_by_text("越过办理条件").click()
    panel.get_by_label("越过理由（将记入审计记录）").fill("区政府专题会议决定先行作出补偿决定")
    panel.get_by_role("button", name="准予越过").click()

    expect(page.locator(".messages")).to_contain_text("已记录越过办理条件")
    expect(page.locator("input[name=number]")).to_be_visible()
    assert GateOverride.objects.get().reason == "区政府专题会议决定先行作出补偿决定"


@pytest.mark.django_db(transaction=True)
def test_the_blocked_import_in_the_project_navigation_opens_its_refusal(live_server, page: Page):
    project = ProjectFactory(name="六岭棚改", district__name="双清区", district__code="sq")
    put_at_stage(project, Stage.DECISION)
    staff(Section.OPERATIONS, username="clerk", name="王业务")
    base = live_server.url

    log_in(page, base, "clerk")
    page.goto(f"{base}{project.get_absolute_url()}")
    refusal = page.locator("#import-gate-refusal")
    expect(refusal).to_be_hidden()  # folded, as the page's other blocked actions
    page.locator("nav.subnav").get_by_role("link", name="导入调查登记表").click()
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("导入调查登记表须在「立项启动」、「调查登记」阶段办理")
    expect(page).to_have_url(f"{base}{project.get_absolute_url()}#import-gate-refusal")


# How wide the search box's placeholder is, and the room inside the box.
PLACEHOLDER_ROOM = """el => {
  const style = getComputedStyle(el);
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;white-space:pre;visibility:hidden';
  probe.style.font = style.font;
  probe.textContent = el.placeholder;
  document.body.append(probe);
  const text = probe.getBoundingClientRect().width;
  probe.remove();
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  return {text, room: el.clientWidth - padding};
}"""


@pytest.mark.django_db(transaction=True)
def test_the_household_registers_blocked_import_opens_its_refusal_and_its_search_box_fits(
    live_server, page: Page
):
    project = ProjectFactory(name="六岭棚改", district__name="双清区", district__code="sq")
    put_at_stage(project, Stage.DECISION)
    staff(Section.OPERATIONS, username="clerk", name="王业务")
    base = live_server.url
    register = f"{base}/projects/{project.pk}/households/"

    log_in(page, base, "clerk")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(register)
    search = page.get_by_placeholder("户号、户主姓名或房屋坐落")
    found = search.evaluate(PLACEHOLDER_ROOM)
    assert found["text"] <= found["room"], found  # the whole placeholder shows
    refusal = page.locator("#import-gate-refusal")
    expect(refusal).to_be_hidden()
    page.locator(".page-head").get_by_role("link", name="导入调查登记表").click()
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("导入调查登记表须在「立项启动」、「调查登记」阶段办理")
    expect(page).to_have_url(f"{register}#import-gate-refusal")
