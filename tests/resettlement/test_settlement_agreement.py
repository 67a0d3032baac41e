"""A swap household that chose flats on the selection day is settled flat by flat through
compensation's one calculation, reached through the agreement page.

Figures by hand (plan tests.compensation.factories.PLAN; swap rules: entitlement = area + 10 m²,
tier 1 the next 10 m² at 4,800.10 元/m², tier 2 the next 10 m² at 80 % of the market price):
the old house 70.00 m² × 5,000 = 350,000.00; entitlement 80 m²; the 95 m² flat: 80 × 4,000 =
320,000.00, 10 × 4,800.10 = 48,001.00, 5 × 6,000 × 80 % = 24,000.00; difference −42,001.00.
Relocation twice (2,000.00) and 24 months of 临时安置费 (12 × 70 × 24 = 20,160.00) are the
household's: the agreement's amount is −19,841.00 (the household pays 19,841.00)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import Agreement
from core.models import District
from resettlement.models import Building, Estate, Flat, FlatPrice, Selection, SwapTerms, SwapTier
from tests.compensation.factories import approve_plan, valued_household

pytestmark = pytest.mark.django_db
D = Decimal


def chosen_flat(household, by, *, area="95.00"):
    estate = Estate.objects.create(name="测试安置小区", district=District.objects.first())
    building = Building.objects.create(
        estate=estate, name="2栋", floors=18, delivery=Building.Delivery.FINISHED
    )
    flat = Flat.objects.create(
        building=building,
        unit="1",
        floor=5,
        number="502",
        area=D(area),
        state=Flat.State.SELECTED,
        project=household.project,
    )
    FlatPrice.objects.create(
        flat=flat,
        effective_on=date(2022, 1, 1),
        market_price=D("6000.00"),
        resettlement_price=D("4000.00"),
    )
    return Selection.objects.create(household=household, flat=flat, selected_by=by)


def test_the_agreement_settles_the_chosen_flat_tier_by_tier(project, district_member, client):
    plan = approve_plan(project)
    terms = SwapTerms.objects.create(plan=plan, entitlement_bonus_area=D("10.00"))
    SwapTier.objects.create(terms=terms, position=1, width=D("10.00"), unit_price=D("4800.10"))
    SwapTier.objects.create(terms=terms, position=2, width=D("10.00"), market_percent=D("80"))
    household = valued_household(project, area="70.00", unit_price="5000.00")
    chosen_flat(household, district_member)

    client.force_login(district_member)
    response = client.post(
        reverse("compensation:agreement_draft", args=[household.pk]),
        {"method": "swap", "swap_area": "", "swap_transition": "on"},
        follow=True,
    )

    agreement = Agreement.objects.get(household=household)
    assert agreement.swap_area == D("95.00")
    assert agreement.amount == D("-19841.00")
    lines = {line.label: line.amount for line in agreement.breakdown.lines.all()}
    assert lines["测试安置小区2栋1单元502 应安置面积内"] == D("-320000.00")
    assert lines["测试安置小区2栋1单元502 超出应安置面积第1档"] == D("-48001.00")
    assert lines["测试安置小区2栋1单元502 超出应安置面积第2档"] == D("-24000.00")
    assert lines["被征收房屋价值（抵作安置房价款）"] == D("350000.00")
    assert "测试安置小区2栋1单元502 超出应安置面积第2档" in response.content.decode()


def test_swap_without_chosen_flats_or_area_is_refused_on_the_page(project, district_member, client):
    approve_plan(project)
    household = valued_household(project, area="70.00", unit_price="5000.00")
    client.force_login(district_member)
    response = client.post(
        reverse("compensation:agreement_draft", args=[household.pk]),
        {"method": "swap", "swap_area": ""},
        follow=True,
    )
    assert "产权调换须填写调换房屋面积，或先在选房日选定安置房。" in response.content.decode()
    assert not Agreement.objects.filter(household=household).exists()


def test_a_household_that_pays_the_difference_is_told_so_in_words_never_negative(
    project, district_member, client
):
    plan = approve_plan(project)
    terms = SwapTerms.objects.create(plan=plan, entitlement_bonus_area=D("10.00"))
    SwapTier.objects.create(terms=terms, position=1, width=D("10.00"), unit_price=D("4800.10"))
    SwapTier.objects.create(terms=terms, position=2, width=D("10.00"), market_percent=D("80"))
    household = valued_household(project, area="70.00", unit_price="5000.00")
    chosen_flat(household, district_member)
    client.force_login(district_member)
    client.post(
        reverse("compensation:agreement_draft", args=[household.pk]),
        {"method": "swap", "swap_area": "", "swap_transition": "on"},
    )
    agreement = Agreement.objects.get(household=household)

    page = client.get(reverse("compensation:agreement_detail", args=[agreement.pk]))
    text = page.content.decode()
    assert "乙方应向甲方支付差价人民币19,841.00元（大写：壹万玖仟捌佰肆拾壹元整）" in text
    assert "负" not in text
    # A flat's price in the breakdown is a deduction, in words too.
    assert "扣减叁拾贰万元整" in text

    docx = client.get(reverse("compensation:agreement_docx", args=[agreement.pk]))
    assert docx.status_code == 200
    pdf = client.get(reverse("compensation:agreement_pdf", args=[agreement.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
