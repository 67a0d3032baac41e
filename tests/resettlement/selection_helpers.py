"""Test set-up for house selection: a project in 签约 with the plan's swap rules, signed swap
households and flats frozen for it, and the order fixed and published through the services."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from core.roles import Section
from projects.models import Stage
from resettlement import selection as services
from resettlement.models import Building, Estate, Flat, SelectionRound, SwapTerms
from tests.compensation.factories import approve_plan
from tests.factories import (
    HouseholdFactory,
    ProjectFactory,
    put_at_stage,
    sign_off_and_publish,
    staff,
)


def head_name(n: int) -> str:
    """An invented head-of-household name for household n (1 → 测乙一)."""
    return f"测{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{'一二三四五'[n // 10]}"


def swap_project(
    district,
    *,
    households=3,
    floors=3,
    per_floor=2,
    area="90.00",
    household_area="80.00",
    max_flats=1,
    max_extra_area=None,
    ratio="1.00",
    bonus="0.00",
    code="2022-SQ-001",
    name="六岭棚改",
):
    """A project in 签约: approved plan with SwapTerms, `households` signed swap households
    (H-001… signed 2022-06-01, 06-02, …, with `household_area` m²), and one building
    (1栋) of `floors` × `per_floor` flats of `area` m², all 冻结 for the project."""
    project = ProjectFactory(district=district, code=code, name=name)
    plan = approve_plan(project)
    SwapTerms.objects.create(
        plan=plan,
        entitlement_ratio=Decimal(ratio),
        entitlement_bonus_area=Decimal(bonus),
        max_extra_area=None if max_extra_area is None else Decimal(max_extra_area),
        max_flats=max_flats,
    )
    put_at_stage(project, Stage.SIGNING)
    for n in range(1, households + 1):
        HouseholdFactory(
            project=project,
            code=f"H-{n:03d}",
            head_name=head_name(n),
            area=Decimal(household_area),
            signed_on=date(2022, 6, n),
            method="swap",
        )
    estate = Estate.objects.create(name=f"{name}安置小区", district=district)
    building = Building.objects.create(
        estate=estate, name="1栋", floors=floors, delivery="finished"
    )
    for floor in range(1, floors + 1):
        for room in range(1, per_floor + 1):
            Flat.objects.create(
                building=building,
                floor=floor,
                number=f"{floor}0{room}",
                area=Decimal(area),
                layout="三室两厅",
                state=Flat.State.FROZEN,
                project=project,
            )
    return project


def published_round(project, clerk=None, selection_on=None):
    """A round ordered by signing, its order notice signed off and published by 业务科."""
    clerk = clerk or staff(Section.OPERATIONS, username="selection-clerk", name="选房经办")
    selection_round = services.create_round(
        project=project, by=clerk, method=SelectionRound.Method.SIGNING, selection_on=selection_on
    )
    selection_round = services.order_by_signing(selection_round=selection_round, by=clerk)
    notice = services.publish_order(selection_round=selection_round, by=clerk)
    sign_off_and_publish(notice)
    selection_round.refresh_from_db()
    return selection_round


def flat(project, number):
    return Flat.objects.get(project=project, number=number)


def messages_of(response) -> list[str]:
    """The messages a followed response carries, as text."""
    return [str(m) for m in response.context["messages"]]


def act(client, selection_round, action):
    """POST a selection-day action (call, skip, recall…) on the staff page; follows the redirect."""
    return client.post(
        reverse("resettlement:selection_action", args=[selection_round.pk, action]), follow=True
    )


def pick(client, selection_round, order, target):
    """POST a pick of flat `target` for `order` on the staff page, following the redirect."""
    return client.post(
        reverse("resettlement:selection_pick", args=[selection_round.pk]),
        {"order": order.pk, "flat": target.pk},
        follow=True,
    )
