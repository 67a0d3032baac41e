"""Who may take which action: the one table of permissions, as `rules` predicates.

Group names are read in one place only (User.sections); everything else asks this table,
either `ensure(user, "projects.review_plan", plan)` in a service (raises PermissionDenied with a
Chinese reason) or `{% has_perm "projects.review_plan" user plan as can_review %}` in a template
(rules' template tag). Sign-off steps (core.signoffs) answer for themselves: the section the
item's pending step waits for may act, and nobody else.

The checks go to the rule set itself (rules.has_perm), so a superuser gets no shortcut past a
sign-off chain; the ObjectPermissionBackend in settings makes the same rules answer
`user.has_perm` (and Django admin) too.
"""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import signoffs
from core.exceptions import NotYet
from core.roles import Section


@rules.predicate
def is_office_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_office_staff)


def member_of(section: Section):
    @rules.predicate(name=f"member_of_{section.name.lower()}")
    def predicate(user) -> bool:
        return bool(
            user and user.is_authenticated and user.is_office_staff and user.in_section(section)
        )

    return predicate


is_finance = member_of(Section.FINANCE)
is_legal = member_of(Section.LEGAL)
is_operations = member_of(Section.OPERATIONS)
is_leader = member_of(Section.LEADER)


def _project_of(obj):
    return getattr(obj, "project", obj)


@rules.predicate
def is_district_of_project(user, obj) -> bool:
    """A district user of the project's own district (obj: a project, or a row with .project)."""
    if obj is None or not (user and user.is_authenticated and user.is_active):
        return False
    return user.district_id is not None and user.district_id == _project_of(obj).district_id


@rules.predicate
def may_sign_off(user, item) -> bool:
    """The user's section is the one the item's pending sign-off step waits for."""
    return bool(user and user.is_authenticated) and signoffs.can_act(user, item)


@rules.predicate
def at_last_step(user, item) -> bool:
    return item is not None and signoffs.is_last_step(signoffs.signoff_for(item))


# The table. Each name is "<app>.<action>"; the object, where there is one, is named after it.
PERMISSIONS = {
    # Projects: district offices and the office edit their projects' records.
    "projects.edit_project": is_office_staff | is_district_of_project,  # obj: project
    "projects.submit_plan": is_district_of_project,  # obj: project
    "projects.review_plan": may_sign_off,  # obj: plan (业务科 → 法规科 → 领导)
    "projects.sign_off_notice": may_sign_off & ~at_last_step,  # obj: notice (领导)
    "projects.publish_notice": may_sign_off & at_last_step,  # obj: notice (responsible section)
    "projects.return_notice": may_sign_off,  # obj: notice
    "projects.verify_approval": may_sign_off,  # obj: approval (业务科)
    "projects.office_work": is_office_staff,
    # Money: maker (计划财务科) and checker (领导) are different people (compensation.services).
    "compensation.keep_fund": is_finance,
    "compensation.approve_payment": is_leader,
    "compensation.approve_accounts": is_leader,  # cost budgets and final accounts
    "compensation.review_agreement": is_legal | is_leader,
    # The swap difference after selection (a computed supplement): 业务科 drafts it.
    "compensation.settle_swap_supplement": is_operations | is_legal | is_leader,
    # Appraisers: the credit list is published on a leader's approval.
    "appraisers.publish_credit_list": is_leader,
    "petitions.leader_decision": is_leader,
    # Budget execution and performance figures: 计划财务科 and leaders (and the administrator).
    "budget.edit_figures": is_office_staff & (rules.is_superuser | is_finance | is_leader),
    # The resettlement stock: the office keeps it; a leader reserves flats for a project.
    "resettlement.edit_stock": is_office_staff,
    "resettlement.freeze_flats": is_leader,  # obj: project
    "resettlement.extend_window": is_leader,  # obj: project (选房期限延长)
    # Selection day: 业务科 (or a leader) of the office, and the project's own district office.
    "resettlement.run_selection": (is_office_staff & (is_operations | is_leader))
    | is_district_of_project,  # obj: project
}

for _name, _predicate in PERMISSIONS.items():
    rules.set_perm(_name, _predicate)


_SECTION_RULES = {
    "compensation.keep_fund": (Section.FINANCE,),
    "compensation.approve_payment": (Section.LEADER,),
    "compensation.approve_accounts": (Section.LEADER,),
    "compensation.review_agreement": (Section.LEGAL, Section.LEADER),
    "compensation.settle_swap_supplement": (Section.OPERATIONS, Section.LEGAL, Section.LEADER),
    "appraisers.publish_credit_list": (Section.LEADER,),
    "petitions.leader_decision": (Section.LEADER,),
    "budget.edit_figures": (Section.FINANCE, Section.LEADER),
    "resettlement.freeze_flats": (Section.LEADER,),
    "resettlement.extend_window": (Section.LEADER,),
}


def refusal(user, name: str, obj=None) -> str:
    """The Chinese reason `user` may not take action `name` (on `obj`)."""
    if name in _SECTION_RULES:
        sections = _SECTION_RULES[name]
        if sections == (Section.LEADER,):
            return _("该事项须由领导审批，请由领导操作。")
        names = "、".join(str(section.label) for section in sections)
        return _("只有%(sections)s的工作人员可以进行此操作。") % {"sections": names}
    if name in ("projects.review_plan", "projects.return_notice", "projects.verify_approval"):
        return signoffs.refusal(user, signoffs.signoff_for(obj)) or _("您无权办理该事项。")
    if name in ("projects.sign_off_notice", "projects.publish_notice"):
        signoff = signoffs.signoff_for(obj)
        reason = signoffs.refusal(user, signoff)
        if reason:
            return reason
        if name == "projects.publish_notice":
            return _("公告须经领导签发后，由责任科室发布。")
        return _("该公告已签发，待责任科室发布。")
    if name == "projects.submit_plan":
        return _("只有项目所在区县的征收部门可以提交补偿方案。")
    if name == "resettlement.run_selection":
        return _("选房由业务科或项目所在区县的征收部门办理。")
    if name == "projects.edit_project":
        return _("您无权修改该项目。")
    return _("只有市征收办工作人员可以进行此操作。")


def allowed(user, name: str, obj=None) -> bool:
    return rules.has_perm(name, user, obj)


_SIGNOFF_RULES = (
    "projects.review_plan",
    "projects.return_notice",
    "projects.verify_approval",
    "projects.sign_off_notice",
    "projects.publish_notice",
)


def ensure(user, name: str, obj=None) -> None:
    """Raise PermissionDenied with the Chinese reason unless `user` may take action `name`:
    core.exceptions.NotYet (a PermissionDenied) when the user's section takes part in the
    item's sign-off chain and only the order stands in the way."""
    if rules.has_perm(name, user, obj):
        return
    reason = refusal(user, name, obj)
    if name in _SIGNOFF_RULES:
        signoff = signoffs.signoff_for(obj)
        # May act on the pending step, yet refused: publishing before the sign-off, or signing
        # off what waits to be published; both are the chain's order.
        if signoffs.is_out_of_turn(user, signoff) or signoffs.can_act(user, signoff):
            raise NotYet(reason)
    raise PermissionDenied(reason)
