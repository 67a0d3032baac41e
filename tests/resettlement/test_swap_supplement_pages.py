"""补充协议 after the selection day, through the pages: a household that signed its swap
agreement before it chose its flats is told the difference on its file and its agreement, is on
业务科's to-do list, and 业务科 records the supplement whose amount the calculation gives.

Figures by hand (plan tests.compensation.factories.PLAN: swap price 4,500 元/m², 24 months of
临时安置费 at 12 元/m² for a swap with a transition, relocation 1,000 元 a move; swap rules
tests.resettlement.swap_factories: entitlement = area + 10 m², tier 1 at 4,800.10 元/m²; flats at
安置价 4,000 元/m² in a 期房 building expected 2024-06-30). Both households: 70.00 m² valued at
5,000 元/m² (350,000.00), signed 2022-10-08 (after the early-signing deadline), before choosing.

- Bigger flat, pays: signed on 70 m² of swap area: 350,000 − 70 × 4,500 = 35,000.00, + 2,000.00
  + 12 × 70 × 24 = 20,160.00: 57,160.00. Then chose a 95 m² flat: −22,361.00 (see
  test_settlement_agreement). Difference −79,521.00: 由乙方支付 79,521.00 元.
- Smaller flat, gets money back: signed on 90 m²: 350,000 − 405,000 = −55,000.00, + 2,000.00 +
  20,160.00: −32,840.00. Then chose an 80.05 m² flat: 80 × 4,000 = 320,000.00 and 0.05 m² of
  tier 1: 0.05 × 4,800.10 = 240.005, rounded half up to 240.01; 350,000 − 320,240.01 =
  29,759.99, + 2,000.00 + 12 × 70 × 21 months (2022-10-08 to 2024-06-30) = 17,640.00:
  49,399.99. Difference +82,239.99: 应付乙方 82,239.99 元.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import Agreement, CompensationBreakdown, Supplement
from core.roles import Section
from tests.compensation.factories import ready_to_sign
from tests.factories import staff
from tests.resettlement.swap_factories import chosen_flat, draft_and_sign, swap_terms

pytestmark = pytest.mark.django_db
D = Decimal
BOX = "选房后差价需签补充协议"


def signed_before_choosing(project, client, district_member, *, swap_area, flat_area):
    """Sign a swap agreement on `swap_area` through the pages, then choose a flat."""
    from projects.models import CompensationPlan

    household = ready_to_sign(project, area="70.00", unit_price="5000.00")
    plan = project.plans.get(status=CompensationPlan.Status.APPROVED)
    if not hasattr(plan, "swap_terms"):  # a second household of the project
        swap_terms(plan)
    client.force_login(district_member)
    agreement = draft_and_sign(client, household, swap_area=swap_area, swap_transition="on")
    chosen_flat(household, district_member, area=flat_area)
    client.logout()
    return household, agreement


def record(client, agreement, number="补-1", signed_on="2022-10-20"):
    return client.post(
        reverse("compensation:swap_supplement_create", args=[agreement.pk]),
        {"number": number, "signed_on": signed_on},
        follow=True,
    )


def test_a_household_that_chose_a_bigger_flat_pays_the_difference_by_supplement(
    project, district_member, client
):
    household, agreement = signed_before_choosing(
        project, client, district_member, swap_area="70.00", flat_area="95.00"
    )
    assert agreement.amount == D("57160.00")
    desk = staff(Section.OPERATIONS, username="desk", name="业务员")
    client.force_login(desk)

    words = "由乙方支付 79,521.00 元（大写：柒万玖仟伍佰贰拾壹元整）"
    for url in (
        agreement.get_absolute_url(),
        reverse("compensation:household_detail", args=[household.pk]),
        reverse("resettlement:household_settlement", args=[household.pk]),
    ):
        text = client.get(url).content.decode()
        assert BOX in text and words in text, url
        assert "-79,521" not in text and "负79" not in text
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert BOX in todo and agreement.get_absolute_url() in todo and words in todo

    page = record(client, agreement).content.decode()
    supplement = Supplement.objects.get(agreement=agreement)
    assert supplement.adjustment == D("-79521.00")
    assert supplement.recorded_by == desk
    assert words in supplement.reason and "负" not in supplement.reason
    agreement.refresh_from_db()
    assert agreement.agreed_total == D("-22361.00")
    breakdown = CompensationBreakdown.objects.current().get(household=household)
    assert breakdown.tenant_share == agreement.agreed_total
    assert breakdown.lines.filter(code="swap_flat").exists()
    assert "补-1" in page and BOX not in page
    settlement = reverse("resettlement:household_settlement", args=[household.pk])
    assert BOX not in client.get(settlement).content.decode()
    assert BOX not in client.get(reverse("core:todo_list")).content.decode()

    # Settled: a second one is refused, with the reason.
    again = record(client, agreement, number="补-2").content.decode()
    assert "该协议没有需要结算的选房后差价，无需签订补充协议。" in again
    assert agreement.supplements.count() == 1

    # What is due is the breakdown computed again, which already counts the supplement: not
    # that breakdown plus the supplement a second time (-22,361.00 - 79,521.00).
    from compensation import reports

    assert reports.household_figures(household)["due"] == breakdown.total == D("-22361.00")
    listed = client.get(reverse("compensation:project_households", args=[project.pk]))
    assert "-22,361.00" in listed.content.decode()
    assert "101,882.00" not in listed.content.decode()
    row = reports.reconciliation(type(project).objects.filter(pk=project.pk)).rows[0]
    assert row.due == D("-22361.00")


def test_a_supplement_typed_before_the_settlement_is_not_counted_twice_in_what_is_due(
    project, district_member, client
):
    """The settlement brings the agreement to the breakdown computed again, whatever was typed
    before it: 57,160.00 + 1,000.00 typed, then −80,521.00 settled: −22,361.00, the
    breakdown's total, is what is due (not that plus the 1,000.00 a second time)."""
    from compensation import reports, services

    household, agreement = signed_before_choosing(
        project, client, district_member, swap_area="70.00", flat_area="95.00"
    )
    services.add_supplement(
        agreement=agreement,
        by=staff(Section.LEGAL, username="legal"),
        number="补-1",
        signed_on=date(2022, 10, 15),
        reason="搬迁奖励",
        adjustment=D("1000.00"),
    )
    client.force_login(staff(Section.OPERATIONS, username="desk"))
    record(client, agreement, number="补-2")
    assert agreement.supplements.get(number="补-2").adjustment == D("-80521.00")
    agreement.refresh_from_db()
    assert agreement.agreed_total == D("-22361.00")
    assert reports.household_figures(household)["due"] == D("-22361.00")
    row = reports.reconciliation(type(project).objects.filter(pk=project.pk)).rows[0]
    assert row.due == D("-22361.00")


def test_a_household_that_chose_a_smaller_flat_gets_money_back_to_the_fen(
    project, district_member, client
):
    household, agreement = signed_before_choosing(
        project, client, district_member, swap_area="90.00", flat_area="80.05"
    )
    assert agreement.amount == D("-32840.00")
    client.force_login(staff(Section.OPERATIONS, username="desk", name="业务员"))
    text = client.get(agreement.get_absolute_url()).content.decode()
    assert "应付乙方 82,239.99 元（大写：捌万贰仟贰佰叁拾玖元玖角玖分）" in text
    # The amount is not a field: whatever is posted, the calculation's figure is recorded.
    client.post(
        reverse("compensation:swap_supplement_create", args=[agreement.pk]),
        {"number": "补-1", "signed_on": "2022-10-20", "adjustment": "1.00"},
    )
    supplement = Supplement.objects.get(agreement=agreement)
    assert supplement.adjustment == D("82239.99")
    agreement.refresh_from_db()
    assert agreement.agreed_total == D("49399.99")
    lines = CompensationBreakdown.objects.current().get(household=household).lines
    assert lines.get(label__endswith="超出应安置面积第1档").amount == D("-240.01")


def test_only_the_desk_legal_and_leaders_record_it_others_see_the_difference(
    project, district_member, outsider, client
):
    _household, agreement = signed_before_choosing(
        project, client, district_member, swap_area="70.00", flat_area="95.00"
    )
    finance = staff(Section.FINANCE, username="money", name="钱财务")
    client.force_login(finance)
    text = client.get(agreement.get_absolute_url()).content.decode()
    assert BOX in text and "登记差价补充协议" not in text
    assert BOX not in client.get(reverse("core:todo_list")).content.decode()
    assert record(client, agreement).status_code == 403

    client.force_login(district_member)
    assert BOX in client.get(agreement.get_absolute_url()).content.decode()
    assert record(client, agreement).status_code == 403

    client.force_login(outsider)
    assert client.get(agreement.get_absolute_url()).status_code == 404
    assert record(client, agreement).status_code == 404
    assert not Supplement.objects.exists()

    client.force_login(staff(Section.LEGAL, username="lawyer", name="法规员"))
    record(client, agreement)
    assert Supplement.objects.get().adjustment == D("-79521.00")


def test_a_supplement_cannot_predate_the_agreement(project, district_member, client):
    _household, agreement = signed_before_choosing(
        project, client, district_member, swap_area="70.00", flat_area="95.00"
    )
    client.force_login(staff(Section.OPERATIONS, username="desk", name="业务员"))
    text = record(client, agreement, signed_on="2022-10-07").content.decode()
    assert "补充协议不能早于原协议签订日期。" in text
    assert not Supplement.objects.exists()


def test_signed_amounts_are_stated_in_words_on_pages_documents_and_the_export(
    project, district_member, client
):
    """The smaller-flat household (figures above): signed at −32,840.00 (it pays), now due
    49,399.99, to settle +82,239.99; its agreement's 产权调换差价 line is 350,000 − 90 × 4,500
    = −55,000.00 (it pays)."""
    from io import BytesIO

    from docx import Document as Docx
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from resettlement.models import Selection

    household, agreement = signed_before_choosing(
        project, client, district_member, swap_area="90.00", flat_area="80.05"
    )
    Selection.objects.filter(household=household).update(
        selected_at=datetime(2022, 10, 15, 10, 0, tzinfo=UTC)
    )
    client.force_login(staff(Section.OPERATIONS, username="desk", name="业务员"))

    page = client.get(reverse("resettlement:household_settlement", args=[household.pk]))
    text = page.content.decode()
    assert (
        "按补偿方案测算应付被征收人 49,399.99 元，原协议及补充协议合计被征收人应补交 32,840.00 元。"
    ) in text
    assert "结算差额：应付乙方 82,239.99 元" in text
    assert "-32840" not in text and "-32,840" not in text and "应得" not in text

    pdf = client.get(reverse("compensation:agreement_pdf", args=[agreement.pk]))
    out = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    out = out.replace("\n", "")
    assert "由乙方支付 55,000.00 元" in out and "55,000.00元（扣减伍万伍仟元整）" in out
    assert "负数" not in out and "-55" not in out

    docx = client.get(reverse("resettlement:confirmation_docx", args=[household.pk]))
    confirmation = "\n".join(p.text for p in Docx(BytesIO(docx.content)).paragraphs)
    assert "据此签订补充协议结算差额" in confirmation
    assert "双方据此签订产权调换协议" not in confirmation
    assert confirmation.rstrip().endswith("2022年10月15日")

    def export_row():
        response = client.get(reverse("resettlement:settlements_xlsx", args=[project.pk]))
        sheet = load_workbook(BytesIO(response.content)).active
        header, row = list(sheet.iter_rows(values_only=True))
        assert header[6:9] == ("已签协议金额（元）", "补充协议金额（元）", "尚需补充协议结算（元）")
        assert header[4:6] == ("应付被征收人房屋差价（元）", "被征收人应补交房屋差价（元）")
        return row

    row = export_row()
    assert row[6:9] == (-32840, 0, 82239.99)
    record(client, agreement)
    row = export_row()
    assert row[6:9] == (-32840, 82239.99, 0)


def test_signed_before_choosing_without_a_swap_price_the_difference_waits_for_a_supplement(
    project, district_member, client
):
    """No swap price in the plan: 70 m² swapped for 70 m² at the appraisal price would be a
    0.00 line; the agreement says the difference is settled after the selection day instead."""
    from io import BytesIO

    from pypdf import PdfReader

    from tests.compensation.factories import approve_plan

    approve_plan(project, swap_unit_price=D("0.00"))
    household = ready_to_sign(project, area="70.00", unit_price="5000.00")
    client.force_login(district_member)
    client.post(
        reverse("compensation:agreement_draft", args=[household.pk]),
        {"method": "swap", "swap_area": "70.00", "swap_transition": "on"},
    )
    agreement = Agreement.objects.get(household=household, party="household")
    pdf = client.get(reverse("compensation:agreement_pdf", args=[agreement.pk]))
    out = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    out = out.replace("\n", "")
    assert "产权调换差价：调换房屋 70 平方米，尚未选房；差价待选房后以补充协议结算" in out
    assert "产权调换差价：0.00元" not in out and "负数" not in out


def test_the_export_reads_the_agreements_at_once_and_adds_only_the_calculation_per_household(
    project, district_member, client
):
    """One more household signed before choosing costs the export what one calculation of its
    supplement costs, and nothing else: its agreement comes with the others in one query."""
    from io import BytesIO

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook

    from compensation.supplements import swap_supplement_due

    url = reverse("resettlement:settlements_xlsx", args=[project.pk])
    signed_before_choosing(project, client, district_member, swap_area="70.00", flat_area="95.00")
    client.force_login(district_member)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    client.logout()
    _household, agreement = signed_before_choosing(
        project, client, district_member, swap_area="90.00", flat_area="80.05"
    )
    client.force_login(district_member)
    with CaptureQueriesContext(connection) as two:
        response = client.get(url)
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))[1:]
    assert [row[8] for row in rows] == [-79521, 82239.99]

    agreement = Agreement.objects.select_related("household__project").get(pk=agreement.pk)
    with CaptureQueriesContext(connection) as calculation:
        swap_supplement_due(agreement)
    assert len(two) - len(one) == len(calculation)


def test_a_flat_picked_after_signing_is_signed_with_a_line_in_its_history(
    project, district_member, client
):
    household, _agreement = signed_before_choosing(
        project, client, district_member, swap_area="70.00", flat_area="95.00"
    )
    flat = household.selections.get(is_active=True).flat
    assert flat.state == "signed"
    latest = flat.history.first()
    assert latest.state == "signed"
    assert latest.history_change_reason == f"签订产权调换协议：{household.code}户"
    assert flat.history.count() >= 2  # the pick before it
