"""A swap household that chose flats on the selection day is settled flat by flat through
compensation's one calculation, reached through the agreement page.

Figures by hand (plan tests.compensation.factories.PLAN; swap rules: entitlement = area + 10 m²,
tier 1 the next 10 m² at 4,800.10 元/m², tier 2 the next 10 m² at 80 % of the market price):
the old house 70.00 m² × 5,000 = 350,000.00; entitlement 80 m²; the 95 m² flat: 80 × 4,000 =
320,000.00, 10 × 4,800.10 = 48,001.00, 5 × 6,000 × 80 % = 24,000.00; difference −42,001.00.
The flat is in a 期房 building expected on 2024-06-30; the household moved out on 2022-06-01:
25 months of 临时安置费 (2 years and 29 days, a month begun counts whole: 12 × 70 × 25 =
21,000.00) and relocation twice (2,000.00) are the household's: the agreement's amount is
−19,001.00 (the household pays 19,001.00)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import Agreement
from tests.compensation.factories import approve_plan, valued_household
from tests.resettlement.swap_factories import chosen_flat, swap_terms

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_agreement_settles_the_chosen_flat_tier_by_tier(project, district_member, client):
    swap_terms(approve_plan(project))
    household = valued_household(
        project, area="70.00", unit_price="5000.00", moved_out_on=date(2022, 6, 1)
    )
    chosen_flat(household, district_member)

    client.force_login(district_member)
    response = client.post(
        reverse("compensation:agreement_draft", args=[household.pk]),
        {"method": "swap", "swap_area": "", "swap_transition": "on"},
        follow=True,
    )

    agreement = Agreement.objects.get(household=household)
    assert agreement.swap_area == D("95.00")
    assert agreement.amount == D("-19001.00")
    lines = {line.label: line.amount for line in agreement.breakdown.lines.all()}
    assert lines["测试安置小区2栋1单元502 应安置面积内"] == D("-320000.00")
    assert lines["测试安置小区2栋1单元502 超出应安置面积第1档"] == D("-48001.00")
    assert lines["测试安置小区2栋1单元502 超出应安置面积第2档"] == D("-24000.00")
    assert lines["被征收房屋价值（抵作安置房价款）"] == D("350000.00")
    assert lines["临时安置费"] == D("21000.00")
    temporary = agreement.breakdown.lines.get(code="temporary")
    assert temporary.basis.endswith(
        "25 个月（自搬迁之日2022-06-01至测试安置小区2栋预计交付日期2024-06-30，不足一月按一月计）"
    )
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
    swap_terms(approve_plan(project))
    household = valued_household(
        project, area="70.00", unit_price="5000.00", moved_out_on=date(2022, 6, 1)
    )
    chosen_flat(household, district_member)
    client.force_login(district_member)
    client.post(
        reverse("compensation:agreement_draft", args=[household.pk]),
        {"method": "swap", "swap_area": "", "swap_transition": "on"},
    )
    agreement = Agreement.objects.get(household=household)

    page = client.get(reverse("compensation:agreement_detail", args=[agreement.pk]))
    text = page.content.decode()
    assert "乙方应向甲方支付差价人民币19,001.00元（大写：壹万玖仟零壹元整）" in text
    assert "负" not in text
    # A flat's price in the breakdown is a deduction, in words too.
    assert "扣减叁拾贰万元整" in text

    docx = client.get(reverse("compensation:agreement_docx", args=[agreement.pk]))
    assert docx.status_code == 200
    pdf = client.get(reverse("compensation:agreement_pdf", args=[agreement.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
