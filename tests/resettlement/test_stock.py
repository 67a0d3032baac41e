"""The stock pages: estates → buildings → flats, filters and counts, prices, voiding, freezing
for a project, the dashboard and the exports, reached as users reach them."""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from core.roles import Section
from resettlement.models import Building, Estate, Flat, FlatPrice, Selection
from tests.factories import HouseholdFactory, staff
from tests.resettlement.helpers import add_price, make_estate, swap_ready

pytestmark = pytest.mark.django_db

State = Flat.State


@pytest.fixture
def estate(district):
    return make_estate(district)


@pytest.fixture
def leader(db):
    return staff(Section.LEADER, username="leader", name="周领导")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow_messages(client, url, data) -> list[str]:
    response = client.post(url, data, follow=True)
    return [str(m) for m in response.context["messages"]]


# --- reading, scoping -------------------------------------------------------------------------


def test_office_sees_estates_with_counts_by_state(client, office_user, estate):
    Flat.objects.filter(building__name="1栋", floor=1).update(state=State.VOID)
    client.force_login(office_user)
    response = client.get(reverse("resettlement:estate_list"))
    assert response.status_code == 200
    row = response.context["estates"][0]
    assert (row.flat_total, row.n_free, row.n_void) == (24, 22, 2)
    assert "安置房源" in response.content.decode()  # the navigation entry


def test_district_user_sees_only_its_districts_stock(
    client, district_member, estate, other_district
):
    other = make_estate(other_district, name="外区安置小区")
    client.force_login(district_member)
    response = client.get(reverse("resettlement:estate_list"))
    assert [e.name for e in response.context["estates"]] == ["桃源安置小区"]
    assert client.get(reverse("resettlement:estate_detail", args=[other.pk])).status_code == 404
    other_flat = Flat.objects.filter(building__estate=other).first()
    assert client.get(reverse("resettlement:flat_detail", args=[other_flat.pk])).status_code == 404
    listed = client.get(reverse("resettlement:flat_list")).context["counts"]
    assert listed.total == 24


def test_flat_filter_takes_area_bounds_inclusive_and_counts_the_filtered_set(
    client, office_user, estate
):
    client.force_login(office_user)
    response = client.get(
        reverse("resettlement:flat_list"),
        {"area_min": "75.50", "area_max": "90.00", "layout": "三室", "kind": "resettlement"},
    )
    flats = list(response.context["page"])
    expected = Flat.objects.filter(
        area__gte=Decimal("75.50"), area__lte=Decimal("90.00"), layout="三室两厅"
    )
    assert {f.pk for f in flats} == set(expected.values_list("pk", flat=True))
    assert {f.area for f in flats} == {Decimal("75.50"), Decimal("90.00")}
    assert response.context["counts"].total == expected.count()
    # One fen below the lower bound is out.
    below = client.get(reverse("resettlement:flat_list"), {"area_max": "75.49"})
    assert {f.area for f in below.context["page"]} == {Decimal("60.00")}


def test_flat_list_is_paginated_by_fifty(client, office_user, district):
    make_estate(district, floors=30, per_floor=1)  # 60 flats
    client.force_login(office_user)
    first = client.get(reverse("resettlement:flat_list"))
    assert len(first.context["page"]) == 50
    second = client.get(reverse("resettlement:flat_list"), {"page": 2})
    assert len(second.context["page"]) == 10


def test_an_inverted_area_range_is_reported(client, office_user, estate):
    client.force_login(office_user)
    response = client.get(reverse("resettlement:flat_list"), {"area_min": "90", "area_max": "60"})
    assert "面积上限不能小于下限" in response.content.decode()


# --- estates and buildings --------------------------------------------------------------------


def test_office_registers_an_estate_and_an_off_plan_building(client, office_user, district):
    client.force_login(office_user)
    response = client.post(
        reverse("resettlement:estate_create"),
        {"name": "新城安置小区", "district": district.pk, "address": "新城路8号"},
    )
    estate = Estate.objects.get(name="新城安置小区")
    assert response.url == reverse("resettlement:estate_detail", args=[estate.pk])
    url = reverse("resettlement:building_create", args=[estate.pk])
    refused = client.post(url, {"name": "3栋", "floors": 18, "delivery": "off_plan"})
    assert "期房须填写预计交付日期" in refused.content.decode()
    client.post(
        url,
        {"name": "3栋", "floors": 18, "delivery": "off_plan", "expected_delivery_on": "2025-12-31"},
    )
    building = Building.objects.get(estate=estate, name="3栋")
    assert building.expected_delivery_on == date(2025, 12, 31)
    assert estate.history.count() == 1 and building.history.first().history_user == office_user


def test_district_user_cannot_edit_the_stock(client, district_member, estate):
    client.force_login(district_member)
    response = client.post(
        reverse("resettlement:estate_edit", args=[estate.pk]),
        {"name": "改名", "district": estate.district_id},
        follow=True,
    )
    assert "只有市征收办工作人员可以进行此操作" in response.content.decode()
    estate.refresh_from_db()
    assert estate.name == "桃源安置小区"


def test_building_floors_cannot_drop_below_its_highest_flat(client, office_user, estate):
    building = estate.buildings.get(name="1栋")
    client.force_login(office_user)
    response = client.post(
        reverse("resettlement:building_edit", args=[building.pk]),
        {"name": "1栋", "floors": 5, "delivery": "finished"},
    )
    assert "总层数不能小于6" in response.content.decode()
    building.refresh_from_db()
    assert building.floors == 6


# --- prices and voiding -----------------------------------------------------------------------


def test_dated_prices_are_entered_and_the_one_in_force_is_shown(client, office_user, estate):
    flat = Flat.objects.first()
    client.force_login(office_user)
    url = reverse("resettlement:flat_price", args=[flat.pk])
    client.post(
        url,
        {
            "price-effective_on": "2022-01-01",
            "price-market_price": "6000.00",
            "price-resettlement_price": "3500.00",
        },
    )
    client.post(
        url,
        {
            "price-effective_on": "2023-01-01",
            "price-market_price": "6200.00",
            "price-resettlement_price": "3600.00",
        },
    )
    assert flat.price_on(date(2022, 12, 31)).market_price == Decimal("6000.00")
    assert flat.price_on(date(2023, 1, 1)).market_price == Decimal("6200.00")
    page = client.get(reverse("resettlement:flat_detail", args=[flat.pk])).content.decode()
    assert "市场价 6,200.00 元/平方米" in page
    same_day = client.post(
        url,
        {
            "price-effective_on": "2023-01-01",
            "price-market_price": "1.00",
            "price-resettlement_price": "1.00",
        },
    )
    assert "同一天只能有一条价格" in same_day.content.decode()
    above = client.post(
        url,
        {
            "price-effective_on": "2024-01-01",
            "price-market_price": "5000.00",
            "price-resettlement_price": "5000.01",
        },
    )
    assert "安置价（优惠价）不能高于市场价" in above.content.decode()
    assert FlatPrice.objects.filter(flat=flat).count() == 2


def test_a_flat_is_voided_with_its_reason_in_the_history(client, office_user, estate):
    flat = Flat.objects.first()
    client.force_login(office_user)
    url = reverse("resettlement:flat_void", args=[flat.pk])
    client.post(url, {"void-reason": ""})
    flat.refresh_from_db()
    assert flat.state == State.FREE
    client.post(url, {"void-reason": "漏水，暂不安置"})
    flat.refresh_from_db()
    assert (flat.state, flat.void_reason) == (State.VOID, "漏水，暂不安置")
    page = client.get(reverse("resettlement:flat_detail", args=[flat.pk])).content.decode()
    assert "作废" in page and "空闲" in page  # the history shows 空闲 → 作废


# --- freezing ---------------------------------------------------------------------------------


def _freeze(client, project, *, building=None, operation="freeze", **filters):
    query = {"building": building.pk} if building else {}
    query.update(filters)
    url = reverse("resettlement:flat_freeze") + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return _follow_messages(
        client, url, {"freeze-project": project.pk, "freeze-operation": operation}
    )


def test_a_leader_freezes_a_building_for_a_project(client, leader, estate, project):
    swap_ready(project)
    building = estate.buildings.get(name="2栋")
    client.force_login(leader)
    messages = _freeze(client, project, building=building)
    assert messages == [f"已为“{project.name}”冻结12套房源。"]
    frozen = Flat.objects.filter(state=State.FROZEN)
    assert frozen.count() == 12 and set(frozen.values_list("building", flat=True)) == {building.pk}
    flat = frozen.first()
    assert (flat.project, flat.frozen_by) == (project, leader) and flat.frozen_at is not None
    assert flat.history.first().history_user == leader


def test_freezing_is_refused_to_a_non_leader(client, office_user, estate, project):
    swap_ready(project)
    client.force_login(office_user)
    building = estate.buildings.get(name="1栋")
    messages = _freeze(client, project, building=building)
    assert messages == ["该事项须由领导审批，请由领导操作。"]
    assert not Flat.objects.filter(state=State.FROZEN).exists()


def test_freezing_a_set_with_a_taken_flat_freezes_nothing(
    client, leader, estate, project, other_project
):
    swap_ready(project)
    swap_ready(other_project)
    building = estate.buildings.get(name="1栋")
    taken = building.flats.get(floor=3, number="301")
    taken.state, taken.project = State.SELECTED, other_project
    taken.save()
    void = building.flats.get(floor=4, number="401")
    void.state, void.void_reason = State.VOID, "拆改"
    void.save()
    client.force_login(leader)
    messages = _freeze(client, project, building=building)
    assert messages == [
        f"桃源安置小区1栋1单元301状态为“已选”（{other_project.name}），不是空闲房源，不能冻结。",
        "桃源安置小区1栋1单元401已作废，不能冻结。",
    ]
    assert not Flat.objects.filter(state=State.FROZEN).exists()


def test_transit_flats_are_not_frozen_for_a_selection(client, leader, estate, project):
    swap_ready(project)
    flat = Flat.objects.get(building__name="1栋", number="101")
    flat.kind = Flat.Kind.TRANSIT
    flat.save()
    client.force_login(leader)
    messages = _freeze(client, project, building=flat.building, floor=1)
    assert messages == ["桃源安置小区1栋1单元101是周转房，不能冻结用于选房。"]


def test_freezing_needs_the_plans_swap_rules_approved(client, leader, estate, project):
    from tests.factories import put_at_stage

    put_at_stage(project, "signing")
    client.force_login(leader)
    messages = _freeze(client, project, building=estate.buildings.first())
    assert messages == [
        "补偿方案尚未经市征收办批准。",
        "补偿方案尚未规定产权调换选房规则。",
    ]


def test_freezing_without_a_filter_is_refused(client, leader, estate, project):
    swap_ready(project)
    client.force_login(leader)
    messages = _follow_messages(
        client,
        reverse("resettlement:flat_freeze"),
        {"freeze-project": project.pk, "freeze-operation": "freeze"},
    )
    assert messages == ["请先按楼栋或条件筛选出要办理的房源，再冻结或解冻。"]


def test_unfreezing_releases_only_flats_not_chosen(client, leader, estate, project):
    swap_ready(project)
    building = estate.buildings.get(name="1栋")
    client.force_login(leader)
    _freeze(client, project, building=building)
    chosen = building.flats.get(number="201")
    Selection.objects.create(
        household=HouseholdFactory(project=project), flat=chosen, selected_by=leader
    )
    chosen.state = State.SELECTED
    chosen.save()
    messages = _freeze(client, project, building=building, operation="unfreeze")
    assert messages == ["桃源安置小区1栋1单元201状态为“已选”，只能解冻尚未选定的房源。"]
    assert building.flats.filter(state=State.FROZEN).count() == 11
    messages = _freeze(client, project, building=building, operation="unfreeze", state="frozen")
    assert messages == [f"已解冻“{project.name}”的11套房源。"]
    assert building.flats.filter(state=State.FREE, project__isnull=True).count() == 11


# --- dashboard and exports --------------------------------------------------------------------


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_flat_export_has_the_filtered_rows_with_the_price_in_force(client, office_user, estate):
    flat = Flat.objects.get(building__name="2栋", number="101")
    add_price(flat, date(2022, 1, 1), "6000.00", "3500.00")
    add_price(flat, date(2099, 1, 1), "9000.00", "9000.00")  # not in force yet
    client.force_login(office_user)
    response = client.get(reverse("resettlement:flat_export"), {"building": flat.building_id})
    rows = _sheet(response)
    assert rows[0][:6] == ["小区", "楼栋", "单元", "楼层", "房号", "建筑面积（平方米）"]
    assert len(rows) == 1 + 12
    row = next(r for r in rows[1:] if r[4] == "101")
    assert row[8] == "期房" and row[9].date() == date(2024, 6, 30)
    assert row[10] == "安置房" and row[11] == "空闲"
    assert (row[13], row[14]) == (6000, 3500)


def test_dashboard_shows_selection_progress_per_project_and_exports_it(
    client, leader, estate, project
):
    swap_ready(project)
    client.force_login(leader)
    _freeze(client, project, building=estate.buildings.get(name="1栋"))
    flat = Flat.objects.get(building__name="1栋", number="101")
    flat.state = State.SIGNED
    flat.save()
    response = client.get(reverse("resettlement:stock_dashboard"))
    row = response.context["projects"][0]
    assert (row.reserved, row.chosen, row.chosen_percent) == (12, 1, Decimal("8.3"))
    page = response.content.decode()
    assert 'id="selection-progress"' in page and "已选1/12套 8.3%" in page
    rows = _sheet(client.get(reverse("resettlement:stock_dashboard_export")))
    assert rows[1] == [project.code, project.name, 12, 11, 0, 1, 0, 1, 8.3]
    estates = _sheet(client.get(reverse("resettlement:estate_export")))
    assert estates[1][:4] == ["桃源安置小区", "双清区", "测试大道1号", 24]


def _table(page: str, table_id: str) -> list[list[str]]:
    """The header and body cells of the page's table `table_id`, as text."""
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    ]


def test_the_progress_export_has_the_pages_columns_and_counts(client, leader, estate, project):
    """One flat in each chosen state: the page's progress (已选3/12) and the export's cells are
    the same figures under the same unambiguous headers; 已选（未签约） never reads as every
    chosen flat."""
    swap_ready(project)
    client.force_login(leader)
    _freeze(client, project, building=estate.buildings.get(name="1栋"))
    flats = Flat.objects.filter(building__name="1栋").order_by("floor", "number")
    for flat, state in zip(flats, (State.SELECTED, State.SIGNED, State.DELIVERED), strict=False):
        flat.state = state
        flat.save()
    page = client.get(reverse("resettlement:stock_dashboard")).content.decode()
    assert "已选3/12套 25.0%" in page
    table = _table(page, "project-stock")
    assert table[0] == [
        "项目",
        "冻结房源合计",
        "待选",
        "已选（未签约）",
        "已签约",
        "已交付",
        "已选合计（含已签约、已交付）",
        "选房进度（%）",
    ]
    assert table[1] == [project.name, "12", "9", "1", "1", "1", "3", "25.0"]
    sheet = _sheet(client.get(reverse("resettlement:stock_dashboard_export")))
    assert sheet[0] == ["项目编号", "项目名称", *table[0][1:]]
    assert sheet[1] == [project.code, project.name, 12, 9, 1, 1, 1, 3, 25]
    assert [str(v) for v in sheet[1][2:-1]] == table[1][1:-1]

    estates = _table(page, "estate-stock")
    assert estates[0] == [
        "小区",
        "房源合计",
        "空闲",
        "冻结",
        "已选（未签约）",
        "已签约",
        "已交付",
        "作废",
    ]
    row = next(r for r in estates if r[0] == "桃源安置小区")
    assert row == ["桃源安置小区", "24", "12", "9", "1", "1", "1", "0"]
    export = _sheet(client.get(reverse("resettlement:estate_export")))
    assert export[0][3:] == estates[0][1:]
    assert [str(v) for v in export[1][3:]] == row[1:]


def test_the_estate_pages_name_the_selected_state_like_the_dashboard(client, office_user, estate):
    """The estate list and page count each state under the dashboard's headers: the count of
    flats 已选 alone reads 已选（未签约）, beside 已签约 and 已交付."""
    client.force_login(office_user)
    states = ["空闲", "冻结", "已选（未签约）", "已签约", "已交付", "作废"]
    for url in (
        reverse("resettlement:estate_list"),
        reverse("resettlement:estate_detail", args=[estate.pk]),
    ):
        page = client.get(url).content.decode()
        headers = re.findall(r'<th class="num">(.*?)</th>', page)
        assert headers[-6:] == states, (url, headers)
        assert '<th class="num">已选</th>' not in page
