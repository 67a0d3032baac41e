"""A swap household's settlement, read from its selections for compensation's one calculation.

`swap_choice(household)` is registered with `compensation.calculation` from this app's
AppConfig.ready(): the calculation asks it for the household's chosen flats and never imports
this app. The settlement itself (which area at which price) is `calculation.swap_settlement_lines`.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation.calculation import CalculationError, SwapChoice, SwapFlat, SwapRules, SwapTierRule
from projects.models import CompensationPlan, Household
from resettlement.handover import transition_for
from resettlement.models import Selection, SwapTerms, SwapTier


def swap_rules(plan: CompensationPlan) -> SwapRules | None:
    """The plan's swap rules as the calculation reads them, or None when the plan sets none."""
    terms = (
        SwapTerms.objects.filter(plan=plan)
        .prefetch_related(Prefetch("tiers", queryset=SwapTier.objects.order_by("position")))
        .first()
    )
    if terms is None:
        return None
    return SwapRules(
        entitlement_ratio=terms.entitlement_ratio,
        entitlement_bonus_area=terms.entitlement_bonus_area,
        tiers=tuple(
            SwapTierRule(tier.width, tier.unit_price, tier.market_percent)
            for tier in terms.tiers.all()
        ),
        max_extra_area=terms.max_extra_area,
    )


def swap_choice(household: Household, day=None) -> SwapChoice | None:
    """The household's active selections, in the order chosen, each flat priced as on the day
    it was chosen (`Flat.price_on`), with the approved plan's swap rules and the transition
    until delivery (`handover.transition_for`, from `day`: the signing day, else today); None
    without any.

    Raises CalculationError when a chosen flat has no price in force on its selection day."""
    selections = list(Selection.objects.active().filter(household=household))
    if not selections:
        return None
    flats = []
    for selection in selections:
        chosen_on = timezone.localdate(selection.selected_at)
        price = selection.flat.price_on(chosen_on)
        if price is None:
            raise CalculationError(
                _("%(flat)s 在选房日%(day)s没有执行中的价格，不能结算差价。")
                % {"flat": selection.flat, "day": f"{chosen_on:%Y-%m-%d}"}
            )
        flats.append(
            SwapFlat(
                str(selection.flat),
                selection.flat.area,
                price.resettlement_price,
                price.market_price,
            )
        )
    plan = household.project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
    transition = transition_for(household, selections, day or timezone.localdate())
    return SwapChoice(
        flats=tuple(flats),
        rules=swap_rules(plan) if plan else None,
        transition=transition.needed,
        transition_months=transition.months,
        transition_basis=transition.basis,
    )
