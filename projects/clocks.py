"""The clocks the projects app keeps, for core.clocks (the deadlines page and the digest)."""

from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clocks import DueItem
from core.deadlines import WorkCalendar, fixed_date
from core.scoping import visible_to
from projects import legal
from projects.models import CompensationDecision, Hazard, Objection, SuspensionNotice


def _handlers(project) -> tuple[int, ...]:
    return tuple(pk for pk in (project.liaison_id, project.leader_id) if pk)


def open_clocks(user, *, until: date) -> list[DueItem]:
    calendar = WorkCalendar()
    today = timezone.localdate()
    items: list[DueItem] = []

    decisions = (
        visible_to(CompensationDecision.objects.open(), user)
        .filter(served_on__isnull=False, application__isnull=True)
        .select_related("household__project", "warning", "announcement")
    )
    for decision in decisions:
        household = decision.household
        # The road as of today decides what is watched; `until` only limits what is listed.
        current = legal.road(decision, today, calendar)
        for kind, deadline in current.watch:
            if deadline.due > until:
                continue
            items.append(
                DueItem(
                    kind=kind,
                    title=_("%(project)s %(code)s %(name)s 补偿决定（%(position)s）")
                    % {
                        "project": household.project.name,
                        "code": household.code,
                        "name": household.head_name,
                        "position": current.position,
                    },
                    deadline=deadline,
                    url=decision.get_absolute_url(),
                    project_id=household.project_id,
                    handler_ids=_handlers(household.project),
                )
            )

    objections = visible_to(Objection, user).filter(answered_on__isnull=True)
    for objection in objections.select_related("notice__project", "household"):
        deadline = legal.objection_answer_deadline(objection, calendar)
        if deadline.due <= until:
            project = objection.notice.project
            items.append(
                DueItem(
                    kind=_("异议答复期限"),
                    title=_("%(project)s %(code)s 对%(notice)s的异议")
                    % {
                        "project": project.name,
                        "code": objection.household.code,
                        "notice": objection.notice.get_kind_display(),
                    },
                    deadline=deadline,
                    url=reverse("projects:objection_list", args=[objection.notice_id]),
                    project_id=project.pk,
                    handler_ids=_handlers(project),
                )
            )

    suspensions = visible_to(SuspensionNotice, user).filter(expires_on__lte=until)
    for suspension in suspensions.select_related("project"):
        if suspension.expires_on < today:
            continue  # expired suspensions are history, not open clocks
        items.append(
            DueItem(
                kind=_("暂停办理期限届满"),
                title=f"{suspension.project.name} {suspension.number}",
                deadline=fixed_date(
                    suspension.expires_on, start=suspension.issued_on, reason=_("暂停办理通知书")
                ),
                url=suspension.project.get_absolute_url(),
                project_id=suspension.project_id,
                handler_ids=_handlers(suspension.project),
            )
        )

    hazards = visible_to(Hazard.objects.open(), user).filter(due_on__lte=until)
    for hazard in hazards.select_related("project", "inspection"):
        items.append(
            DueItem(
                kind=_("隐患整改期限"),
                title=f"{hazard.project.name} {hazard}",
                deadline=fixed_date(
                    hazard.due_on, start=hazard.inspection.started_on, reason=_("整改通知")
                ),
                url=hazard.inspection.get_absolute_url(),
                project_id=hazard.project_id,
                handler_ids=_handlers(hazard.project),
            )
        )
    return items
