"""What the appraisal stage needs on file, registered with the projects' stage machine, and the
checks of projects.gates' table that need valuations, the firm selection and credit lists.

Imported from AppraisersConfig.ready(), so the projects app never needs to know this app.
"""

from datetime import date

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from appraisers.models import (
    Commission,
    CreditGrade,
    FirmSelection,
    Valuation,
    without_valuation,
)
from appraisers.services import current_valuation, valuations_missing
from core.formatting import cn_date
from projects import facts
from projects.gates import Subject, check, household_valued_source
from projects.models import Household, Project, Stage
from projects.stages import requirement

# Facts of projects.facts (one query each, or all with the project page's others).


# Asked by the 二榜's check and the appraisal stage's requirement, not by the project's actions.
@facts.fact("households_unvalued", read_all=False)
def _households_unvalued():
    """How many of the project's households have no current valuation."""
    return facts.count_of(without_valuation(Household.objects.filter(project=OuterRef("pk"))))


@facts.fact("firm_selected")
def _firm_selected():
    # A selection is decided once it has its winner (FirmSelection.is_decided).
    return Exists(FirmSelection.objects.filter(project=OuterRef("pk"), winner__isnull=False))


@facts.fact("commissioned")
def _commissioned():
    return Exists(Commission.objects.filter(selection__project=OuterRef("pk")))


@requirement(Stage.APPRAISAL)
def every_household_valued(project: Project, today: date) -> str | None:
    """A project leaves 评估 only when every household has a valuation report."""
    return valuations_missing(project)


@check("every_household_valued")
def every_household_valued_check(subject: Subject) -> str | None:
    """No 二榜 (the per-household valuation results) before every household has been valued."""
    registered, missing = facts.values(subject.project, "households", "households_unvalued")
    if not registered:
        return _("本项目尚未登记被征收户，不能发布二榜公示。")
    if missing:
        return _("尚有%(count)s户没有分户评估报告，不能发布二榜公示。") % {"count": missing}
    return None


@check("household_valued")
def household_valued(subject: Subject) -> str | None:
    if current_valuation(subject.household) is None:
        return _("该户尚无分户评估报告。")
    return None


@household_valued_source
def valued_by(household: Household, day: date) -> bool:
    """Whether a valuation report of the household was issued by `day` (its state 已评估)."""
    return Valuation.objects.filter(household=household, reported_on__lte=day).exists()


@check("firm_selected")
def firm_selected(subject: Subject) -> str | None:
    if not facts.value(subject.project, "firm_selected"):
        return _("评估机构尚未选定。")
    return None


@check("commission_on_file")
def commission_on_file(subject: Subject) -> str | None:
    if not facts.value(subject.project, "commissioned"):
        return _("本项目尚未委托评估机构（签订委托合同），不能录入评估报告。")
    return None


@check("credit_period_ended")
def credit_period_ended(subject: Subject) -> str | None:
    credit_list = subject.obj
    if credit_list is None:
        return _("尚未编制信用名录。")
    if subject.today < credit_list.period_end:
        return _("评价期尚未结束（至%(day)s），不能公布信用名录。") % {
            "day": cn_date(credit_list.period_end)
        }
    return None


@check("credit_grades_set")
def credit_grades_set(subject: Subject) -> str | None:
    if not CreditGrade.objects.exists():
        return _("尚未设置信用等级。")
    return None
