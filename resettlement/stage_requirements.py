"""The checks of projects.gates' table that need the resettlement app: the plan's swap rules,
the selection order fixed and published.

Imported from ResettlementConfig.ready(), so the projects app never needs to know this app.
"""

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from projects import facts
from projects.gates import Subject, check
from projects.models import CompensationPlan
from resettlement.models import SelectionRound, SwapTerms

# Facts of projects.facts (one query each, or all with the project page's others).


@facts.fact("swap_terms_set")
def _swap_terms_set():
    """Whether the project's approved plan (the newest approved version, as
    projects.stages.approved_plan picks it) has its SwapTerms."""
    approved = CompensationPlan.objects.filter(
        project=OuterRef(OuterRef("pk")), status=CompensationPlan.Status.APPROVED
    ).order_by("-version")
    return Exists(SwapTerms.objects.filter(plan=Subquery(approved.values("pk")[:1])))


@facts.fact("selection_order_fixed", read_all=False)  # asked by a notice's check only
def _selection_order_fixed():
    rounds = SelectionRound.objects.filter(project=OuterRef("pk"))
    return Exists(rounds.exclude(state=SelectionRound.State.DRAFT))


@facts.fact("selection_order_published")
def _selection_order_published():
    rounds = SelectionRound.objects.filter(project=OuterRef("pk"))
    return Exists(rounds.filter(notice__published_on__isnull=False))


@check("swap_terms_set")
def swap_terms_set(subject: Subject) -> str | None:
    """The approved plan states the property-swap selection rules (SwapTerms): what
    resettlement.selection.swap_terms finds, asked as one EXISTS."""
    if not facts.value(subject.project, "swap_terms_set"):
        return _("补偿方案尚未规定产权调换选房规则。")
    return None


@check("selection_order_fixed")
def selection_order_fixed(subject: Subject) -> str | None:
    """A round of the project has its order (by signing or drawn) before it is published."""
    if not facts.value(subject.project, "selection_order_fixed"):
        return _("选房顺序尚未确定。")
    return None


@check("selection_order_published")
def selection_order_published(subject: Subject) -> str | None:
    """The round's order notice (选房顺序公告) is published; without a round named, any round
    of the project."""
    if isinstance(subject.obj, SelectionRound):
        rounds = SelectionRound.objects.filter(project=subject.project, pk=subject.obj.pk)
        published = rounds.filter(notice__published_on__isnull=False).exists()
    else:
        published = facts.value(subject.project, "selection_order_published")
    if not published:
        return _("选房顺序尚未公告。")
    return None
