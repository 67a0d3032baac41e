"""The checks of projects.gates' table that need the resettlement app: the plan's swap rules,
the selection order fixed and published.

Imported from ResettlementConfig.ready(), so the projects app never needs to know this app.
"""

from django.utils.translation import gettext as _

from projects.gates import Subject, check
from projects.stages import approved_plan
from resettlement.models import SelectionRound, SwapTerms


@check("swap_terms_set")
def swap_terms_set(subject: Subject) -> str | None:
    """The approved plan states the property-swap selection rules (SwapTerms): what
    resettlement.selection.swap_terms finds, asked as one EXISTS."""
    plan = approved_plan(subject.project)
    if plan is None or not SwapTerms.objects.filter(plan=plan).exists():
        return _("补偿方案尚未规定产权调换选房规则。")
    return None


@check("selection_order_fixed")
def selection_order_fixed(subject: Subject) -> str | None:
    """A round of the project has its order (by signing or drawn) before it is published."""
    rounds = SelectionRound.objects.filter(project=subject.project)
    if not rounds.exclude(state=SelectionRound.State.DRAFT).exists():
        return _("选房顺序尚未确定。")
    return None


@check("selection_order_published")
def selection_order_published(subject: Subject) -> str | None:
    """The round's order notice (选房顺序公告) is published; without a round named, any round
    of the project."""
    rounds = SelectionRound.objects.filter(project=subject.project)
    if isinstance(subject.obj, SelectionRound):
        rounds = rounds.filter(pk=subject.obj.pk)
    if not rounds.filter(notice__published_on__isnull=False).exists():
        return _("选房顺序尚未公告。")
    return None
