"""A swap household's settlement as people read it: its chosen flats, the swap lines of its
current compensation breakdown with the difference stated in words, its transition until
delivery, any overdue extension and the hand-over of each flat.

Read by the household's settlement page, its file page, its public look-up, the documents
(选房确认书, 入住通知单) and the project's export, so that they all say the same thing.
The figures are compensation's (`compensation.calculation` through the stored
`CompensationBreakdown`); nothing is recomputed here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from compensation.calculation import SWAP_CODES
from compensation.documents import difference_words
from compensation.models import BreakdownLine, CompensationBreakdown
from projects.models import CompensationPlan, Household
from resettlement.handover import Extension, Transition, overdue_extension, transition_for
from resettlement.models import FlatPrice, Handover, Selection, TransitLoan

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ChosenFlat:
    """One chosen flat with the price in force on its selection day (None: no price) and its
    hand-over (None: not handed over yet)."""

    selection: Selection
    price: FlatPrice | None
    handover: Handover | None

    @property
    def flat(self):
        return self.selection.flat

    @property
    def building(self):
        return self.selection.flat.building

    @property
    def value_at_resettlement_price(self) -> Decimal | None:
        """area m² × 安置价 元/m², 元 to the fen (for the confirmation's list), or None."""
        if self.price is None:
            return None
        return (self.flat.area * self.price.resettlement_price).quantize(Decimal("0.01"))


@dataclass
class Settlement:
    """Everything the settlement page shows for one swap household on `today`."""

    household: Household
    today: date
    flats: list[ChosenFlat]
    breakdown: CompensationBreakdown | None
    swap_lines: list[BreakdownLine] = field(default_factory=list)
    transition: Transition | None = None
    extension: Extension | None = None
    loans: list[TransitLoan] = field(default_factory=list)

    @property
    def difference(self) -> Decimal | None:
        """产权调换差价 in 元 (the swap lines' sum; negative: the household pays), or None."""
        if not self.swap_lines:
            return None
        return sum((line.amount for line in self.swap_lines), ZERO)

    @property
    def difference_words(self) -> str:
        return difference_words(self.difference)

    @property
    def household_pays(self) -> bool:
        return self.difference is not None and self.difference < 0

    @property
    def open_loan(self) -> TransitLoan | None:
        return next((loan for loan in self.loans if loan.returned_on is None), None)

    @property
    def area(self) -> Decimal:
        """The chosen flats' total building area, m²."""
        return sum((chosen.flat.area for chosen in self.flats), Decimal("0.00"))

    @property
    def handed_over_on(self) -> date | None:
        """The last hand-over date once every chosen flat is handed over, else None."""
        if not self.flats or any(chosen.handover is None for chosen in self.flats):
            return None
        return max(chosen.handover.handed_over_on for chosen in self.flats)


def settlement_for(household: Household, today: date | None = None) -> Settlement:
    """The household's settlement on `today` (default: today): `settlements_for` of one."""
    return settlements_for([household], today)[0]


def _price_on(prices: list[FlatPrice], day: date) -> FlatPrice | None:
    # `prices`: one flat's, latest first (Flat.price_on, without a query).
    return next((price for price in prices if price.effective_on <= day), None)


def settlements_for(households, today: date | None = None) -> list[Settlement]:
    """The settlements of `households` on `today` (default: today), in their order. Reads only,
    in the same few queries however many households (a page of the project's list, its
    export); the transition and extension are `resettlement.handover`'s (条例 第二十二条), the
    figures the current breakdown's swap lines (条例 第二十一条)."""
    today = today or timezone.localdate()
    households = list(households)
    ids = [household.pk for household in households]
    selections: dict[int, list[Selection]] = defaultdict(list)
    for selection in Selection.objects.active().filter(household_id__in=ids):
        selections[selection.household_id].append(selection)
    chosen = [selection for group in selections.values() for selection in group]
    handovers = {h.selection_id: h for h in Handover.objects.filter(selection__in=chosen)}
    prices: dict[int, list[FlatPrice]] = defaultdict(list)
    for price in FlatPrice.objects.filter(flat_id__in=[s.flat_id for s in chosen]).order_by(
        "flat_id", "-effective_on"
    ):
        prices[price.flat_id].append(price)
    breakdowns = {
        breakdown.household_id: breakdown
        for breakdown in CompensationBreakdown.objects.current()
        .filter(household_id__in=ids)
        .select_related("plan", "valuation")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=BreakdownLine.objects.filter(code__in=SWAP_CODES).order_by("position"),
                to_attr="swap_lines",
            )
        )
    }
    loans: dict[int, list[TransitLoan]] = defaultdict(list)
    for loan in (
        TransitLoan.objects.filter(household_id__in=ids)
        .select_related("flat__building__estate")
        .order_by("-lent_on")
    ):
        loans[loan.household_id].append(loan)
    plans = {
        plan.project_id: plan
        for plan in CompensationPlan.objects.filter(
            project_id__in={household.project_id for household in households},
            status=CompensationPlan.Status.APPROVED,
        )
    }
    settlements = []
    for household in households:
        mine = selections[household.pk]
        breakdown = breakdowns.get(household.pk)
        lent = bool(loans[household.pk])
        settlements.append(
            Settlement(
                household=household,
                today=today,
                flats=[
                    ChosenFlat(
                        selection,
                        _price_on(
                            prices[selection.flat_id], timezone.localdate(selection.selected_at)
                        ),
                        handovers.get(selection.pk),
                    )
                    for selection in mine
                ],
                breakdown=breakdown,
                swap_lines=(
                    breakdown.swap_lines
                    if breakdown is not None and breakdown.method == Household.Method.SWAP
                    else []
                ),
                transition=(
                    transition_for(household, mine, household.signed_on or today, lent=lent)
                    if mine
                    else None
                ),
                extension=(
                    overdue_extension(
                        household,
                        today,
                        selections=mine,
                        lent=lent,
                        plan=plans.get(household.project_id),
                    )
                    if mine
                    else None
                ),
                loans=loans[household.pk],
            )
        )
    return settlements
