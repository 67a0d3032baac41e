"""What the compensation fund adds to the projects' stage machine.

Imported from CompensationConfig.ready(), so the projects app never needs to know this app.
"""

from datetime import date
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery
from django.utils.translation import gettext as _

from compensation import reports
from compensation.models import (
    Agreement,
    CompensationBreakdown,
    DisbursementRequest,
    Fund,
    HardshipSubsidy,
)
from projects import facts
from projects.gates import Subject, check
from projects.legal import breakdown_total_source
from projects.models import Household, Project, Stage
from projects.stages import approved_plan, requirement

# Facts of projects.facts (one query each, or all with the project page's others).


@facts.fact("fund_balance")
def _fund_balance():
    """The balance of the project's fund; None when it has no fund (its balance is never
    NULL)."""
    return Subquery(Fund.objects.filter(project=OuterRef("pk")).order_by().values("balance")[:1])


@facts.fact("subsidies_unpaid")
def _subsidies_unpaid():
    """Subsidies of the project neither paid in full nor withdrawn (已撤回)."""
    return facts.count_of(
        HardshipSubsidy.objects.filter(
            household__project=OuterRef("pk"), paid__lt=F("amount"), withdrawn_at__isnull=True
        )
    )


facts.fact("households_unpaid")(reports.unpaid_households_count)


@facts.fact("disbursements_pending")
def _disbursements_pending():
    return facts.count_of(
        DisbursementRequest.objects.pending().filter(fund__project=OuterRef("pk"))
    )


@requirement(Stage.PLAN)
def compensation_funds_in_place(project: Project, today: date) -> str | None:
    """Decree 590 art. 12: the compensation money is in the dedicated account, in full and
    earmarked, before the expropriation decision. The fund must hold at least the compensation
    budget of the approved plan (no approved plan is the plan requirement's message)."""
    plan = approved_plan(project)
    if plan is None or not plan.compensation_budget:
        return None
    fund_balance = facts.value(project, "fund_balance")
    balance = fund_balance if fund_balance is not None else 0
    if balance >= plan.compensation_budget:
        return None
    if fund_balance is None:
        return _("补偿资金未到位：尚未开设项目资金账户，方案确定的补偿资金为%(budget)s元。") % {
            "budget": f"{plan.compensation_budget:,.2f}"
        }
    return _(
        "补偿资金未足额到位：资金账户余额%(balance)s元，少于补偿方案确定的%(budget)s元"
        "（《国有土地上房屋征收与补偿条例》第十二条）。"
    ) % {"balance": f"{balance:,.2f}", "budget": f"{plan.compensation_budget:,.2f}"}


# ---------------------------------------------------------------------------
# Checks of projects.gates' table that need the fund, agreements and subsidies.


@check("funds_in_place")
def funds_in_place(subject: Subject) -> str | None:
    """Decree 590 art. 12 (征收补偿费用应当足额到位、专户存储、专款专用) before the 征收决定公告.

    The money must be in the project's own account: with no account, or an empty one, this says
    so even while the plan (and so the amount it fixes) is still missing; with an approved plan
    that fixes a budget, the balance must reach it (compensation_funds_in_place)."""
    short = compensation_funds_in_place(subject.project, subject.today)
    if short:
        return short
    balance = facts.value(subject.project, "fund_balance")
    if balance is None:
        return _(
            "补偿资金未到位：尚未开设项目资金账户（《国有土地上房屋征收与补偿条例》第十二条："
            "征收补偿费用应当足额到位、专户存储、专款专用）。"
        )
    if balance <= 0:
        return _(
            "补偿资金未到位：项目资金账户尚无资金（《国有土地上房屋征收与补偿条例》第十二条："
            "征收补偿费用应当足额到位、专户存储、专款专用）。"
        )
    return None


@check("agreement_on_file")
def agreement_on_file(subject: Subject) -> str | None:
    if not Agreement.objects.filter(
        household=subject.household, party=Agreement.Party.HOUSEHOLD
    ).exists():
        return _("该户尚未起草补偿协议。")
    return None


@check("no_agreement_drafted")
def no_agreement_drafted(subject: Subject) -> str | None:
    """The agreements' parties (the tenant, the owning unit) follow the ownership."""
    if Agreement.objects.filter(household=subject.household).exists():
        return _("该户已起草补偿协议，协议当事人依据产权性质确定。")
    return None


@check("breakdown_on_file")
def breakdown_on_file(subject: Subject) -> str | None:
    """The decision's amount comes from the household's computed breakdown."""
    if not CompensationBreakdown.objects.filter(
        household=subject.household, is_current=True
    ).exists():
        return _("该户尚未测算补偿明细，补偿决定的金额须取自补偿明细。")
    return None


@breakdown_total_source
def current_breakdown_total(household: Household) -> Decimal | None:
    breakdown = CompensationBreakdown.objects.filter(household=household, is_current=True).first()
    return breakdown.total if breakdown else None


@check("subsidies_paid")
def subsidies_paid(subject: Subject) -> str | None:
    """Every subsidy of the project paid in full or withdrawn (已撤回)."""
    unpaid = facts.value(subject.project, "subsidies_unpaid")
    if unpaid:
        return _("尚有%(count)s项困难补助既未划拨完毕也未撤回。") % {"count": unpaid}
    return None


@check("households_paid_in_full")
def households_paid_in_full(subject: Subject) -> str | None:
    """Every household with a signed agreement paid exactly what it is due, to the fen, before
    the accounts are sealed: due is its current breakdown plus its agreements' supplements,
    paid its ledger entries net of reversals, as the reconciliation reads them
    (compensation.reports.unpaid_households). A fund at zero alone does not say the households were
    paid: money may have been returned while some were still owed. Households under a
    compensation decision are not asked: their money is not paid from the fund through an
    agreement (every_household_settled asks that the decision was carried out). Asks the fact
    `households_unpaid`, and only when some differ, their sum (one query more)."""
    if not facts.value(subject.project, "households_unpaid"):
        return None
    count, unpaid = reports.unpaid_households(subject.project)
    return _(
        "尚有%(count)s户补偿款应付与已付不符（未付合计%(unpaid)s元，负数为多付），须先付清或查明。"
    ) % {"count": count, "unpaid": f"{unpaid:,.2f}"}


@check("no_pending_disbursements")
def no_pending_disbursements(subject: Subject) -> str | None:
    pending = facts.value(subject.project, "disbursements_pending")
    if pending:
        return _("尚有%(count)s笔待审批的划拨申请。") % {"count": pending}
    return None


@check("fund_balance_zero")
def fund_balance_zero(subject: Subject) -> str | None:
    balance = facts.value(subject.project, "fund_balance")
    if balance is None:
        return _("本项目尚未开设资金账户，无账可封。")
    if balance != 0:
        return _("资金账户余额为%(balance)s元，须为零方可封账（结余资金须先退回）。") % {
            "balance": f"{balance:,.2f}"
        }
    return None
