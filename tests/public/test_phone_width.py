"""The public household look-up and the public project page on a 390 px phone: nothing
wider than the screen, no table that scrolls sideways; amounts read as stacked rows."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from projects import services as project_services
from tests.compensation.factories import approve_plan, approved_agreement, valued_household
from tests.factories import HouseholdFactory, sign_off_and_publish, staff

PHONE = {"width": 390, "height": 844}
SHOTS = "/tmp/residents-390"  # noqa: S108  (screenshots to look at, not test data)

# The widest element of the page and every table or list that scrolls inside it.
OVERFLOW = """() => {
  const viewport = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > viewport + 1)
    .map(e => e.tagName + '.' + e.className);
  const scrolling = [...document.querySelectorAll('table, .table-scroll, dl, ol')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.tagName + '.' + e.className);
  return {page: document.documentElement.scrollWidth, viewport, wide, scrolling};
}"""


def assert_fits(page: Page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    found = page.evaluate(OVERFLOW)
    assert found["viewport"] == PHONE["width"]
    assert found["page"] <= found["viewport"], found
    assert found["wide"] == [], found
    assert found["scrolling"] == [], found


@pytest.fixture
def public_project(project):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    approve_plan(project)
    household = valued_household(
        project,
        code="LL-2022-0001",
        area="123.45",
        unit_price="5234.56",
        head_name="欧阳小明",
        address="邵阳市双清区六岭路东段建设巷112号3栋2单元401室",
    )
    approved_agreement(household)
    for n in range(2, 7):
        HouseholdFactory(
            project=project,
            code=f"LL-2022-{n:04d}",
            area=Decimal("1234.56"),
            address=f"邵阳市双清区六岭路东段建设巷{n}号{n}栋{n}单元{n}01室",
        )
    office = staff(username="publisher")
    notice = project_services.draft_notice(
        project=project,
        by=office,
        kind="other",  # a long title; a 启动公告 would belong to the project's first stage
        title="关于六岭棚户区改造项目房屋征收范围内暂停办理相关手续的启动公告",
        body="正文",
    )
    sign_off_and_publish(notice, by=office, on=date(2022, 3, 1))
    return project, household


@pytest.mark.django_db(transaction=True)
def test_the_lookup_and_the_project_page_fit_a_390_px_phone(live_server, browser, public_project):
    project, household = public_project
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{live_server.url}/public/")
    assert_fits(page, "home")
    page.goto(f"{live_server.url}{project_page(project)}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(project.name)
    assert_fits(page, "project")

    page.goto(f"{live_server.url}/public/lookup/")
    page.get_by_label("征收项目").select_option(str(project.pk))
    page.get_by_label("户号").fill(household.code)
    page.get_by_label("身份证号码后六位").fill(household.id_number[-6:])
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".own-row")).to_contain_text(household.head_name)
    assert_fits(page, "lookup")
    # The amounts are on screen, stacked under their labels.
    amount = page.get_by_text("123.45").first
    expect(amount).to_be_in_viewport()
    context.close()


def project_page(project) -> str:
    from django.urls import reverse

    return reverse("public:project_detail", args=[project.code])


def test_the_id_tail_typed_with_a_space_reaches_the_lookup_whole(
    live_server, browser, public_project
):
    """The input must not cut "123 45X" (7 characters typed, 6 meant) before normalising."""
    project, household = public_project
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{live_server.url}/public/lookup/")
    page.get_by_label("征收项目").select_option(str(project.pk))
    page.get_by_label("户号").fill(household.code)
    tail = household.id_number[-6:]
    page.get_by_label("身份证号码后六位").fill(f"{tail[:3]}\u3000{tail[3:]}")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".own-row")).to_contain_text(household.head_name)
    context.close()


# The card's box and its widest label's and amounts' boxes, and the page's width.
CARD_BOXES = """() => {
  const card = [...document.querySelectorAll('section.panel')]
    .find(s => s.querySelector('h2').textContent.trim() === '补偿款');
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right}; };
  const labels = [...card.querySelectorAll('dt')];
  return {
    page: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
    card: box(card),
    longest: labels.map(dt => dt.textContent).sort((a, b) => b.length - a.length)[0],
    rows: [...card.querySelectorAll('dd')].map(dd => ({text: dd.textContent, ...box(dd),
      textRight: (() => { const r = document.createRange(); r.selectNodeContents(dd);
                          return r.getBoundingClientRect().right; })()})),
  };
}"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_the_compensation_card_keeps_its_amounts_inside_at_desktop_and_phone_width(
    live_server, browser, public_project, width
):
    """A breakdown line's long label ("被征收房屋价值（评估单价 … × 建筑面积 …）") wraps inside
    the card; the amounts stay in the card, right-aligned, and the page does not scroll sideways."""
    project, household = public_project
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/public/lookup/")
    page.get_by_label("征收项目").select_option(str(project.pk))
    page.get_by_label("户号").fill(household.code)
    page.get_by_label("身份证号码后六位").fill(household.id_number[-6:])
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name="补偿款")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/compensation-card-{width}.png", full_page=True)
    found = page.evaluate(CARD_BOXES)
    assert found["viewport"] == width
    assert found["page"] <= width, found
    assert "建筑面积" in found["longest"] and len(found["longest"]) > 30, found
    card = found["card"]
    assert card["right"] <= width, found
    due = [row for row in found["rows"] if row["text"] == f"{household_due(household):,.2f}"]
    assert due, found
    for row in found["rows"]:
        assert card["left"] <= row["left"] and row["right"] <= card["right"], row
        # Right-aligned: the figure ends where its cell ends.
        assert abs(row["textRight"] - row["right"]) <= 1, row
    context.close()


def household_due(household):
    from compensation import reports

    return reports.household_figures(household)["due"]
