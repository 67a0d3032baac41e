"""Sections other apps add to a compensation plan's page (e.g. resettlement's swap selection
rules): an app registers `render(request, plan) -> str` (HTML, escaped by its own template)
from its AppConfig.ready(), so the projects app never imports the apps that extend its plan.

A section is part of the plan version it hangs on: it may change only while `edit_refusal`
says nothing (the version waits for its first review step), and a new version starts from the
previous version's sections (`carry_forward`, each app copying its own rows)."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core import signoffs

PlanSection = Callable[..., str]
_SECTIONS: list[PlanSection] = []
# `copy(previous, plan)`: copy the app's rows of the previous version onto the new one.
Carrier = Callable[..., None]
_CARRIERS: list[Carrier] = []


def plan_section(function: PlanSection) -> PlanSection:
    """Register `function(request, plan) -> str` (rendered template HTML)."""
    if function not in _SECTIONS:
        _SECTIONS.append(function)
    return function


def carries_forward(function: Carrier) -> Carrier:
    """Register `function(previous, plan)`: copy the app's section of `previous` onto the new
    version `plan` (called by projects.services.submit_plan, inside its transaction)."""
    if function not in _CARRIERS:
        _CARRIERS.append(function)
    return function


def carry_forward(*, previous, plan) -> None:
    for function in _CARRIERS:
        function(previous, plan)


def render_sections(request, plan) -> list[SafeString]:
    """Every registered section for this plan, in registration order; empty ones left out."""
    rendered = (section(request, plan) for section in _SECTIONS)
    # The sections are rendered templates, autoescaped by Django.
    return [mark_safe(html) for html in rendered if html]  # noqa: S308


def edit_refusal(plan) -> str | None:
    """Why the content of `plan` (its sections, e.g. the swap selection rules) can no longer
    change (Chinese, naming the review steps it passed), or None while the version waits for
    its first review step (业务科审核) and nobody has passed it yet.

    What a reviewing section passed, or a leader approved, is what they read: a change after
    that needs the plan returned and a new version submitted (which starts from this one's
    sections). One query (the plan's sign-off)."""
    status = plan.Status
    values = {"version": plan.version}
    if plan.status == status.SUPERSEDED:
        return _(
            "补偿方案第%(version)s版已被新版本替代，方案内容不能再修改，请在最新版本上修改。"
        ) % (values)
    if plan.status == status.RETURNED:
        return (
            _(
                "补偿方案第%(version)s版已退回，方案内容不能再修改；请提交新版本"
                "（新版本沿用本版的各项规则），在新版本上修改。"
            )
            % values
        )
    signoff = signoffs.signoff_for(plan)
    passed = [
        str(row["label"]) for row in signoffs.progress(signoff, "plan") if row["status"] == "done"
    ]
    if plan.status == status.APPROVED:
        values["steps"] = "、".join(passed) or _("批准")
        return (
            _(
                "补偿方案第%(version)s版已批准（%(steps)s），方案内容（含产权调换选房规则）已冻结，"
                "不能再修改。"
            )
            % values
        )
    if passed:
        step = signoffs.current_step(signoff)
        values["steps"] = "、".join(passed)
        values["step"] = step.label if step else "—"
        return (
            _(
                "补偿方案第%(version)s版已经%(steps)s通过，方案内容（含产权调换选房规则）已冻结；"
                "需要修改的，请%(step)s环节退回后提交新版本。"
            )
            % values
        )
    return None
