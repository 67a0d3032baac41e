"""The settlement page in Chromium: staff record the hand-over with the form on the page; the
household's public look-up at 390 px shows its flat and difference with nothing wider than
the screen."""

import os
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from compensation import services
from resettlement import handover
from tests.auth import log_in_browser
from tests.compensation.factories import approve_plan, valued_household
from tests.factories import staff
from tests.resettlement.swap_factories import chosen_flat, swap_terms
from tests.resettlement.test_selection_browser import OVERFLOW

SHOTS = "/tmp/settle18"  # noqa: S108  (screenshots to look at, not test data)


@pytest.mark.django_db(transaction=True)
def test_hand_over_on_the_page_and_the_public_lookup_at_390(live_server, page: Page, project):
    os.makedirs(SHOTS, exist_ok=True)
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    clerk = staff(username="keys", name="交房员")
    swap_terms(approve_plan(project))
    household = valued_household(
        project, area="70.00", unit_price="5000.00", moved_out_on=date(2022, 6, 1)
    )
    selection = chosen_flat(household, clerk)
    services.compute_breakdown(household=household, by=clerk, method="swap")
    handover.mark_signed(household)
    handover.record_delivery(building=selection.flat.building, on=timezone.localdate(), by=clerk)

    log_in_browser(page, live_server.url, "keys")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/resettlement/households/{household.pk}/settlement/")
    expect(page.locator("#difference")).to_have_text(
        "被征收人应补交 42,001.00 元（大写：肆万贰仟零壹元整）"
    )
    page.get_by_text("登记交房").click()
    page.locator("#chosen-flats input[name=keys]").fill("3")
    page.get_by_role("button", name="交房", exact=True).click()
    expect(page.get_by_text("测试安置小区2栋1单元502 已交房。")).to_be_visible()
    expect(page.locator("#chosen-flats")).to_contain_text("钥匙 3 把")
    page.screenshot(path=f"{SHOTS}/settlement.png", full_page=True)

    public = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    public.goto(f"{live_server.url}/public/lookup/")
    public.select_option("select[name=project]", str(project.pk))
    public.fill("input[name=code]", household.code)
    public.fill("input[name=id_tail]", household.id_number[-6:])
    public.locator("form button[type=submit]").click()
    expect(public.get_by_text("测试安置小区 2栋 1单元502，95.00 平方米，期房")).to_be_visible()
    expect(public.get_by_text("被征收人应补交 42,001.00 元")).to_be_visible()
    public.screenshot(path=f"{SHOTS}/lookup-390.png", full_page=True)
    overflow = public.evaluate(OVERFLOW)
    assert overflow["page"] <= overflow["viewport"], overflow["wide"]
