"""补充协议 after the selection day: a swap household that signed its agreement before it chose
its flats (so the agreement's amount was computed on the swap area at the plan's swap price, or
on other flats) settles the difference with a supplement.

What is due is compensation's one calculation (`calculation.compute` on `inputs_for`, which
reads the chosen flats through the registered swap-choice source) for the agreement's party,
on the agreement's signing day; the supplement's adjustment is that amount minus what the
agreement and its supplements say so far. Nobody types the figure.

Legal source: 国有土地上房屋征收与补偿条例 第二十一条 (产权调换: 结清差价) and 第二十五条 (the
agreement states the 差价; a change is a written supplement).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compensation import calculation
from compensation.documents import capital, difference_words, figure
from compensation.models import Agreement, Supplement
from core import permissions
from core.models import User
from projects.models import Household


@dataclass(frozen=True)
class SwapSupplementDue:
    """What a swap agreement still needs after the selection day, in 元 to the fen.

    `due`: the party's share as the calculation gives it now (chosen flats included);
    `agreed`: the agreement's amount plus its supplements so far; `flats`: the chosen flats'
    names; `area`: their total building area in m²."""

    agreement: Agreement
    due: Decimal
    agreed: Decimal
    flats: tuple[str, ...]
    area: Decimal

    @property
    def difference(self) -> Decimal:
        """Positive: the office pays the household more; negative: the household pays."""
        return self.due - self.agreed

    @property
    def household_pays(self) -> bool:
        return self.difference < 0

    @property
    def words(self) -> str:
        """The difference in words, never a minus: "应付乙方 … 元（大写：…）" or
        "由乙方支付 … 元（大写：…）"."""
        amount = abs(self.difference)
        values = {"amount": figure(amount), "capital": capital(amount)}
        if self.household_pays:
            return _("由乙方支付 %(amount)s 元（大写：%(capital)s）") % values
        return _("应付乙方 %(amount)s 元（大写：%(capital)s）") % values

    @property
    def due_words(self) -> str:
        """What the calculation gives now, in words: "应付被征收人 … 元"/"被征收人应补交 … 元"."""
        return difference_words(self.due, capitals=False)

    @property
    def agreed_words(self) -> str:
        """What the agreement and its supplements say so far, in words (as `due_words`)."""
        return difference_words(self.agreed, capitals=False)

    @property
    def reason(self) -> str:
        """The supplement's 变更事由, naming the flats and both figures."""
        return _(
            "产权调换选房后结算差价：所选安置房%(flats)s，建筑面积合计%(area)s平方米；按补偿方案"
            "测算%(due)s，原协议及补充协议合计%(agreed)s；结算差额%(words)s。"
        ) % {
            "flats": "、".join(self.flats),
            "area": f"{self.area:,.2f}",
            "due": self.due_words,
            "agreed": self.agreed_words,
            "words": self.words,
        }


def swap_supplement_due(agreement: Agreement) -> SwapSupplementDue | None:
    """The supplement a signed swap agreement with the household needs now that the household
    has chosen its flats, or None: not a signed swap agreement with the household, no flats
    chosen, or nothing to settle (the agreement already says what the calculation gives).

    Computes (does not store) the breakdown on the agreement's signing day. Raises
    CalculationError when it cannot be computed (no approved plan, no valuation, a chosen flat
    without a price)."""
    if (
        not agreement.is_locked
        or agreement.party != Agreement.Party.HOUSEHOLD
        or agreement.method != Household.Method.SWAP
    ):
        return None
    household = agreement.household
    choice = calculation.swap_choice_for(household, agreement.signed_on)
    if choice is None:
        return None
    plan = calculation.approved_plan(household.project)
    valuation = calculation.current_valuation(household)
    inputs = calculation.inputs_for(
        household,
        valuation=valuation,
        method=Household.Method.SWAP,
        swap_transition=agreement.swap_transition,
        signed_on=agreement.signed_on,
        choice=choice,
    )
    result = calculation.compute(plan, inputs)
    due = SwapSupplementDue(
        agreement=agreement,
        due=result.tenant_share,
        agreed=agreement.agreed_total,
        flats=tuple(flat.label for flat in choice.flats),
        area=choice.area,
    )
    return due if due.difference else None


def swap_due_or_error(agreement: Agreement) -> tuple[SwapSupplementDue | None, list[str] | None]:
    """(`swap_supplement_due(agreement)`, None), or (None, the Chinese reason it cannot be
    computed), for the pages."""
    try:
        return swap_supplement_due(agreement), None
    except calculation.CalculationError as error:
        return None, error.messages


def swap_due_shown(agreement: Agreement | None) -> SwapSupplementDue | None:
    """What a household's page shows of its agreement's swap difference: `swap_supplement_due`,
    or None also without an agreement or when it cannot be computed (the agreement page says
    why)."""
    return swap_due_or_error(agreement)[0] if agreement is not None else None


def supplement_number(agreement: Agreement) -> str:
    """The next supplement's number: the agreement's number, "-补", and its sequence."""
    return f"{agreement.number}-补{agreement.supplements.count() + 1}"


@transaction.atomic
def settle_swap_difference(
    *, agreement: Agreement, by: User, number: str, signed_on: date
) -> Supplement:
    """Record the 补充协议 settling a swap agreement's difference after the selection day: the
    household's breakdown is computed again and stored as its current one (chosen flats, the
    agreement's signing day and transition), and the supplement's adjustment is that breakdown's
    share minus the agreement's amount and supplements. Drafted by 业务科 (or the legal section
    or a leader, who record supplements).

    Raises PermissionDenied for anyone else, ValidationError (Chinese) when there is nothing to
    settle, and `compensation.services.add_supplement`'s errors (gates, dates, below paid)."""
    from compensation import services

    permissions.ensure(by, "compensation.settle_swap_supplement")
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    due = swap_supplement_due(agreement)
    if due is None:
        raise ValidationError(_("该协议没有需要结算的选房后差价，无需签订补充协议。"))
    breakdown = services.compute_breakdown(
        household=agreement.household,
        by=by,
        method=Household.Method.SWAP,
        swap_transition=agreement.swap_transition,
        signed_on=agreement.signed_on,
    )
    adjustment = services.share_of(breakdown, agreement.party) - agreement.agreed_total
    return services.record_supplement(
        agreement=agreement,
        by=by,
        number=number,
        signed_on=signed_on,
        reason=due.reason,
        adjustment=adjustment,
        in_breakdown=True,  # the breakdown computed above is the household's current one
    )
