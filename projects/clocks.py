"""The clocks the projects app keeps, stored through core.due (the deadlines page, the to-do
list and the digest read them): compensation decisions on their road to court enforcement,
unanswered objections, suspension notices still in force and open safety hazards.

A decision's road depends on the day (a window that lapses hands over to the next), so its rows
carry the days on which each is listed: the road is computed once for each stretch of days
between the ends of its windows, and each stretch's watched clocks are stored with that stretch
as their shown_from / shown_until. Nothing needs recomputing when a day passes.
"""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import due
from core.deadlines import WorkCalendar, fixed_date
from projects import legal
from projects.models import (
    CompensationDecision,
    EnforcementApplication,
    EnforcementWarning,
    Hazard,
    Notice,
    Objection,
    Project,
    SuspensionNotice,
)

# The road's watched clocks, by the label projects.legal.road gives them.
ROAD_KINDS = {
    "复议机关决定期限": due.kind("projects.review_body", gettext_lazy("复议机关决定期限")),
    "行政复议期限": due.kind("projects.reconsideration", gettext_lazy("行政复议期限")),
    "诉讼期限": due.kind("projects.suit", gettext_lazy("诉讼期限")),
    "起诉期限（复议逾期未决）": due.kind(
        "projects.suit_after_lapse", gettext_lazy("起诉期限（复议逾期未决）")
    ),
    "申请强制执行期限": due.kind("projects.application", gettext_lazy("申请强制执行期限")),
    "催告期": due.kind("projects.warning", gettext_lazy("催告期")),
}
OBJECTION = due.kind("projects.objection", gettext_lazy("异议答复期限"))
SUSPENSION = due.kind("projects.suspension", gettext_lazy("暂停办理期限届满"))
HAZARD = due.kind("projects.hazard", gettext_lazy("隐患整改期限"))
NOTICE_KINDS = dict(Notice.Kind.choices)


def _handlers(project) -> tuple[int, ...]:
    return tuple(pk for pk in (project.liaison_id, project.leader_id) if pk)


def _road_kind(label: str) -> str:
    """The code of a clock projects.legal.road watches, from the label it gives it."""
    by_label = {str(due.KINDS[code]): code for code in ROAD_KINDS.values()}
    return by_label.get(str(label), "projects.decision")


def decisions() -> QuerySet[CompensationDecision]:
    return (
        CompensationDecision.objects.open()
        .filter(served_on__isnull=False, application__isnull=True)
        .select_related("household__project", "warning", "announcement")
    )


def decision_rows(decision: CompensationDecision, calendar: WorkCalendar) -> list[due.Row]:
    """The decision's watched clocks for every stretch of days of its road.

    The road (projects.legal.road) changes only the day after one of its windows ends
    (`today <= window.due`), so it is computed once per stretch between those days."""
    household = decision.household
    project = household.project
    everything = legal.road(decision, date.max, calendar)
    turns = sorted(
        {step.deadline.due + timedelta(days=1) for step in everything.steps if step.deadline}
    )
    stretches: list[tuple[date | None, date | None, legal.Road]] = []
    for index, start in enumerate([None, *turns]):
        end = turns[index] - timedelta(days=1) if index < len(turns) else None
        road = legal.road(decision, start or date.min, calendar)
        key = (road.position, tuple((kind, d.due) for kind, d in road.watch))
        if stretches:
            first, _end, previous = stretches[-1]
            previous_key = (previous.position, tuple((k, d.due) for k, d in previous.watch))
            if previous_key == key:
                stretches[-1] = (first, end, previous)
                continue
        stretches.append((start, end, road))
    rows = []
    for start, end, road in stretches:
        for label, deadline in road.watch:
            rows.append(
                due.Row(
                    kind=_road_kind(label),
                    title=_("%(project)s %(code)s %(name)s 补偿决定（%(position)s）")
                    % {
                        "project": project.name,
                        "code": household.code,
                        "name": household.head_name,
                        "position": road.position,
                    },
                    url=decision.get_absolute_url(),
                    deadline=deadline,
                    district_id=project.district_id,
                    project_id=project.pk,
                    handler_ids=_handlers(project),
                    shown_from=start,
                    shown_until=end,
                    counted_from=decision.served_on,
                )
            )
    return rows


def objection_rows(objection: Objection, calendar: WorkCalendar) -> list[due.Row]:
    project = objection.notice.project
    return [
        due.Row(
            kind=OBJECTION,
            title=_("%(project)s %(code)s 对%(notice)s的异议")
            % {
                "project": project.name,
                "code": objection.household.code,
                "notice": NOTICE_KINDS.get(objection.notice.kind, ""),
            },
            url=reverse("projects:objection_list", args=[objection.notice_id]),
            deadline=legal.objection_answer_deadline(objection, calendar),
            district_id=project.district_id,
            project_id=project.pk,
            handler_ids=_handlers(project),
        )
    ]


def suspension_rows(suspension: SuspensionNotice, calendar: WorkCalendar) -> list[due.Row]:
    """Listed until it expires: expired suspensions are history, not open clocks."""
    project = suspension.project
    deadline = fixed_date(
        suspension.expires_on, start=suspension.issued_on, reason=_("暂停办理通知书")
    )
    return [
        due.Row(
            kind=SUSPENSION,
            title=f"{project.name} {suspension.number}",
            url=project.get_absolute_url(),
            deadline=deadline,
            district_id=project.district_id,
            project_id=project.pk,
            handler_ids=_handlers(project),
            shown_until=suspension.expires_on,
        )
    ]


def hazard_rows(hazard: Hazard, calendar: WorkCalendar) -> list[due.Row]:
    project = hazard.project
    return [
        due.Row(
            kind=HAZARD,
            title=f"{project.name} {hazard}",
            url=hazard.inspection.get_absolute_url(),
            deadline=fixed_date(
                hazard.due_on, start=hazard.inspection.started_on, reason=_("整改通知")
            ),
            district_id=project.district_id,
            project_id=project.pk,
            handler_ids=_handlers(project),
        )
    ]


def register() -> None:
    """Called from ProjectsConfig.ready()."""
    due.register(
        CompensationDecision,
        queryset=decisions,
        rows=decision_rows,
        follows={
            EnforcementWarning: lambda warning: [warning.decision_id],
            EnforcementApplication: lambda application: [application.decision_id],
        },
    )
    due.register(
        Objection,
        queryset=lambda: Objection.objects.filter(answered_on__isnull=True).select_related(
            "notice__project", "household"
        ),
        rows=objection_rows,
    )
    due.register(
        SuspensionNotice,
        queryset=lambda: SuspensionNotice.objects.select_related("project"),
        rows=suspension_rows,
    )
    due.register(
        Hazard,
        queryset=lambda: Hazard.objects.open().select_related("project", "inspection"),
        rows=hazard_rows,
    )
    # A project's name, liaison and leader are in its clocks' titles and handlers.
    due.follow_projects(Project)
