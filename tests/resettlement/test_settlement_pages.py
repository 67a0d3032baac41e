"""A swap household's settlement page (chosen flats, swap lines, difference in words,
transition, overdue extension, hand-over), its forms, the documents, the project's export,
the household's file page and its public look-up, all through the pages.

Figures by hand (tests.resettlement.test_settlement_agreement): the old house 70.00 m² ×
5,000 = 350,000.00; the 95 m² flat 320,000.00 + 48,001.00 + 24,000.00; difference −42,001.00:
the household pays 42,001.00 (肆万贰仟零壹元整). Moved out 2022-06-01, 期房 expected
2024-06-30: 25 months."""

import subprocess
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from docx import Document as Docx
from openpyxl import load_workbook

from compensation import services
from compensation.models import DocumentTemplate
from resettlement import handover
from resettlement.models import Flat, Handover, TransitLoan
from tests.compensation.factories import approve_plan, valued_household
from tests.factories import HouseholdFactory
from tests.resettlement.swap_factories import chosen_flat, swap_terms

pytestmark = pytest.mark.django_db
D = Decimal
PAYS = "被征收人应补交 42,001.00 元（大写：肆万贰仟零壹元整）"


@pytest.fixture
def swap_household(project, district_member):
    swap_terms(approve_plan(project))
    household = valued_household(
        project,
        area="70.00",
        unit_price="5000.00",
        moved_out_on=date(2022, 6, 1),
        head_name="甲测试",
    )
    selection = chosen_flat(household, district_member)
    flat = selection.flat
    flat.layout = "三室两厅"
    flat.save(update_fields=["layout"])
    services.compute_breakdown(household=household, by=district_member, method="swap")
    return household, selection


def page(client, household):
    response = client.get(reverse("resettlement:household_settlement", args=[household.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_flats_lines_difference_in_words_and_transition(
    swap_household, district_member, client
):
    household, _selection = swap_household
    client.force_login(district_member)
    html = page(client, household)
    for text in ("测试安置小区", "2栋", "502", "95.00", "三室两厅", "期房", "预计 2024-06-30"):
        assert text in html
    assert "被征收房屋价值（抵作安置房价款）" in html
    assert "10 平方米 × 4,800.10 元/平方米" in html
    assert "扣减 48,001.00" in html
    assert PAYS in html
    assert "-42,001" not in html and "−42,001" not in html
    assert "25 个月" in html
    assert "自搬迁之日2022-06-01至测试安置小区2栋预计交付日期2024-06-30" in html


def test_a_household_owed_money_is_told_so(project, district_member, client):
    swap_terms(approve_plan(project))
    household = valued_household(project, area="86.50", unit_price="5000.00")
    chosen_flat(household, district_member, area="90.00")
    services.compute_breakdown(household=household, by=district_member, method="swap")
    client.force_login(district_member)
    assert "应付被征收人 72,500.00 元（大写：柒万贰仟伍佰元整）" in page(client, household)


def test_overdue_delivery_extension_counts_a_month_begun_on_the_page(
    swap_household, district_member, client
):
    household, selection = swap_household
    building = selection.flat.building
    today = timezone.localdate()
    client.force_login(district_member)
    # Exactly two months past the expected day: 2 × 12 × 70 = 1,680.00.
    building.expected_delivery_on = today - relativedelta(months=2)
    building.save()
    assert "逾期交付 2 个月，应续付临时安置费 1,680.00 元" in page(client, household)
    # One day more: a month begun counts whole, 3 × 840 = 2,520.00.
    building.expected_delivery_on = today - relativedelta(months=2) - timedelta(days=1)
    building.save()
    assert "逾期交付 3 个月，应续付临时安置费 2,520.00 元" in page(client, household)
    # Expected today: nothing owed yet.
    building.expected_delivery_on = today
    building.save()
    assert "应续付临时安置费" not in page(client, household)


def test_lend_and_return_a_transit_flat_with_errors_in_chinese(
    swap_household, district_member, client
):
    household, selection = swap_household
    transit = Flat.objects.create(
        building=selection.flat.building, floor=1, number="101", area=D("50"), kind="transit"
    )
    client.force_login(district_member)
    url = reverse("resettlement:transit_lend", args=[household.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, {"flat": transit.pk, "on": tomorrow}, follow=True)
    assert "入住周转房日期不能晚于今天。" in response.content.decode()
    assert not TransitLoan.objects.exists()

    response = client.post(url, {"flat": transit.pk, "on": "2022-06-01"}, follow=True)
    html = response.content.decode()
    assert "借用周转房 测试安置小区2栋101（2022-06-01起）" in html
    assert "借用周转房过渡，不计临时安置费" in html
    loan = TransitLoan.objects.get()

    back = reverse("resettlement:transit_return", args=[loan.pk])
    response = client.post(back, {"on": "2022-05-31"}, follow=True)
    assert "腾退日期须在入住日期之后，且不能晚于今天。" in response.content.decode()
    loan.refresh_from_db()
    assert loan.returned_on is None
    client.post(back, {"on": timezone.localdate()})
    loan.refresh_from_db()
    assert loan.returned_on == timezone.localdate()


def test_delivery_is_the_office_s_and_hand_over_needs_a_signed_agreement(
    swap_household, district_member, office_user, client
):
    household, selection = swap_household
    building = selection.flat.building
    today = timezone.localdate()
    client.force_login(district_member)
    delivery = reverse("resettlement:building_delivery", args=[household.pk, building.pk])
    assert client.post(delivery, {"on": today}).status_code == 403
    building.refresh_from_db()
    assert building.delivered_on is None

    client.force_login(office_user)
    response = client.post(delivery, {"on": today + timedelta(days=1)}, follow=True)
    assert "交付日期不能晚于今天。" in response.content.decode()
    client.post(delivery, {"on": today})
    building.refresh_from_db()
    assert building.delivered_on == today

    client.force_login(district_member)
    hand = reverse("resettlement:handover_record", args=[selection.pk])
    response = client.post(hand, {"on": today, "keys": 2}, follow=True)
    assert "尚未签订产权调换协议（现为已选），不能交房。" in response.content.decode()
    assert not Handover.objects.exists()

    handover.mark_signed(household)
    response = client.post(hand, {"on": today, "keys": 0}, follow=True)
    assert not Handover.objects.exists()
    response = client.post(hand, {"on": today, "keys": 3}, follow=True)
    html = response.content.decode()
    assert f"{today:%Y-%m-%d}，钥匙 3 把" in html
    assert Flat.objects.get(pk=selection.flat_id).state == Flat.State.DELIVERED

    # The household's file lists the flat and its hand-over.
    file_page = client.get(household.get_absolute_url()).content.decode()
    assert "产权调换安置房" in file_page
    assert "测试安置小区2栋1单元502" in file_page
    assert f"{today:%Y-%m-%d}，钥匙 3 把" in file_page

    notice = client.get(reverse("resettlement:move_in_docx", args=[selection.pk]))
    text = "\n".join(p.text for p in Docx(BytesIO(notice.content)).paragraphs)
    assert "入住通知单" in text
    assert "移交钥匙3把" in text
    assert "测试安置小区2栋1单元502" in text


def test_another_district_cannot_reach_the_page_or_act(swap_household, outsider, client):
    household, selection = swap_household
    client.force_login(outsider)
    assert (
        client.get(reverse("resettlement:household_settlement", args=[household.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("resettlement:handover_record", args=[selection.pk]),
            {"on": "2024-01-01", "keys": 1},
        ).status_code
        == 404
    )


def test_linked_from_the_compensation_and_file_pages(swap_household, district_member, client):
    household, _selection = swap_household
    client.force_login(district_member)
    url = reverse("resettlement:household_settlement", args=[household.pk])
    compensation = client.get(reverse("compensation:household_detail", args=[household.pk]))
    assert url in compensation.content.decode()
    assert url in client.get(household.get_absolute_url()).content.decode()


def test_selection_confirmation_pdf_and_docx_with_capitals(swap_household, district_member, client):
    household, _selection = swap_household
    client.force_login(district_member)
    docx = client.get(reverse("resettlement:confirmation_docx", args=[household.pk]))
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Docx(BytesIO(docx.content)).paragraphs)
    assert text.startswith("产权调换选房确认书")
    assert "测试安置小区2栋1单元502，三室两厅，建筑面积95.00平方米，期房" in text
    assert "安置价4,000.00元/平方米，市场价6,000.00元/平方米" in text
    assert "应安置面积（以旧换新）80.00平方米，超出15.00平方米" in text
    assert "被征收人应补交房屋差价人民币42,001.00元（大写：肆万贰仟零壹元整）" in text
    assert "负" not in text

    pdf = client.get(reverse("resettlement:confirmation_pdf", args=[household.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    out = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "肆万贰仟零壹元整" in out


def test_the_office_edits_the_confirmation_template(swap_household, office_user, client):
    household, _selection = swap_household
    client.force_login(office_user)
    edit = reverse(
        "compensation:template_edit",
        args=[household.project.pk, DocumentTemplate.Kind.SWAP_SELECTION],
    )
    html = client.get(edit).content.decode()
    assert "应安置面积" in html and "选房确认书" in html
    bad = client.post(edit, {"body": "{{ 不存在 }}"}).content.decode()
    assert "模板中有未知的占位符：不存在" in bad
    client.post(
        edit, {"body": "确认书 {{ 户号 }} {% if 差价由乙方支付 %}补交{{ 差价大写 }}{% endif %}"}
    )
    docx = client.get(reverse("resettlement:confirmation_docx", args=[household.pk]))
    text = "\n".join(p.text for p in Docx(BytesIO(docx.content)).paragraphs)
    assert text == f"确认书 {household.code} 补交肆万贰仟零壹元整"


def test_a_household_without_flats_gets_no_confirmation(project, district_member, client):
    approve_plan(project)
    household = valued_household(project)
    client.force_login(district_member)
    response = client.get(
        reverse("resettlement:confirmation_pdf", args=[household.pk]), follow=True
    )
    assert "尚未选定安置房，不能出具选房确认书。" in response.content.decode()


def test_the_project_export_has_one_row_per_swap_household(swap_household, district_member, client):
    household, _selection = swap_household
    HouseholdFactory(project=household.project)
    client.force_login(district_member)
    listing = client.get(reverse("resettlement:settlements", args=[household.project.pk]))
    assert PAYS in listing.content.decode()
    response = client.get(reverse("resettlement:settlements_xlsx", args=[household.project.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "户号" and len(rows) == 2
    code, name, flats, area, to_household, by_household, *agreements, months, transit, handed = (
        rows[1]
    )
    assert transit is None
    # No signed agreement: nothing to reconcile.
    assert agreements == [None, None, None]
    assert (code, name, flats) == (household.code, "甲测试", "测试安置小区2栋1单元502")
    assert (area, to_household, by_household, months) == (95, None, 42001, 25)
    assert handed is None


def test_the_public_lookup_shows_the_own_flat_and_difference_only(
    swap_household, district_member, client
):
    household, _selection = swap_household
    project = household.project
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    neighbour = valued_household(project, area="60.00", head_name="乙测试")
    chosen_flat(neighbour, district_member, area="77.70")
    response = client.post(
        reverse("public:lookup"),
        {"project": project.pk, "code": household.code, "id_tail": household.id_number[-6:]},
    )
    assert response["Location"] == reverse("public:lookup_result")
    html = client.get(reverse("public:lookup_result")).content.decode()
    assert "测试安置小区 2栋 1单元502，95.00 平方米，期房" in html
    assert PAYS in html
    assert "77.70" not in html and "503" not in html


def test_deadlines_list_a_building_past_its_expected_delivery_as_overdue(
    swap_household, office_user, district_member, client
):
    household, selection = swap_household
    building = selection.flat.building  # expected 2024-06-30, households waiting
    client.force_login(office_user)
    html = client.get(reverse("core:deadline_list")).content.decode()
    overdue = html.split("已逾期（")[1].split("日内到期（")[0]
    assert "期房逾期交付（应续付临时安置费）" in overdue
    assert "测试安置小区2栋（六岭棚改，1户待交付）" in overdue
    assert "2024-06-30" in overdue
    assert reverse("resettlement:settlements", args=[household.project.pk]) in overdue

    # Expected tomorrow: listed, not yet overdue (the row is rewritten when the building is).
    building.expected_delivery_on = timezone.localdate() + timedelta(days=1)
    building.save()
    html = client.get(reverse("core:deadline_list")).content.decode()
    upcoming = html.split("日内到期（")[1]
    assert "测试安置小区2栋（六岭棚改，1户待交付）" in upcoming
    assert "期房逾期交付" not in html.split("日内到期（")[0]

    # Delivered: the clock stops.
    handover.record_delivery(building=building, on=timezone.localdate(), by=office_user)
    html = client.get(reverse("core:deadline_list")).content.decode()
    assert "期房逾期交付" not in html


def test_a_new_selection_writes_the_clock(project, district_member, office_user, client):
    swap_terms(approve_plan(project))
    household = valued_household(project)
    client.force_login(office_user)
    assert "期房逾期交付" not in client.get(reverse("core:deadline_list")).content.decode()
    chosen_flat(household, district_member)
    html = client.get(reverse("core:deadline_list")).content.decode()
    assert "测试安置小区2栋（六岭棚改，1户待交付）" in html


def test_recomputing_a_household_that_owes_the_difference_says_it_pays_without_a_minus(
    project, district_member, client
):
    from compensation.models import CompensationBreakdown as Breakdown
    from tests.compensation.factories import approved_agreement

    swap_terms(approve_plan(project))
    household = valued_household(project, area="70.00", unit_price="5000.00")
    chosen_flat(household, district_member, area="110.00")
    approved_agreement(household, method="swap")  # the recompute follows the agreement's method
    client.force_login(district_member)
    url = reverse("compensation:household_compute", args=[household.pk])
    shown = [str(m) for m in client.post(url, follow=True).context["messages"]]
    total = Breakdown.objects.filter(household=household).latest("pk").total
    assert total < 0
    assert f"已重新测算：被征收人应补交{-total:,.2f}元。" in shown, shown
    assert not any("-" in m for m in shown)


def test_the_project_list_reads_a_page_in_the_same_queries_for_any_number(
    swap_household, district_member, client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    household, _selection = swap_household
    project = household.project
    url = reverse("resettlement:settlements", args=[project.pk])
    client.force_login(district_member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries()  # the first request of a session also writes the session row
    one = queries()
    for _n in range(3):
        other = valued_household(project, area="60.00", unit_price="5000.00")
        chosen_flat(other, district_member, area="60.00")
        services.compute_breakdown(household=other, by=district_member, method="swap")
    four = queries()
    assert four == one
    assert client.get(url).content.decode().count("测试安置小区2栋1单元5") == 4
