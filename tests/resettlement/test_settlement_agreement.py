"""A swap household that chose flats on the selection day is settled flat by flat through
compensation's one calculation, reached through the agreement pages (draft, then sign).

Figures by hand (plan tests.compensation.factories.PLAN; swap rules: entitlement = area + 10 m²,
tier 1 the next 10 m² at 4,800.10 元/m², tier 2 the next 10 m² at 80 % of the market price):
the old house 70.00 m² × 5,000 = 350,000.00; entitlement 80 m²; the 95 m² flat: 80 × 4,000 =
320,000.00, 10 × 4,800.10 = 48,001.00, 5 × 6,000 × 80 % = 24,000.00; difference −42,001.00.
The flat is in a 期房 building expected on 2024-06-30; signed on 2022-10-08 (after the
early-signing deadline: no bonus): 21 months of 临时安置费 (1 year, 8 months and 22 days, a
month begun counts whole: 12 × 70 × 21 = 17,640.00) and relocation twice (2,000.00) are the
household's: the agreement's amount is −22,361.00 (the household pays 22,361.00)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import Agreement
from tests.compensation.factories import approve_plan, valued_household
from tests.resettlement.swap_factories import draft_and_sign, swap_household

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_agreement_settles_the_chosen_flat_tier_by_tier(project, district_member, client):
    household = swap_household(project, district_member)
    client.force_login(district_member)
    agreement = draft_and_sign(client, household)

    assert agreement.swap_area == D("95.00")
    assert agreement.amount == D("-22361.00")
    lines = {line.label: line.amount for line in agreement.breakdown.lines.all()}
    assert lines["测试安置小区2栋1单元502 应安置面积内"] == D("-320000.00")
    assert lines["测试安置小区2栋1单元502 超出应安置面积第1档"] == D("-48001.00")
    assert lines["测试安置小区2栋1单元502 超出应安置面积第2档"] == D("-24000.00")
    assert lines["被征收房屋价值（抵作安置房价款）"] == D("350000.00")
    assert lines["临时安置费"] == D("17640.00")
    temporary = agreement.breakdown.lines.get(code="temporary")
    assert temporary.basis.endswith(
        "21 个月（自签约之日2022-10-08至测试安置小区2栋预计交付日期2024-06-30，不足一月按一月计）"
    )
    page = client.get(reverse("compensation:agreement_detail", args=[agreement.pk]))
    assert "测试安置小区2栋1单元502 超出应安置面积第2档" in page.content.decode()


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
    household = swap_household(project, district_member)
    client.force_login(district_member)
    agreement = draft_and_sign(client, household)

    page = client.get(reverse("compensation:agreement_detail", args=[agreement.pk]))
    text = page.content.decode()
    assert "乙方应向甲方支付差价人民币22,361.00元（大写：贰万贰仟叁佰陆拾壹元整）" in text
    assert "负" not in text
    # A flat's price in the breakdown is a deduction, in words too.
    assert "扣减叁拾贰万元整" in text

    docx = client.get(reverse("compensation:agreement_docx", args=[agreement.pk]))
    assert docx.status_code == 200
    pdf = client.get(reverse("compensation:agreement_pdf", args=[agreement.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# Four households through the agreement pages (signed 2022-10-08; 期房 expected 2024-06-30:
# 21 months at 12 元/m²/month; relocation twice, 2,000.00). Flats at 安置价 4,000 and market
# price 6,000 元/m² (tier 2 is then 4,800 元/m²).
FOUR_HOUSEHOLDS = [
    # within the entitlement (96.50 m²): 86.50 × 5,000 − 90 × 4,000 = +72,500.00;
    # + 2,000 + 12 × 86.50 × 21 (21,798) = 96,298.00, paid to the household.
    ("86.50", "5000.00", ["90.00"], D("72500.00"), D("96298.00")),
    # two tiers: 350,000 − (320,000 + 48,001 + 24,000) = −42,001.00; + 2,000 + 17,640.
    ("70.00", "5000.00", ["95.00"], D("-42001.00"), D("-22361.00")),
    # beyond the last tier, two flats (entitlement 70): 300,000 − (60 × 4,000 + 10 × 4,000 +
    # 10 × 4,800.10 + 10 × 4,800 + 15.50 × 6,000) = 300,000 − 469,001 = −169,001.00;
    # + 2,000 + 15,120.
    ("60.00", "5000.00", ["60.00", "45.50"], D("-169001.00"), D("-151881.00")),
    # pays within the entitlement: 80 × 3,600 − 88 × 4,000 = −64,000.00; + 2,000 + 20,160.
    ("80.00", "3600.00", ["88.00"], D("-64000.00"), D("-41840.00")),
]


@pytest.mark.parametrize(("area", "unit_price", "flats", "difference", "amount"), FOUR_HOUSEHOLDS)
def test_four_households_settled_through_the_agreement_pages(
    project, district_member, client, area, unit_price, flats, difference, amount
):
    household = swap_household(
        project, district_member, area=area, unit_price=unit_price, flats=flats
    )
    client.force_login(district_member)
    agreement = draft_and_sign(client, household)
    swap_lines = agreement.breakdown.lines.filter(code__in=["swap_house_value", "swap_flat"])
    assert sum(line.amount for line in swap_lines) == difference
    assert agreement.amount == amount
    assert agreement.swap_area == sum(D(a) for a in flats)
    page = client.get(reverse("compensation:agreement_detail", args=[agreement.pk]))
    words = "乙方应向甲方支付差价" if amount < 0 else "本协议补偿金额合计"
    assert f"{words}人民币{abs(amount):,.2f}元" in page.content.decode()


def test_the_public_look_up_section_says_who_pays_without_minus_signs(
    project, district_member, client
):
    from compensation import public

    household = swap_household(project, district_member)
    client.force_login(district_member)
    draft_and_sign(client, household)
    rows = dict(public.household_section(household)["rows"])
    assert rows["被征收人应补交差价（元）"] == "22,361.00"
    assert "应得补偿（元）" not in rows
    assert [k for k, v in rows.items() if v.startswith("-")] == []
    assert any(value == "扣减 320,000.00" for value in rows.values())
