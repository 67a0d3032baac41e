"""Demo data for the resettlement stock: one swap estate for a project in progress in 2022.

东湖安置小区 (invented) in 双清区 has three buildings of 40 flats each: 1栋 现房 (its ground
floor lent as 周转房), 2栋 and 3栋 期房 delivered at the end of 2023 and in mid-2024. Every
flat has a market price and a resettlement price from 1 June 2022. The leader froze the
resettlement flats for 中驰棚改 on 15 June 2022 through the same service the page uses; its
approved plan carries swap rules with two tiers of extra area; its first 40 households that
signed for property swap are the swap households.

Safe to run twice: nothing is done when the estate exists already. Needs core's and projects'
demo data (the leader, 双清区, the project with its approved plan).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.models import District, User
from projects.models import CompensationPlan, Household, Project
from resettlement import stock
from resettlement.models import Building, Estate, Flat, FlatPrice, SwapTerms, SwapTier

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
MARKET_BASE = Decimal("5600.00")  # 元/m² on the 2nd floor, +60 a floor above it
RESETTLEMENT_PRICE = Decimal("3200.00")


def load() -> Estate | None:
    """Create the demo estate, its prices, the project's swap rules and the freeze."""
    if Estate.objects.filter(name=ESTATE).exists():
        return None
    project = Project.objects.filter(code=PROJECT_CODE).first()
    leader = User.objects.filter(username="leader").first()
    district = District.objects.filter(code="shuangqing").first()
    if project is None or leader is None or district is None:
        return None
    plan = project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
    if plan is None:
        return None
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
    the market price beyond, at most 30 m² beyond the entitlement; one flat per household."""
    terms, created = SwapTerms.objects.get_or_create(
        plan=plan,
        defaults={
            "entitlement_ratio": Decimal("1.00"),
            "entitlement_bonus_area": Decimal("10.00"),
            "max_extra_area": Decimal("30.00"),
            "max_flats": 1,
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
