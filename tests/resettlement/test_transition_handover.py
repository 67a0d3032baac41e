"""Transition until delivery (条例 第二十二条) and the hand-over of a chosen flat."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compensation import services
from resettlement import handover
from resettlement.models import Flat, Handover, TransitLoan
from tests.compensation.factories import valued_household
from tests.resettlement.swap_factories import swap_household

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2022, 6, 1), date(2022, 6, 1), 0),
        (date(2022, 6, 1), date(2022, 7, 1), 1),  # exactly one month
        (date(2022, 6, 1), date(2022, 7, 2), 2),  # a day into the next: a month begun
        (date(2022, 1, 31), date(2022, 2, 28), 1),  # month ends
        (date(2022, 6, 1), date(2024, 6, 30), 25),
        (date(2022, 6, 1), date(2022, 5, 1), 0),
    ],
)
def test_months_count_a_month_begun_as_whole(start, end, months):
    assert handover.months_between(start, end) == months


@pytest.fixture
def chosen(project, district_member):
    household = swap_household(project, district_member)
    return household, household.selections.get()


def test_a_transit_flat_replaces_the_fee_but_keeps_two_moves(chosen, district_member):
    household, selection = chosen
    transit = Flat.objects.create(
        building=selection.flat.building, floor=1, number="101", area=D("50"), kind="transit"
    )
    handover.lend_transit_flat(
        household=household, flat=transit, on=date(2022, 6, 1), by=district_member
    )
    breakdown = services.compute_breakdown(household=household, by=district_member, method="swap")
    codes = {line.code: line.amount for line in breakdown.lines.all()}
    assert "temporary" not in codes
    assert codes["relocation"] == D("2000.00")
    other = valued_household(household.project, area="60.00")
    with pytest.raises(ValidationError, match="正在借用中"):
        handover.lend_transit_flat(
            household=other, flat=transit, on=date(2022, 6, 2), by=district_member
        )


def test_overdue_delivery_extends_the_fee_month_by_month(chosen):
    household, selection = chosen
    building = selection.flat.building  # expected 2024-06-30, not delivered
    # On the expected day nothing is owed; a day later, one month (12 × 70 × 1 = 840.00).
    assert handover.overdue_extension(household, date(2024, 6, 30)) is None
    one = handover.overdue_extension(household, date(2024, 7, 1))
    assert (one.months, one.amount, one.building) == (1, D("840.00"), building)
    assert handover.overdue_extension(household, date(2024, 8, 1)).months == 2
    building.delivered_on = date(2024, 9, 15)
    building.save()
    # Delivered: the extension stops at the delivery (2 months and 15 days → 3).
    assert handover.overdue_extension(household, date(2026, 1, 1)).months == 3


def test_handover_needs_a_signed_agreement_and_a_delivered_building(chosen, district_member):
    household, selection = chosen
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="尚未签订产权调换协议"):
        handover.record_handover(selection=selection, on=today, keys=2, by=district_member)
    agreement = services.draft_agreements(household=household, by=district_member, method="swap")[0]
    services.sign_agreement(agreement=agreement, by=district_member, signed_on=date(2022, 10, 8))
    selection.flat.refresh_from_db()
    assert selection.flat.state == Flat.State.SIGNED
    with pytest.raises(ValidationError, match="尚未竣工交付"):
        handover.record_handover(selection=selection, on=today, keys=2, by=district_member)
    handover.record_delivery(
        building=selection.flat.building, on=today - timedelta(days=3), by=district_member
    )
    with pytest.raises(ValidationError, match="交房日期须在楼栋交付之后"):
        handover.record_handover(
            selection=selection, on=today - timedelta(days=4), keys=2, by=district_member
        )
    handover.record_handover(selection=selection, on=today, keys=2, by=district_member)
    selection.flat.refresh_from_db()
    assert selection.flat.state == Flat.State.DELIVERED
    assert Handover.objects.get(selection=selection).keys == 2
    assert not TransitLoan.objects.exists()


def test_a_pick_after_the_swap_agreement_is_signed_can_be_handed_over(project, district_member):
    from tests.compensation.factories import ready_to_sign
    from tests.resettlement.swap_factories import chosen_flat

    household = ready_to_sign(project, area="70.00", unit_price="5000.00")
    agreement = services.draft_agreements(
        household=household, by=district_member, method="swap", swap_area=D("90.00")
    )[0]
    services.sign_agreement(agreement=agreement, by=district_member, signed_on=date(2022, 10, 8))
    selection = chosen_flat(household, district_member)  # ordered by signing: picks afterwards
    selection.flat.refresh_from_db()
    assert selection.flat.state == Flat.State.SIGNED
    handover.record_delivery(
        building=selection.flat.building, on=timezone.localdate(), by=district_member
    )
    handover.record_handover(
        selection=selection, on=timezone.localdate(), keys=1, by=district_member
    )
    selection.flat.refresh_from_db()
    assert selection.flat.state == Flat.State.DELIVERED
