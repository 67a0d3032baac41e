"""The public project page shows the stock offered to the project's swap households (counts
by layout and area band, no personal data), readable on a 390 px phone."""

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from resettlement.models import Flat
from tests.public.test_phone_width import PHONE, assert_fits
from tests.resettlement.helpers import make_estate

State = Flat.State


@pytest.fixture
def offering_project(project, district):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    make_estate(district)  # 24 flats: areas 60.00, 75.50, 90.00, 120.00 by position
    flats = Flat.objects.filter(building__name="1栋")
    flats.update(state=State.FROZEN, project=project)
    # Two of them chosen: not 'left' any more, still offered.
    for flat in flats.filter(floor=1):
        flat.state = State.SELECTED
        flat.save()
    return project


@pytest.mark.django_db
def test_the_public_page_counts_the_offered_flats_by_layout_and_area(client, offering_project):
    response = client.get(reverse("public:project_detail", args=[offering_project.code]))
    offered = response.context["offered"]
    assert (offered["total"], offered["left"]) == (12, 10)
    rows = {row.label: (row.offered, row.left) for row in offered["by_layout"]}
    assert rows == {"三室两厅": (6, 5), "两室一厅": (6, 5)}
    areas = Flat.objects.filter(project=offering_project)
    bands = {row.label: row.offered for row in offered["by_area"]}
    # 60.00 falls in 60–90 (the band's low edge is in it), 90.00 in 90–120.
    assert bands["60–90平方米"] == areas.filter(area__gte=60, area__lt=90).count()
    assert bands["90–120平方米"] == areas.filter(area__gte=90, area__lt=120).count()
    assert "60平方米以下" not in bands
    page = response.content.decode()
    assert "本项目提供安置房源 12 套，尚可选择 10 套。" in page


def test_the_offered_stock_fits_a_390_px_phone(live_server, browser, offering_project):
    Path("/tmp/stock18-390").mkdir(exist_ok=True)  # noqa: S108
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('public:project_detail', args=[offering_project.code])}")
    assert page.locator("#offered-stock").is_visible()
    page.screenshot(path="/tmp/stock18-390/project.png", full_page=True)  # noqa: S108
    assert_fits(page, "stock18-offered")
    context.close()
