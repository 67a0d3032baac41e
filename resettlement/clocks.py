"""The clock the resettlement app keeps, stored through core.due (the deadlines page and the
digest read it): a 期房 building's expected delivery while swap households wait for their
flats in it. Past the expected day the building is overdue and every waiting household is owed
临时安置费 month by month until delivery (国有土地上房屋征收与补偿条例 第二十二条;
resettlement.handover.overdue_extension computes the amounts).

One row per building and project with households waiting (active selections of the project's
households on the building's flats); due = the expected delivery date, overdue the day after.
The rows are written when a building is saved (its delivery recorded, its expected date moved)
and when a selection is saved (a flat chosen or cancelled); a delivered building has none.
"""

from dataclasses import replace

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import due
from core.deadlines import WorkCalendar, fixed_date
from projects.models import Project
from resettlement.models import Building, Selection

OVERDUE_DELIVERY = due.kind(
    "resettlement.overdue_delivery", gettext_lazy("期房逾期交付（应续付临时安置费）")
)
BASIS = "《国有土地上房屋征收与补偿条例》第二十二条"


def buildings() -> QuerySet[Building]:
    """期房 buildings not yet delivered, with an expected delivery date."""
    return Building.objects.filter(
        delivery=Building.Delivery.OFF_PLAN,
        delivered_on__isnull=True,
        expected_delivery_on__isnull=False,
    ).select_related("estate")


def building_rows(building: Building, calendar: WorkCalendar) -> list[due.Row]:
    """One row per project whose households wait for flats in `building`: due on the expected
    delivery date, listed until the building is delivered (then the row is removed)."""
    waiting = (
        Selection.objects.filter(flat__building=building, is_active=True)
        .values("household__project_id")
        .annotate(households=Count("household_id", distinct=True))
        .order_by("household__project_id")
    )
    counts = {row["household__project_id"]: row["households"] for row in waiting}
    if not counts:
        return []
    expected = building.expected_delivery_on
    first_chosen = (
        Selection.objects.filter(flat__building=building, is_active=True)
        .order_by("selected_at")
        .values_list("selected_at", flat=True)
        .first()
    )
    start = min(timezone.localdate(first_chosen), expected)
    deadline = replace(fixed_date(expected, start=start, reason=_("楼栋预计交付日期")), basis=BASIS)
    rows = []
    for project in Project.objects.filter(pk__in=counts):
        rows.append(
            due.Row(
                kind=OVERDUE_DELIVERY,
                title=_("%(building)s（%(project)s，%(count)s户待交付）")
                % {"building": building, "project": project.name, "count": counts[project.pk]},
                url=reverse("resettlement:settlements", args=[project.pk]),
                deadline=deadline,
                district_id=project.district_id,
                project_id=project.pk,
                handler_ids=tuple(pk for pk in (project.liaison_id, project.leader_id) if pk),
            )
        )
    return rows


def _building_of(selection: Selection) -> list[int]:
    return list(Building.objects.filter(flats__pk=selection.flat_id).values_list("pk", flat=True))


def register() -> None:
    """Called from ResettlementConfig.ready()."""
    due.register(
        Building,
        queryset=buildings,
        rows=building_rows,
        follows={Selection: _building_of},
    )
