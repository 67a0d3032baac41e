"""A household's pick end to end in Chromium: staff call the number and pick a flat on the
selection-day page; the public board, open on another screen, turns the flat taken by itself."""

import os

import pytest
from playwright.sync_api import Page, expect

from core.roles import Section
from resettlement.models import Flat
from tests.auth import log_in_browser
from tests.factories import staff
from tests.resettlement.selection_helpers import flat, published_round, swap_project

SHOTS = "/tmp/selection18"  # noqa: S108  (screenshots to look at, not test data)

# Nothing wider than the screen, no table that scrolls sideways.
OVERFLOW = """() => {
  const viewport = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > viewport + 1)
    .map(e => e.tagName + '.' + e.className);
  return {page: document.documentElement.scrollWidth, viewport, wide};
}"""


@pytest.mark.django_db(transaction=True)
def test_staff_call_a_number_pick_a_flat_and_the_board_shows_it_taken(
    live_server, page: Page, district
):
    os.makedirs(SHOTS, exist_ok=True)
    project = swap_project(district, households=4, floors=6, per_floor=4)
    project.started_on = "2022-01-01"
    project.save(update_fields=["started_on"])
    clerk = staff(Section.OPERATIONS, username="desk", name="叫号员")
    selection_round = published_round(project, clerk)

    board = page.context.new_page()
    board.set_viewport_size({"width": 1920, "height": 1080})
    board.goto(f"{live_server.url}/public/projects/{project.code}/selection/board/")
    target = flat(project, "101")
    expect(board.locator(f"#flat-{target.pk}")).to_have_attribute("data-state", "left")
    expect(board.locator(".board-counts")).to_have_text("已选 0 套，剩余 24 套")

    log_in_browser(page, live_server.url, "desk")
    page.goto(f"{live_server.url}/resettlement/selection/{selection_round.pk}/")
    page.get_by_role("button", name="叫下一号").click()
    expect(page.locator("#current-number")).to_have_text("1")
    expect(page.get_by_text("请1号（H-001户）选房。")).to_be_visible()
    page.get_by_role("button", name="选定六岭棚改安置小区1栋101").click()
    expect(page.get_by_text("1号（H-001户）选定六岭棚改安置小区1栋101。")).to_be_visible()
    page.get_by_role("button", name="叫下一号").click()
    expect(page.locator("#current-number")).to_have_text("2")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{SHOTS}/desk.png", full_page=True)

    # The board was not reloaded: htmx polling brings the taken flat and the next number.
    expect(board.locator(f"#flat-{target.pk}")).to_have_attribute("data-state", "taken")
    expect(board.locator(".board-counts")).to_have_text("已选 1 套，剩余 23 套")
    expect(board.locator("#board-called")).to_contain_text("2号 测*一")
    expect(board.locator("#board-recent")).to_contain_text("1号 测*一 → 六岭棚改安置小区1栋101")
    assert Flat.objects.get(pk=target.pk).state == Flat.State.SELECTED
    board.screenshot(path=f"{SHOTS}/board-1920.png", full_page=True)

    board.set_viewport_size({"width": 390, "height": 844})
    board.reload()
    expect(board.locator(f"#flat-{target.pk}")).to_have_attribute("data-state", "taken")
    board.screenshot(path=f"{SHOTS}/board-390.png", full_page=True)
    found = board.evaluate(OVERFLOW)
    assert found["page"] <= found["viewport"], found
    assert found["wide"] == [], found

    # The public order page (numbers, codes, masked names) on the same phone.
    board.goto(f"{live_server.url}/public/projects/{project.code}/selection/")
    expect(board.get_by_role("heading", level=1)).to_have_text("六岭棚改 产权调换选房顺序")
    expect(board.locator("table")).to_contain_text("H-004")
    expect(board.get_by_text("摇号方法")).to_have_count(0)
    board.screenshot(path=f"{SHOTS}/order-390.png", full_page=True)
    found = board.evaluate(OVERFLOW)
    assert found["page"] <= found["viewport"], found
    assert found["wide"] == [], found
