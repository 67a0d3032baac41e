"""Swap households with chosen flats, for the settlement, transition and hand-over tests.

Swap rules (`swap_terms`): entitlement = area + 10 m²; tier 1 the next 10 m² at 4,800.10 元/m²;
tier 2 the next 10 m² at 80 % of the market price. The flat (`chosen_flat`): 测试安置小区
2栋1单元502, 期房 expected 2024-06-30, 安置价 4,000 and market price 6,000 元/m² from 2022-01-01."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from compensation.models import Agreement
from core.models import District
from resettlement.models import Building, Estate, Flat, FlatPrice, Selection, SwapTerms, SwapTier

D = Decimal
# After the early-signing deadline of tests.compensation.factories.PLAN: no bonus.
SIGNED_ON = date(2022, 10, 8)


def swap_terms(plan) -> SwapTerms:
    terms = SwapTerms.objects.create(plan=plan, entitlement_bonus_area=D("10.00"))
    SwapTier.objects.create(terms=terms, position=1, width=D("10.00"), unit_price=D("4800.10"))
    SwapTier.objects.create(terms=terms, position=2, width=D("10.00"), market_percent=D("80"))
    return terms


def chosen_flat(household, by, *, area="95.00") -> Selection:
    estate, _created = Estate.objects.get_or_create(
        name="测试安置小区", defaults={"district": District.objects.first()}
    )
    building, _created = Building.objects.get_or_create(
        estate=estate,
        name="2栋",
        defaults={
            "floors": 18,
            "delivery": Building.Delivery.OFF_PLAN,
            "expected_delivery_on": date(2024, 6, 30),
        },
    )
    flat = Flat.objects.create(
        building=building,
        unit="1",
        floor=5,
        number=f"5{Flat.objects.count() + 2:02d}",
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


def swap_household(project, by, *, area="70.00", unit_price="5000.00", flats=("95.00",)):
    """A household ready to sign (tests.compensation.factories.ready_to_sign: approved plan,
    decision, valuation past its 二榜, an agreement drafted) that chose `flats` (areas, m²) on
    the selection day, under `swap_terms`."""
    from projects.models import CompensationPlan
    from tests.compensation.factories import ready_to_sign

    household = ready_to_sign(project, area=area, unit_price=unit_price)
    plan = project.plans.get(status=CompensationPlan.Status.APPROVED)
    if not SwapTerms.objects.filter(plan=plan).exists():
        swap_terms(plan)
    for flat_area in flats:
        chosen_flat(household, by, area=flat_area)
    return household


def draft_and_sign(client, household, **draft):
    """Draft the swap agreement and sign it on SIGNED_ON, through the pages."""
    client.post(
        reverse("compensation:agreement_draft", args=[household.pk]),
        {"method": "swap", "swap_area": "", **draft},
    )
    agreement = Agreement.objects.get(household=household, party="household")
    client.post(
        reverse("compensation:agreement_sign", args=[agreement.pk]), {"signed_on": SIGNED_ON}
    )
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED
    return agreement
