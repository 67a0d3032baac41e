"""A swap household's settlement as people read it: its chosen flats, the swap lines of its
current compensation breakdown with the difference stated in words, its transition until
delivery, any overdue extension and the hand-over of each flat.

Read by the household's settlement page, its file page, its public look-up, the documents
(选房确认书, 入住通知单) and the project's export, so that they all say the same thing.
The figures are compensation's (`compensation.calculation` through the stored
`CompensationBreakdown`); nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from compensation.calculation import SWAP_CODES
from compensation.documents import capital, figure
from compensation.models import BreakdownLine, CompensationBreakdown
from projects.models import Household
from resettlement.handover import Extension, Transition, overdue_extension, transition_for
from resettlement.models import FlatPrice, Handover, Selection, TransitLoan

ZERO = Decimal("0.00")


def active_selections(household: Household) -> list[Selection]:
    """The household's active selections in the order chosen, flat, building and estate
    loaded (one query)."""
    return list(
        Selection.objects.filter(household=household, is_active=True)
        .select_related("flat__building__estate", "order")
        .order_by("selected_at", "pk")
    )


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


def difference_words(amount: Decimal | None) -> str:
    """The swap difference as the documents and pages state it, never as a bare minus:
    "应付被征收人 12,000.00 元（壹万贰仟元整）" when the office pays, "被征收人应补交 …" when
    the household pays, "两清，无差价" at zero; "" when there is none (no breakdown)."""
    if amount is None:
        return ""
    if amount == 0:
        return _("两清，无差价")
    words = {"amount": figure(abs(amount)), "capital": capital(abs(amount))}
    if amount > 0:
        return _("应付被征收人 %(amount)s 元（大写：%(capital)s）") % words
    return _("被征收人应补交 %(amount)s 元（大写：%(capital)s）") % words


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


def current_breakdown(household: Household) -> CompensationBreakdown | None:
    return (
        CompensationBreakdown.objects.current()
        .filter(household=household)
        .select_related("plan", "valuation")
        .first()
    )


def settlement_for(household: Household, today: date | None = None) -> Settlement:
    """The household's settlement on `today` (default: today). Reads only; the transition and
    extension are `resettlement.handover`'s (条例 第二十二条), the figures the current
    breakdown's swap lines (条例 第二十一条)."""
    today = today or timezone.localdate()
    selections = active_selections(household)
    handovers = {h.selection_id: h for h in Handover.objects.filter(selection__in=selections)}
    flats = [
        ChosenFlat(
            selection,
            selection.flat.price_on(timezone.localdate(selection.selected_at)),
            handovers.get(selection.pk),
        )
        for selection in selections
    ]
    breakdown = current_breakdown(household)
    swap_lines = (
        list(breakdown.lines.filter(code__in=SWAP_CODES).order_by("position"))
        if breakdown is not None and breakdown.method == Household.Method.SWAP
        else []
    )
    return Settlement(
        household=household,
        today=today,
        flats=flats,
        breakdown=breakdown,
        swap_lines=swap_lines,
        transition=(
            transition_for(household, selections, household.signed_on or today)
            if selections
            else None
        ),
        extension=overdue_extension(household, today) if selections else None,
        loans=list(
            TransitLoan.objects.filter(household=household)
            .select_related("flat__building__estate")
            .order_by("-lent_on")
        ),
    )
