"""Demo data for the resettlement stock: one swap estate for a project in progress in 2022.

东湖安置小区 (invented) in 双清区 has three buildings of 40 flats each: 1栋 现房 (its ground
floor lent as 周转房), 2栋 and 3栋 期房 delivered at the end of 2023 and in mid-2024. Every
flat has a market price and a resettlement price from 1 June 2022. The leader froze the
resettlement flats for 中驰棚改 on 15 June 2022 through the same service the page uses; its
approved plan carries swap rules with two tiers of extra area; its first 40 households that
signed for property swap are the swap households.

On 23 September 2022 (inside the plan's selection window) those 40 households chose their flats
in the order of signing (按签约先后), published in a 选房顺序公告 the leader signed off: most took
one flat within their entitlement, some took extra area in the tiers, two took two flats, and
No. 5 was 过号 and recalled at the end. Their current breakdowns were then recomputed as swap
(the swap lines carry the chosen flats) and their chosen flats became 已签约 with their signed
agreements. Most had signed before the selection day, on the swap area at the plan's swap
price: each signed a 补充协议 on 30 September 2022 settling the difference, its amount computed
by `compensation.supplements.settle_swap_difference` (where what they had been paid by then
exceeds what they are now due, mostly 临时安置费 for a 现房 that needs no transition, those
payments were first returned: reversed in the fund's ledger on that day). Those who signed on
or after the selection day signed on their chosen flats: their agreements carry the current
breakdown's amount. So every swap household's agreement and supplements add up to its current
breakdown. A few flats of 1栋 (现房) were handed over in October 2022, and one household
waiting for 2栋 lives in a transit flat.

Safe to run twice: nothing is done when the estate and the project's round exist already.
Needs core's and projects' demo data (the leader, 双清区, the project with its approved plan).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from compensation import supplements
from compensation.models import Agreement, CompensationBreakdown
from compensation.services import compute_breakdown, reverse_entry, share_of
from core.models import District, User
from projects import services as project_services
from projects.models import CompensationPlan, Household, Project
from resettlement import handover, selection, stock
from resettlement.models import (
    Building,
    Estate,
    Flat,
    FlatPrice,
    Selection,
    SelectionRound,
    SwapTerms,
    SwapTier,
)

ESTATE = "东湖安置小区"
PROJECT_CODE = "2020-SQ-02"  # 中驰棚改, in 签约 in 2022
SWAP_HOUSEHOLDS = 40
PRICED_ON = date(2022, 6, 1)
FROZEN_AT = datetime(2022, 6, 15, 10, 0)
# Per position on a floor: (room number suffix, layout, orientation, area m²).
PLAN_OF_FLOOR = (
    ("01", "两室一厅", "南", Decimal("75.36")),
    ("02", "三室两厅", "南", Decimal("98.52")),
    ("03", "三室两厅", "南北", Decimal("112.80")),
    ("04", "四室两厅", "南北", Decimal("135.60")),
)
FLOORS = 10
# (name, 现房/期房, expected delivery)
BUILDINGS = (
    ("1栋", Building.Delivery.FINISHED, None),
    ("2栋", Building.Delivery.OFF_PLAN, date(2023, 12, 31)),
    ("3栋", Building.Delivery.OFF_PLAN, date(2024, 6, 30)),
)
SELECTION_ON = date(2022, 9, 23)
SUPPLEMENTS_ON = date(2022, 9, 30)  # the 补充协议 of those who signed before choosing
ORDER_PUBLISHED_ON = date(2022, 9, 13)
ABSENT_NUMBER = 5  # 过号, recalled after the last number
TWO_FLATS = {12, 31}  # order numbers taking two small flats
EXTRA_EVERY = 6  # every 6th number (from the 3rd) takes extra area in the tiers
HANDOVERS = 5  # chosen flats of 1栋 handed over
HANDED_OVER_ON = date(2022, 10, 18)
LENT_ON = date(2022, 10, 8)
MARKET_BASE = Decimal("5600.00")  # 元/m² on the 2nd floor, +60 a floor above it
RESETTLEMENT_PRICE = Decimal("3200.00")


def load() -> Estate | None:
    """Create the demo estate, its prices, the project's swap rules and the freeze, then the
    project's selection day, settlements, hand-overs and transit loan."""
    project = Project.objects.filter(code=PROJECT_CODE).first()
    leader = User.objects.filter(username="leader").first()
    staff = User.objects.filter(username="operations").first()
    district = District.objects.filter(code="shuangqing").first()
    if project is None or leader is None or staff is None or district is None:
        return None
    plan = project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
    if plan is None:
        return None
    estate = Estate.objects.filter(name=ESTATE).first()
    if estate is None:
        estate = _estate(project, plan, district, leader)
    if not SelectionRound.objects.filter(project=project).exists():
        with transaction.atomic():
            _selection_day(project, estate, leader, staff)
            finance = User.objects.filter(username="finance").first()
            _settle_agreements(project, staff, finance)
    return estate


def _estate(project, plan, district, leader) -> Estate:
    with transaction.atomic():
        estate = _stock(district, leader)
        _swap_terms(plan)
        resettlement = Flat.objects.filter(building__estate=estate, kind=Flat.Kind.RESETTLEMENT)
        stock.freeze_flats(project=project, flats=resettlement, by=leader)
        frozen_at = timezone.make_aware(FROZEN_AT)
        resettlement.update(frozen_at=frozen_at)
        Flat.history.filter(building_id__in=estate.buildings.values("pk"), history_type="~").update(
            history_date=frozen_at
        )
    return estate


def swap_households(project: Project) -> list[Household]:
    """The demo's swap households: the first 40 (by 户号) that signed for property swap."""
    return list(
        project.households.filter(method=Household.Method.SWAP).order_by("code")[:SWAP_HOUSEHOLDS]
    )


def _selection_day(project: Project, estate: Estate, leader: User, staff: User) -> None:
    """The 40 swap households choose in the order of signing on SELECTION_ON (times from 9:00,
    5 minutes each), then their breakdowns are recomputed as swap and their flats signed."""
    households = sorted(swap_households(project), key=lambda h: (h.signed_on, h.code))
    terms = selection.swap_terms(project)
    selection_round = selection.create_round(
        project=project, by=staff, method=SelectionRound.Method.SIGNING, selection_on=SELECTION_ON
    )
    # The round's order is the demo's 40 households (the project's later signers choose later).
    selection._write_order(selection_round, households)
    notice = selection.publish_order(selection_round=selection_round, by=staff)
    project_services.sign_off_notice(notice=notice, by=leader)
    project_services.publish_notice(notice=notice, by=staff, on=ORDER_PUBLISHED_ON)
    free = list(
        Flat.objects.filter(building__estate=estate, kind=Flat.Kind.RESETTLEMENT)
        .select_related("building")
        .order_by("building__name", "floor", "number")
    )
    minute = 0

    def at() -> datetime:
        nonlocal minute
        minute += 5
        return timezone.make_aware(datetime.combine(SELECTION_ON, time(9, 0))) + timedelta(
            minutes=minute
        )

    def choose(order) -> None:
        household = order.household
        entitled = selection.entitlement_area(household, terms)
        limit = entitled + terms.max_extra_area
        if order.number in TWO_FLATS:
            smallest = min(flat.area for flat in free)
            chosen = [f for f in free if f.area == smallest][:2]
            if sum(f.area for f in chosen) > limit:
                chosen = chosen[:1]
        elif order.number % EXTRA_EVERY == 3 and any(entitled < f.area <= limit for f in free):
            chosen = [min((f for f in free if entitled < f.area <= limit), key=lambda f: f.area)]
        else:
            within = [f for f in free if f.area <= entitled] or free
            best = max(f.area for f in within if f.area <= limit)
            chosen = [next(f for f in within if f.area == best)]
        for flat in chosen:
            selection.pick(order=order, flat=flat, by=staff, now=at())
            free.remove(flat)

    absent = None
    for _number in households:
        order = selection.call_next(selection_round=selection_round, by=staff, now=at())
        if order.number == ABSENT_NUMBER:
            absent = selection.mark_absent(selection_round=selection_round, by=staff, now=at())
            continue
        choose(order)
    if absent is not None:
        order = selection.recall(selection_round=selection_round, order=absent, by=staff, now=at())
        choose(order)
    selection.finish_current(selection_round=selection_round, by=staff, now=at())
    selection.close_round(selection_round=selection_round, by=staff)

    for household in households:
        compute_breakdown(
            household=household,
            by=staff,
            method=Household.Method.SWAP,
            signed_on=household.signed_on,
        )
        if household.signed_on is not None:
            handover.mark_signed(household)

    first = Selection.objects.filter(
        household__project=project,
        is_active=True,
        flat__building__estate=estate,
        flat__building__delivery=Building.Delivery.FINISHED,
        flat__state=Flat.State.SIGNED,
    ).order_by("order__number", "pk")
    for chosen in first[:HANDOVERS]:
        handover.record_handover(selection=chosen, on=HANDED_OVER_ON, keys=2, by=staff)
    waiting = (
        Selection.objects.filter(
            household__project=project,
            is_active=True,
            flat__building__estate=estate,
            flat__building__delivery=Building.Delivery.OFF_PLAN,
        )
        .select_related("household")
        .order_by("order__number", "pk")
        .first()
    )
    transit = (
        Flat.objects.filter(building__estate=estate, kind=Flat.Kind.TRANSIT)
        .order_by("building__name", "floor", "number")
        .first()
    )
    if waiting is not None and transit is not None:
        handover.lend_transit_flat(household=waiting.household, flat=transit, on=LENT_ON, by=staff)


def _settle_agreements(project: Project, staff: User, finance: User | None) -> None:
    """Bring the swap households' signed agreements in line with their chosen flats: those
    signed before the selection day by a 补充协议 (returning first what they were paid beyond
    what they are now due), those signed on or after it on the current breakdown."""
    for household in swap_households(project):
        agreement = household.agreements.filter(party=Agreement.Party.HOUSEHOLD).first()
        if agreement is None or not agreement.is_locked:
            continue
        breakdown = CompensationBreakdown.objects.current().get(household=household)
        due = share_of(breakdown, agreement.party)
        on = SUPPLEMENTS_ON if agreement.signed_on < SELECTION_ON else agreement.signed_on
        if agreement.paid > max(due, Decimal("0.00")) and finance is not None:
            _return_payments(agreement, finance, on)
            agreement.refresh_from_db()
        if agreement.signed_on < SELECTION_ON:
            if supplements.swap_supplement_due(agreement) is not None:
                supplements.settle_swap_difference(
                    agreement=agreement,
                    by=staff,
                    number=supplements.supplement_number(agreement),
                    signed_on=SUPPLEMENTS_ON,
                )
        elif agreement.agreed_total != due:
            # Signed on the chosen flats: the compensation demo wrote it before they existed.
            agreement.breakdown = breakdown
            agreement.amount = due
            agreement.swap_area = breakdown.swap_area
            agreement.swap_transition = breakdown.swap_transition
            agreement.save(update_fields=["breakdown", "amount", "swap_area", "swap_transition"])


def _return_payments(agreement: Agreement, finance: User, on: date) -> None:
    """The household returns what it was paid on the agreement (reversing entries on `on`)."""
    for entry in agreement.ledger_entries.filter(kind="disbursement", reversed_by__isnull=True):
        reverse_entry(
            entry=entry,
            by=finance,
            reason="选房后按所选安置房结算差价，被征收人退回已领取款项",
            on=max(on, entry.occurred_on),
        )


def _stock(district: District, by: User) -> Estate:
    estate = Estate.objects.create(
        name=ESTATE,
        district=district,
        address="邵阳市双清区东湖路88号",
        developer="邵阳市城市建设投资有限公司（演示）",
        note="演示数据：产权调换安置小区。",
    )
    flats = []
    for name, delivery, expected in BUILDINGS:
        building = Building.objects.create(
            estate=estate,
            name=name,
            floors=FLOORS,
            delivery=delivery,
            expected_delivery_on=expected,
            delivered_on=date(2021, 12, 20) if delivery == Building.Delivery.FINISHED else None,
        )
        for floor in range(1, FLOORS + 1):
            for suffix, layout, orientation, area in PLAN_OF_FLOOR:
                # The finished building's ground floor is kept as transit flats (周转房).
                transit = delivery == Building.Delivery.FINISHED and floor == 1
                flats.append(
                    Flat(
                        building=building,
                        unit="1",
                        floor=floor,
                        number=f"{floor}{suffix}",
                        area=area,
                        layout=layout,
                        orientation=orientation,
                        kind=Flat.Kind.TRANSIT if transit else Flat.Kind.RESETTLEMENT,
                    )
                )
    flats = bulk_create_with_history(flats, Flat, default_user=by)
    prices = [
        FlatPrice(
            flat=flat,
            effective_on=PRICED_ON,
            market_price=MARKET_BASE + Decimal(60) * max(flat.floor - 2, 0),
            resettlement_price=RESETTLEMENT_PRICE,
            recorded_by=by,
            recorded_at=timezone.make_aware(datetime.combine(PRICED_ON, time(9, 0))),
        )
        for flat in flats
    ]
    bulk_create_with_history(prices, FlatPrice, default_user=by)
    return estate


def _swap_terms(plan: CompensationPlan) -> SwapTerms:
    """以旧换新 1:1 plus 10 m², then 10 m² at 4,200 元/m², 10 m² at 90% of the market price,
    the market price beyond, at most 30 m² beyond the entitlement; at most two flats a
    household."""
    terms, created = SwapTerms.objects.get_or_create(
        plan=plan,
        defaults={
            "entitlement_ratio": Decimal("1.00"),
            "entitlement_bonus_area": Decimal("10.00"),
            "max_extra_area": Decimal("30.00"),
            "max_flats": 2,
            "window_opens_on": date(2022, 9, 1),
            "window_closes_on": date(2022, 9, 30),
        },
    )
    if created:
        SwapTier.objects.create(
            terms=terms, position=1, width=Decimal("10.00"), unit_price=Decimal("4200.00")
        )
        SwapTier.objects.create(
            terms=terms, position=2, width=Decimal("10.00"), market_percent=Decimal("90.00")
        )
    return terms
