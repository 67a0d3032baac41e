"""Transition (临时安置) and hand-over (交房) of a swap household's chosen flats.

Transition, 条例 第二十二条: until the flat it chose is delivered, a swap household receives
临时安置费 or lives in a transit flat (周转房) lent by the office.
- Every chosen flat is in a 现房 building already delivered: no transition; one move.
- A flat in a 期房 building (or one not yet delivered): 临时安置费 for the months from the
  household's move-out (its recorded 搬迁日期, else the day of the computation) to the
  building's delivery (its actual date when recorded, else the expected date), a month begun
  counting as a whole month (不足一月按一月计), at the plan's rate per m² of the old house;
  two moves.
- A transit flat lent instead: no 临时安置费; two moves.
Delivery later than expected extends the fee month by month (`overdue_extension`); the office
pays it by a supplement (补充协议) to the signed agreement.

Hand-over: keys and date recorded (`record_handover`); the flat becomes 已交付 and the
入住通知单 is printed from the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from compensation.calculation import round_amount
from core import public_changes
from core.models import User
from projects.models import CompensationPlan, Household
from resettlement.models import Building, Flat, Handover, Selection, TransitLoan


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`, a month begun counting as a whole one
    (2022-06-01 → 2022-07-01: 1; → 2022-07-02: 2); 0 when `end` is not after `start`."""
    if end <= start:
        return 0
    gap = relativedelta(end, start)
    return gap.years * 12 + gap.months + (1 if gap.days else 0)


@dataclass(frozen=True)
class Transition:
    """How a swap household bridges the time until its flats are delivered."""

    needed: bool  # two moves (out, then in) rather than one
    months: int  # months of 临时安置费 (0 with a transit flat or into a delivered 现房)
    basis: str  # how the months were counted, for the breakdown line


def _delivery_day(building: Building) -> date | None:
    """The day the transition runs to: the expected delivery, or the actual one when it came
    earlier (a late delivery is paid by `overdue_extension`, never twice)."""
    days = [d for d in (building.expected_delivery_on, building.delivered_on) if d is not None]
    return min(days) if days else None


def transition_for(
    household: Household, selections: list[Selection], start_day: date, *, lent: bool | None = None
) -> Transition:
    """The household's transition under 条例 第二十二条 (see the module's docstring).

    `selections`: its active selections with `flat__building` loaded. `start_day`: the day the
    transition starts when no move-out is recorded (the signing day, else today). The months
    run to the latest chosen building's expected delivery (or its earlier actual delivery);
    months past the expected day are `overdue_extension`'s. Calendar days; whole months.
    `lent`: whether the household was lent a transit flat, when the caller has read it."""
    buildings = [selection.flat.building for selection in selections]
    pending = [
        b for b in buildings if b.delivery == Building.Delivery.OFF_PLAN or b.delivered_on is None
    ]
    if not pending:
        return Transition(False, 0, _("所选为已交付现房，无需过渡"))
    if lent is None:
        lent = TransitLoan.objects.filter(household=household).exists()
    if lent:
        return Transition(True, 0, _("借用周转房过渡，不计临时安置费"))
    last = max(pending, key=lambda b: _delivery_day(b) or start_day)
    end = _delivery_day(last) or start_day
    start = household.moved_out_on or start_day
    early = last.delivered_on is not None and last.delivered_on == end
    what = _("实际交付日期") if early else _("预计交付日期")
    since = _("自搬迁之日") if household.moved_out_on else _("自签约之日")
    return Transition(
        True,
        months_between(start, end),
        _("%(since)s%(start)s至%(building)s%(what)s%(end)s，不足一月按一月计")
        % {
            "since": since,
            "start": f"{start:%Y-%m-%d}",
            "building": last,
            "what": what,
            "end": f"{end:%Y-%m-%d}",
        },
    )


@dataclass(frozen=True)
class Extension:
    """临时安置费 owed for a delivery later than expected: whole months × rate × area, 元."""

    building: Building
    months: int
    amount: Decimal


_READ = object()  # a fact the caller did not pass: read it here


def overdue_extension(
    household: Household,
    today: date,
    *,
    selections: list[Selection] | None = None,
    lent: bool | None = None,
    plan=_READ,
) -> Extension | None:
    """The fee for the months past the expected delivery of the household's latest 期房 flat
    (to its actual delivery, or to `today` while undelivered); None when nothing is overdue,
    when the household lives in a transit flat, or when the plan sets no rate.
    条例 第二十二条; 不足一月按一月计; rounded once by the plan's rule (as every breakdown line).
    `selections` (active, flat and building loaded), `lent` (a transit flat was lent) and `plan`
    (the approved plan, or None) may be passed by a caller that has read them for many
    households."""
    if selections is None:
        selections = list(Selection.objects.active().filter(household=household))
    late = []
    for building in {s.flat.building for s in selections}:
        expected = building.expected_delivery_on
        if expected is None:
            continue
        end = building.delivered_on or today
        if end > expected:
            late.append((months_between(expected, end), building))
    if not late:
        return None
    if lent is None:
        lent = TransitLoan.objects.filter(household=household).exists()
    if lent:
        return None
    if plan is _READ:
        plan = household.project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
    if plan is None or not plan.temporary_rate:
        return None
    months, building = max(late, key=lambda pair: pair[0])
    amount = round_amount(plan.temporary_rate * Decimal(household.area) * months, plan.rounding)
    return Extension(building, months, amount)


@transaction.atomic
def lend_transit_flat(*, household: Household, flat: Flat, on: date, by: User) -> TransitLoan:
    """Lend a transit flat (周转房) to a swap household from `on`.

    Raises ValidationError (Chinese) when the flat is not a free transit flat, is already
    lent, or the household already lives in one, or `on` is in the future."""
    flat = Flat.objects.select_for_update().get(pk=flat.pk)
    if flat.kind != Flat.Kind.TRANSIT:
        raise ValidationError(_("%(flat)s 不是周转房。") % {"flat": flat})
    if flat.state == Flat.State.VOID:
        raise ValidationError(_("%(flat)s 已作废。") % {"flat": flat})
    if on > timezone.localdate():
        raise ValidationError(_("入住周转房日期不能晚于今天。"))
    if household.method and household.method != Household.Method.SWAP:
        raise ValidationError(_("只有选择产权调换的被征收户可以借用周转房。"))
    if TransitLoan.objects.filter(flat=flat, returned_on__isnull=True).exists():
        raise ValidationError(_("%(flat)s 正在借用中。") % {"flat": flat})
    if TransitLoan.objects.filter(household=household, returned_on__isnull=True).exists():
        raise ValidationError(_("该户已借用周转房，须先腾退。"))
    try:
        with transaction.atomic():
            return TransitLoan.objects.create(
                household=household, flat=flat, lent_on=on, lent_by=by
            )
    except IntegrityError as error:
        raise ValidationError(_("%(flat)s 正在借用中。") % {"flat": flat}) from error


@transaction.atomic
def return_transit_flat(*, loan: TransitLoan, on: date, by: User) -> TransitLoan:
    """The household has left the transit flat on `on` (not before it moved in, not in the
    future). Raises ValidationError otherwise."""
    loan = TransitLoan.objects.select_for_update().get(pk=loan.pk)
    if loan.returned_on is not None:
        raise ValidationError(
            _("该周转房已于%(day)s腾退。") % {"day": f"{loan.returned_on:%Y-%m-%d}"}
        )
    if on < loan.lent_on or on > timezone.localdate():
        raise ValidationError(_("腾退日期须在入住日期之后，且不能晚于今天。"))
    loan.returned_on = on
    loan.save(update_fields=["returned_on"])
    return loan


@transaction.atomic
def record_delivery(*, building: Building, on: date, by: User) -> Building:
    """The building is delivered (竣工交付) on `on`: its flats can be handed over. Raises
    ValidationError for a future date."""
    if on > timezone.localdate():
        raise ValidationError(_("交付日期不能晚于今天。"))
    building = Building.objects.select_for_update().get(pk=building.pk)
    building.delivered_on = on
    building.save(update_fields=["delivered_on"])
    return building


@transaction.atomic
def record_handover(
    *, selection: Selection, on: date, keys: int, by: User, note: str = ""
) -> Handover:
    """Hand the chosen flat over: the household has signed its swap agreement, the building is
    delivered, the keys (at least one) are handed over on `on`. The flat becomes 已交付.

    Raises ValidationError (Chinese) naming what is missing."""
    selection = Selection.objects.select_related("flat__building", "household").get(pk=selection.pk)
    flat = Flat.objects.select_for_update().get(pk=selection.flat_id)
    if not selection.is_active:
        raise ValidationError(_("该选房结果已撤销，不能交房。"))
    if Handover.objects.filter(selection=selection).exists():
        raise ValidationError(_("%(flat)s 已交付。") % {"flat": flat})
    if flat.state != Flat.State.SIGNED:
        raise ValidationError(
            _("%(flat)s 尚未签订产权调换协议（现为%(state)s），不能交房。")
            % {"flat": flat, "state": flat.get_state_display()}
        )
    building = flat.building
    if building.delivered_on is None:
        raise ValidationError(_("%(building)s 尚未竣工交付，不能交房。") % {"building": building})
    if on < building.delivered_on or on > timezone.localdate():
        raise ValidationError(_("交房日期须在楼栋交付之后，且不能晚于今天。"))
    if keys < 1:
        raise ValidationError(_("请填写移交的钥匙数量。"))
    handover = Handover.objects.create(
        selection=selection, handed_over_on=on, keys=keys, recorded_by=by, note=note
    )
    flat.state = Flat.State.DELIVERED
    flat.save(update_fields=["state"])
    public_changes.changed()
    return handover


def mark_signed(household: Household) -> int:
    """The household signed its swap agreement: its chosen flats become 已签约, each change in
    the flat's history (who, when, "签订产权调换协议：<户号>户"). Returns how many flats
    changed."""
    with transaction.atomic():
        flats = list(
            Flat.objects.select_for_update().filter(
                selections__household=household,
                selections__is_active=True,
                state=Flat.State.SELECTED,
            )
        )
        for flat in flats:
            flat.state = Flat.State.SIGNED
        bulk_update_with_history(
            flats,
            Flat,
            ["state"],
            default_change_reason=_("签订产权调换协议：%(code)s户") % {"code": household.code},
        )
    if flats:
        public_changes.changed()
    return len(flats)
