"""The stage machine: what each stage needs on file before a project may leave it.

A requirement is a function of the project (and today's date) that returns None when it is
met, or a message in Chinese saying what is missing. Other apps add their own requirements
(the risk assessment, the fund balance, valuations) with `@requirement(Stage.X)`, in a
`stage_requirements` module (which also registers their checks of projects.gates' table)
that the app config imports at start-up; the projects app never
needs to know them.
"""

from collections.abc import Callable
from datetime import date

from django.utils.translation import gettext as _

from core.formatting import cn_date
from projects import facts
from projects.models import (
    Approval,
    CompensationPlan,
    Notice,
    Project,
    RiskAssessment,
    Stage,
)

Requirement = Callable[[Project, date], str | None]
_REQUIREMENTS: dict[Stage, list[Requirement]] = {stage: [] for stage in Stage}


def requirement(stage: Stage) -> Callable[[Requirement], Requirement]:
    """Register a function that must return None before a project may leave `stage`."""

    def register(function: Requirement) -> Requirement:
        if function not in _REQUIREMENTS[stage]:
            _REQUIREMENTS[stage].append(function)
        return function

    return register


def missing_to_leave(project: Project, today: date) -> list[str]:
    """What the project still needs before it can leave its current stage."""
    stage = project.stage_enum
    messages = [function(project, today) for function in _REQUIREMENTS[stage]]
    return [message for message in messages if message]


def _published(project: Project, kind: str) -> list[Notice]:
    """The project's published notices of `kind`, newest first. Read from all the project's
    notices (a few rows), so a page that prefetched `notices` asks nothing more."""
    return [n for n in project.notices.all() if n.kind == kind and n.published_on is not None]


def approved_plan(project: Project) -> CompensationPlan | None:
    """The project's newest approved plan, or None. Read from all the project's plans (a few
    versions), so a page that prefetched `plans` asks nothing more."""
    approved = CompensationPlan.Status.APPROVED
    return next((plan for plan in project.plans.all() if plan.status == approved), None)


def _notice_period_ended(project: Project, kind: str, today: date, label: str) -> str | None:
    notices = _published(project, kind)
    if not notices:
        return _("尚未发布%(notice)s。") % {"notice": label}
    if not any(notice.has_ended(today) for notice in notices):
        latest = max(notices, key=lambda n: n.published_on)
        if latest.ends_on is None:
            return None
        return _("%(notice)s公示期至%(day)s，尚未届满。") % {
            "notice": label,
            "day": cn_date(latest.ends_on),
        }
    return None


@requirement(Stage.INITIATION)
def approvals_verified(project: Project, today: date) -> str | None:
    on_file = {a.kind: a for a in project.approvals.all()}
    missing = [kind.label for kind in Approval.Kind if kind not in on_file]
    if missing:
        return _("缺少审批手续：%(kinds)s。") % {"kinds": "、".join(str(m) for m in missing)}
    unverified = [a.get_kind_display() for a in on_file.values() if not a.is_verified]
    if unverified:
        return _("审批手续尚未经市征收办核查：%(kinds)s。") % {"kinds": "、".join(unverified)}
    return None


@requirement(Stage.INITIATION)
def start_notice_published(project: Project, today: date) -> str | None:
    if not _published(project, Notice.Kind.START):
        return _("尚未发布启动公告。")
    return None


@requirement(Stage.SURVEY)
def households_surveyed(project: Project, today: date) -> str | None:
    if not facts.value(project, "households"):
        return _("尚未登记被征收户（调查摸底）。")
    return None


@requirement(Stage.SURVEY)
def first_list_posted(project: Project, today: date) -> str | None:
    return _notice_period_ended(project, Notice.Kind.FIRST_LIST, today, _("一榜公示"))


@requirement(Stage.PLAN)
def plan_approved(project: Project, today: date) -> str | None:
    if not _has_approved_plan(project):
        return _("补偿方案尚未经市征收办批准。")
    return None


def _has_approved_plan(project: Project) -> bool:
    """Whether the project has an approved plan: from its plans when a page prefetched them,
    else one EXISTS query (a service's gate check, e.g. every disbursement's, need not read
    every version of the plan with all its columns; issue 16)."""
    if "plans" in getattr(project, "_prefetched_objects_cache", {}):
        return approved_plan(project) is not None
    return project.plans.filter(status=CompensationPlan.Status.APPROVED).exists()


# The law asks for at least 30 days of public comment on the plan (Decree 590 art. 10).
PLAN_COMMENT_MIN_DAYS = 30


@requirement(Stage.PLAN)
def plan_comment_period_over(project: Project, today: date) -> str | None:
    notices = [
        notice
        for notice in _published(project, Notice.Kind.PLAN_COMMENT)
        if notice.period_days >= PLAN_COMMENT_MIN_DAYS
    ]
    if not notices:
        return _("补偿方案尚未公布征求意见（征求意见期不少于%(days)s日）。") % {
            "days": PLAN_COMMENT_MIN_DAYS
        }
    if not any(notice.has_ended(today) for notice in notices):
        latest = max(notices, key=lambda n: n.published_on)
        return _("补偿方案征求意见期至%(day)s，尚未届满。") % {"day": cn_date(latest.ends_on)}
    return None


@requirement(Stage.DECISION)
def decision_announced(project: Project, today: date) -> str | None:
    if not _published(project, Notice.Kind.DECISION):
        return _("尚未发布征收决定公告。")
    return None


@requirement(Stage.APPRAISAL)
def second_list_posted(project: Project, today: date) -> str | None:
    return _notice_period_ended(project, Notice.Kind.SECOND_LIST, today, _("二榜公示"))


@requirement(Stage.ENFORCEMENT)
def every_household_settled(project: Project, today: date) -> str | None:
    """None when no household is unsettled (`projects.models.unsettled_condition`)."""
    return unsettled_message(facts.value(project, "households_unsettled"))


def unsettled_message(count: int) -> str | None:
    """The message naming how many households are not settled; None for none."""
    if count:
        return _("尚有%(count)s户未签约、未搬迁，也无经法院强制执行的补偿决定。") % {"count": count}
    return None


@requirement(Stage.PLAN)
def stability_risk_assessed(project: Project, today: date) -> str | None:
    latest = project.risk_assessments.order_by("-assessed_on", "-pk").first()
    if latest is None:
        return _("尚未完成社会稳定风险评估。")
    if latest.level == RiskAssessment.Level.HIGH:
        return _("社会稳定风险评估为高风险（反对率%(share)s%%），不能作出征收决定。") % {
            "share": latest.opposed_share
        }
    return None
