"""The clocks the compensation app keeps, stored through core.due (the deadlines page and the
digest read them): the early-signing incentive's deadline of each project in the signing stage,
so the liaison and the district know how long households may still sign with the bonus, and how
many have not yet signed.

The row is written when the plan or its project is saved; whether the project still has unsigned
households is a condition of the same query (an EXISTS), and their number is read with the rows
listed (a subquery in the same query), so that signing a household never rewrites clocks and the
list never counts per row.
"""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import due
from core.deadlines import WorkCalendar, fixed_date
from projects.models import CompensationPlan, Household, Project, Stage

EARLY_SIGNING = due.kind("compensation.early_signing", gettext_lazy("提前签约奖励截止"))


def plans() -> QuerySet[CompensationPlan]:
    return CompensationPlan.objects.filter(
        status=CompensationPlan.Status.APPROVED,
        project__stage=Stage.SIGNING,
        early_signing_deadline__isnull=False,
        early_signing_bonus__gt=0,
    ).select_related("project")


def plan_rows(plan: CompensationPlan, calendar: WorkCalendar) -> list[due.Row]:
    """Listed until the incentive's last day; the title gets the unsigned count when read."""
    project = plan.project
    start = timezone.localdate(plan.decided_at) if plan.decided_at else plan.early_signing_deadline
    return [
        due.Row(
            kind=EARLY_SIGNING,
            title=project.name,
            url=project.get_absolute_url(),
            deadline=fixed_date(
                plan.early_signing_deadline,
                start=min(start, plan.early_signing_deadline),
                reason=_("补偿方案"),
            ),
            district_id=project.district_id,
            project_id=project.pk,
            handler_ids=tuple(pk for pk in (project.liaison_id, project.leader_id) if pk),
            shown_until=plan.early_signing_deadline,
        )
    ]


def _unsigned_households():
    return Household.objects.filter(project_id=OuterRef("project_id"), signed_on__isnull=True)


# Built once: a query copies an expression when it resolves it, and Django works out a shared
# expression's identity (what it compares and hashes) once, not at every read.
_HAS_UNSIGNED = Exists(_unsigned_households())


def has_unsigned() -> Exists:
    """The condition an early-signing row must meet to be listed: its project still has an
    unsigned household (a project where every household has signed is left out)."""
    return _HAS_UNSIGNED


def with_unsigned(rows: QuerySet) -> QuerySet:
    """Read each early-signing row's count of unsigned households (`unsigned`, for its title)
    in the same query; None on rows of other kinds."""
    unsigned = (
        _unsigned_households().order_by().values("project_id").annotate(n=Count("pk")).values("n")
    )
    # Only the early-signing rows run the subquery.
    return rows.annotate(
        unsigned=Case(
            When(
                kind=EARLY_SIGNING,
                then=Coalesce(Subquery(unsigned, output_field=IntegerField()), 0),
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


def early_signing_title(row) -> str:
    return _("%(project)s（尚有%(count)s户未签约）") % {
        "project": row.title,
        "count": getattr(row, "unsigned", "?"),
    }


def register() -> None:
    """Called from CompensationConfig.ready()."""
    due.register(
        CompensationPlan,
        queryset=plans,
        rows=plan_rows,
        follows={Project: lambda project: project.plans.values_list("pk", flat=True)},
    )
    due.TITLES[EARLY_SIGNING] = early_signing_title
    due.register_refinement(EARLY_SIGNING, keep=has_unsigned, annotate=with_unsigned)
