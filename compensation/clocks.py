"""The clocks the compensation app keeps, for core.clocks (the deadlines page and the digest):
the early-signing incentive's deadline of each project in the signing stage, so the liaison
and the district know how long households may still sign with the bonus, and how many have
not yet signed."""

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clocks import DueItem
from core.deadlines import fixed_date
from core.scoping import visible_to
from projects.models import CompensationPlan, Stage


def open_clocks(user, *, until: date) -> list[DueItem]:
    today = timezone.localdate()
    plans = (
        visible_to(CompensationPlan, user)
        .filter(
            status=CompensationPlan.Status.APPROVED,
            project__stage=Stage.SIGNING,
            early_signing_deadline__gte=today,
            early_signing_deadline__lte=until,
            early_signing_bonus__gt=0,
        )
        .select_related("project")
        .annotate(
            unsigned=Count("project__households", filter=Q(project__households__signed_on=None))
        )
    )
    items = []
    for plan in plans:
        if not plan.unsigned:
            continue
        project = plan.project
        start = timezone.localdate(plan.decided_at) if plan.decided_at else today
        items.append(
            DueItem(
                kind=_("提前签约奖励截止"),
                title=_("%(project)s（尚有%(count)s户未签约）")
                % {"project": project.name, "count": plan.unsigned},
                deadline=fixed_date(plan.early_signing_deadline, start=start, reason=_("补偿方案")),
                url=project.get_absolute_url(),
                project_id=project.pk,
                handler_ids=tuple(pk for pk in (project.liaison_id, project.leader_id) if pk),
            )
        )
    return items
