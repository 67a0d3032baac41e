"""The demo's 2022 selection day for 中驰棚改: a closed round, every swap household's flats,
its settlement with the swap lines, and the public board."""

from datetime import date

import pytest
from django.urls import reverse

from compensation.calculation import SWAP_CODES
from compensation.models import CompensationBreakdown
from projects.models import Household, Project
from resettlement import demo
from resettlement.models import Flat, Handover, Selection, SelectionRound, TransitLoan
from resettlement.summary import settlement_for

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_closed_selection_day_with_settled_swap_households(demo_data, client):
    project = Project.objects.get(code=demo.PROJECT_CODE)
    selection_round = SelectionRound.objects.get(project=project)
    assert selection_round.state == SelectionRound.State.CLOSED
    assert selection_round.selection_on == date(2022, 9, 23)
    assert selection_round.notice.published_on == date(2022, 9, 13)
    orders = list(selection_round.orders.order_by("number"))
    assert len(orders) == 40
    assert {o.household_id for o in orders} == {h.pk for h in demo.swap_households(project)}
    # 按签约先后: signing dates never go backwards along the order.
    signed = [o.household.signed_on for o in orders]
    assert signed == sorted(signed)
    # No. 5 was 过号, recalled after No. 40 and chose then.
    fifth = orders[4]
    assert fifth.called_at > orders[39].called_at and not fifth.absent
    active = Selection.objects.filter(order__round=selection_round, is_active=True)
    assert active.count() >= 41
    per_household = {}
    for chosen in active:
        per_household.setdefault(chosen.household_id, []).append(chosen)
    assert set(per_household) == {o.household_id for o in orders}
    assert any(len(flats) == 2 for flats in per_household.values())
    beyond = 0
    for order in orders:
        household = order.household
        breakdown = CompensationBreakdown.objects.current().get(household=household)
        assert breakdown.method == Household.Method.SWAP
        codes = set(breakdown.lines.values_list("code", flat=True))
        assert codes & set(SWAP_CODES), household.code
        settlement = settlement_for(household, today=date(2022, 12, 31))
        assert settlement.swap_lines and settlement.area == sum(
            s.flat.area for s in per_household[household.pk]
        )
        if settlement.area > household.area + 10:
            beyond += 1
        # Signed agreements: every chosen flat is 已签约 or handed over.
        assert all(
            s.flat.state in (Flat.State.SIGNED, Flat.State.DELIVERED)
            for s in per_household[household.pk]
        )
    assert beyond >= 3
    assert Handover.objects.filter(selection__in=active).count() == demo.HANDOVERS
    loan = TransitLoan.objects.get(household__project=project)
    assert loan.flat.kind == Flat.Kind.TRANSIT and loan.returned_on is None

    page = client.get(reverse("public:selection_board", args=[project.code]))
    assert page.status_code == 200
    assert f"已选 {active.count()} 套" in page.content.decode()
