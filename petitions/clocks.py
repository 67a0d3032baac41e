"""The petition clocks that core.clocks gathers for the deadlines page and the home page.

Titles carry the case's reference, category and project, never a petitioner's name: the
deadlines page is shared with other apps' clocks.
"""

from datetime import date

from django.utils.translation import gettext as _

from core.clocks import DueItem
from core.deadlines import WorkCalendar
from core.scoping import visible_to
from petitions.deadlines import Clock, current_clock, earliest_due, may_fall_due_by
from petitions.models import Petition


def case_title(petition: Petition) -> str:
    """XF2022-0003 补偿标准（六岭棚改）"""
    title = f"{petition.reference} {petition.get_category_display()}"
    if petition.project_id:
        title += _("（%(project)s）") % {"project": petition.project.name}
    return title


def due_cases(user, *, until: date) -> list[tuple[Petition, Clock]]:
    """The cases the user may see whose running clock falls due on or before `until`
    (overdue ones included), soonest first. Two queries whatever the number of cases: the
    cases, and the holiday table once for all of them."""
    candidates = Petition.objects.with_clock().filter(may_fall_due_by(until))
    petitions = visible_to(candidates, user).select_related("district", "project", "assignee")
    calendar = WorkCalendar()
    due = []
    for petition in petitions:
        lower_bound = earliest_due(petition)
        if lower_bound is None or lower_bound > until:
            continue
        clock = current_clock(petition, calendar=calendar)
        if clock is not None and clock.office_must_act and clock.due <= until:
            due.append((petition, clock))
    return sorted(due, key=lambda pair: (pair[1].due, pair[0].reference))


def open_clocks(user, *, until: date) -> list[DueItem]:
    """The source registered in core.clocks (see PetitionsConfig.ready)."""
    return [
        DueItem(
            kind=clock.kind,
            title=case_title(petition),
            deadline=clock.deadline,
            url=petition.get_absolute_url(),
            project_id=petition.project_id,
            handler_ids=(petition.assignee_id,) if petition.assignee_id else (),
        )
        for petition, clock in due_cases(user, until=until)
    ]
