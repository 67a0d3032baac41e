"""Stock built for tests: an estate with a 现房 and a 期房 building and their flats."""

from datetime import date
from decimal import Decimal

from resettlement.models import Building, Estate, Flat, FlatPrice, SwapTerms, SwapTier
from tests.compensation.factories import approve_plan
from tests.factories import put_at_stage


def make_estate(district, name="桃源安置小区", *, floors=6, per_floor=2, unit="1"):
    """An estate with building 1栋 (现房) and 2栋 (期房), `floors` × `per_floor` flats each:
    areas 60.00, 75.50, 90.00 … by position, layouts 两室一厅 / 三室两厅."""
    estate = Estate.objects.create(name=name, district=district, address="测试大道1号")
    buildings = [
        Building.objects.create(
            estate=estate, name="1栋", floors=floors, delivery=Building.Delivery.FINISHED
        ),
        Building.objects.create(
            estate=estate,
            name="2栋",
            floors=floors,
            delivery=Building.Delivery.OFF_PLAN,
            expected_delivery_on=date(2024, 6, 30),
        ),
    ]
    areas = [Decimal("60.00"), Decimal("75.50"), Decimal("90.00"), Decimal("120.00")]
    for building in buildings:
        for floor in range(1, floors + 1):
            for position in range(1, per_floor + 1):
                Flat.objects.create(
                    building=building,
                    unit=unit,
                    floor=floor,
                    number=f"{floor}0{position}",
                    area=areas[(floor + position) % len(areas)],
                    layout="三室两厅" if position % 2 else "两室一厅",
                    orientation="南",
                )
    return estate


def add_price(flat, day=date(2022, 1, 1), market="6000.00", resettlement="3500.00"):
    return FlatPrice.objects.create(
        flat=flat,
        effective_on=day,
        market_price=Decimal(market),
        resettlement_price=Decimal(resettlement),
    )


def swap_ready(project):
    """The project with an approved plan carrying swap terms, in 签约: flats may be frozen."""
    plan = approve_plan(project)
    terms = SwapTerms.objects.create(plan=plan, entitlement_bonus_area=Decimal("10.00"))
    SwapTier.objects.create(
        terms=terms, position=1, width=Decimal("10.00"), unit_price=Decimal("4500.00")
    )
    put_at_stage(project, "signing")
    return plan
