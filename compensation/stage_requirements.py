"""What the compensation fund adds to the projects' stage machine.

Imported from CompensationConfig.ready(), so the projects app never needs to know this app.
"""

from datetime import date

from django.utils.translation import gettext as _

from compensation.models import Fund
from projects.models import CompensationPlan, Project, Stage
from projects.stages import requirement


@requirement(Stage.PLAN)
def compensation_funds_in_place(project: Project, today: date) -> str | None:
    """Decree 590 art. 12: the compensation money is in the dedicated account, in full and
    earmarked, before the expropriation decision. The fund must hold at least the compensation
    budget of the approved plan (no approved plan is the plan requirement's message)."""
    plan = project.plans.filter(status=CompensationPlan.Status.APPROVED).first()
    if plan is None or not plan.compensation_budget:
        return None
    fund = Fund.objects.filter(project=project).first()
    balance = fund.balance if fund else 0
    if balance >= plan.compensation_budget:
        return None
    if fund is None:
        return _("补偿资金未到位：尚未开设项目资金账户，方案确定的补偿资金为%(budget)s元。") % {
            "budget": f"{plan.compensation_budget:,.2f}"
        }
    return _(
        "补偿资金未足额到位：资金账户余额%(balance)s元，少于补偿方案确定的%(budget)s元"
        "（《国有土地上房屋征收与补偿条例》第十二条）。"
    ) % {"balance": f"{balance:,.2f}", "budget": f"{plan.compensation_budget:,.2f}"}
