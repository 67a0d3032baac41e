"""The petition clocks, stored through core.due for the due list, the deadlines page and the
home page.

Each case whose clock the office must act on (受理, 答复, 复查, 复核: not the petitioner's own
windows to ask for a review, and not legacy cases) has one stored row, rewritten whenever the
case is saved. Titles carry the case's reference, category and project, never a petitioner's
name: the deadlines page is shared with other apps' clocks.
"""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from core import due
from core.deadlines import WorkCalendar
from core.models import DueDate
from petitions.deadlines import ACCEPT, RECHECK, REPLY, REVIEW, current_clock
from petitions.models import Category, Petition, Status

KIND_BY_STATUS = {
    Status.REGISTERED: due.kind("petitions.accept", ACCEPT),
    Status.ACCEPTED: due.kind("petitions.reply", REPLY),
    Status.REVIEW_REQUESTED: due.kind("petitions.review", REVIEW),
    Status.RECHECK_REQUESTED: due.kind("petitions.recheck", RECHECK),
}
KINDS = frozenset(KIND_BY_STATUS.values())
CATEGORY_LABELS = dict(Category.choices)
STATUS_LABELS = dict(Status.choices)


def case_title(petition: Petition) -> str:
    """XF2022-0003 补偿标准（六岭棚改）"""
    title = f"{petition.reference} {CATEGORY_LABELS.get(petition.category, petition.category)}"
    if petition.project_id:
        title += _("（%(project)s）") % {"project": petition.project.name}
    return title


def clock_queryset() -> QuerySet[Petition]:
    """The cases that may have a stored clock: open, not legacy."""
    return Petition.objects.with_clock().select_related("project")


def petition_rows(petition: Petition, calendar: WorkCalendar) -> list[due.Row]:
    """The stored row of the case's running clock, when the office must act on it."""
    clock = current_clock(petition, calendar=calendar)
    if clock is None or not clock.office_must_act or petition.status not in KIND_BY_STATUS:
        return []
    return [
        due.Row(
            kind=KIND_BY_STATUS[petition.status],
            title=case_title(petition),
            url=petition.get_absolute_url(),
            deadline=clock.deadline,
            district_id=petition.district_id,
            project_id=petition.project_id,
            handler_ids=(petition.assignee_id,) if petition.assignee_id else (),
        )
    ]


def register() -> None:
    """Called from PetitionsConfig.ready()."""
    due.register(Petition, queryset=clock_queryset, rows=petition_rows)


def due_rows(user, *, today: date, until: date) -> QuerySet[DueDate]:
    """The stored clocks of the cases `user` may see that fall due on or before `until`
    (overdue ones included), soonest first: a queryset, to paginate and count in SQL."""
    return due.listed(user, today=today, until=until, kinds=KINDS)


def due_counts(user, *, today: date, until: date) -> dict[str, int]:
    """{"due": all cases due by `until` or overdue, "overdue": those past due}; one query."""
    return due.shown(user, today=today, until=until, kinds=KINDS).aggregate(
        due=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
