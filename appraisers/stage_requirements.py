"""What the appraisal stage needs on file, registered with the projects' stage machine.

Imported from AppraisersConfig.ready(), so the projects app never needs to know this app.
"""

from datetime import date

from django.utils.translation import gettext as _

from appraisers.models import households_without_valuation
from appraisers.services import valuations_missing
from projects.models import Notice, Project, Stage
from projects.stages import publish_requirement, requirement


@requirement(Stage.APPRAISAL)
def every_household_valued(project: Project, today: date) -> str | None:
    """A project leaves 评估 only when every household has a valuation report."""
    return valuations_missing(project)


@publish_requirement
def second_list_needs_valuations(notice: Notice, today: date) -> str | None:
    """No 二榜 (the per-household valuation results) before every household has been valued."""
    if notice.kind != Notice.Kind.SECOND_LIST:
        return None
    missing = households_without_valuation(notice.project).count()
    if missing:
        return _("尚有%(count)s户没有分户评估报告，不能发布二榜公示。") % {"count": missing}
    return None
