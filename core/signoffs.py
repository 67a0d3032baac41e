"""Sign-off rules as data, and the one engine that walks an item through them.

`CHAINS` says, for each kind of item, which sections act on it and in which order; the last
step is the sign-off that makes it final. The office's defaults (市征收办 sign-off rules):

- a district's compensation plan (补偿方案): 业务科 reviews, 法规科 checks, a 领导 approves;
- a notice (公告/公示): a 领导 signs it off, then the responsible section publishes it
  (`NOTICE_SECTIONS`: 法规科 for 补偿决定公告, 计划财务科 for 困难补助公示, 业务科 otherwise);
- an approval document (立项批复, 规划, 国土): 业务科 verifies it.

- a cost budget (概算), final accounts (决算) and an appraisal firms' credit list (信用名录):
  a 领导 approves or returns them to whoever prepared them.

Payments are not here: they keep their maker-checker rule (compensation.services).

Every step can pass the item on or return it with a comment; a returned item goes back to
whoever submitted it (the district office, or the staff member), who sees the comment on its
page and on their to-do list and resubmits. One person signs at most one step of a round, and
whoever submitted the item never signs its first step (four eyes). The item's `SignOff` row
holds where it stands; its history rows are the sign-off record.

Apps call `submit`, `approve`, `send_back` and `close` from their own services, inside their
transaction, and act on the result (e.g. mark the plan approved when `approve` returns an
approved sign-off). Who may act is `can_act`, which core.permissions turns into rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import notifications
from core.exceptions import NotYet
from core.models import District, Notification, SignOff, User
from core.roles import Section


@dataclass(frozen=True)
class Step:
    """One step of a chain. `section` None means the item's responsible section, which the
    app names when it submits the item (e.g. the section that publishes a notice kind)."""

    section: Section | None
    label: str  # what the step is, for people: "法规科审查"
    verb: str  # its button: "审查通过"


@dataclass(frozen=True)
class Chain:
    label: str
    steps: tuple[Step, ...]


CHAINS: dict[str, Chain] = {
    "plan": Chain(
        gettext_lazy("补偿方案审核"),
        (
            Step(Section.OPERATIONS, gettext_lazy("业务科审核"), gettext_lazy("审核通过")),
            Step(Section.LEGAL, gettext_lazy("法规科审查"), gettext_lazy("审查通过")),
            Step(Section.LEADER, gettext_lazy("领导批准"), gettext_lazy("批准")),
        ),
    ),
    "notice": Chain(
        gettext_lazy("公告签发"),
        (
            Step(Section.LEADER, gettext_lazy("领导签发"), gettext_lazy("签发")),
            Step(None, gettext_lazy("责任科室发布"), gettext_lazy("发布")),
        ),
    ),
    "approval": Chain(
        gettext_lazy("审批手续核查"),
        (Step(Section.OPERATIONS, gettext_lazy("业务科核查"), gettext_lazy("核查通过")),),
    ),
    # 计划财务科 prepares the cost budget and the final accounts; a 领导 approves or returns.
    "cost_budget": Chain(
        gettext_lazy("概算审定"),
        (Step(Section.LEADER, gettext_lazy("领导审定概算"), gettext_lazy("审定")),),
    ),
    "final_account": Chain(
        gettext_lazy("决算审定"),
        (Step(Section.LEADER, gettext_lazy("领导审定决算"), gettext_lazy("审定")),),
    ),
    # The quarter's credit list of appraisal firms: a 领导 approves its publication or returns
    # it to whoever prepared it (业务科 when the quarterly job prepared it).
    "credit_list": Chain(
        gettext_lazy("信用名录审批"),
        (Step(Section.LEADER, gettext_lazy("领导批准公布"), gettext_lazy("批准公布")),),
    ),
}

# Which section publishes each notice kind (Notice.Kind values); others: 业务科.
NOTICE_SECTIONS: dict[str, Section] = {
    "compensation_decision": Section.LEGAL,
    "hardship": Section.FINANCE,
}


def notice_section(kind: str) -> Section:
    return NOTICE_SECTIONS.get(kind, Section.OPERATIONS)


# Why an item waiting at its chain's last step cannot be finished yet (a signed-off notice
# whose publication projects.gates still refuses): the app that owns the chain's items
# registers a function of a list of sign-offs that returns {sign-off pk: [Chinese reasons]},
# so that core never imports it. The to-do list shows the reasons beside the item.
Holds = Callable[[list[SignOff]], dict[int, list[str]]]
_HOLDS: dict[str, Holds] = {}


def register_holds(chain: str, function: Holds) -> Holds:
    _HOLDS[chain] = function
    return function


def holds(rows: list[SignOff]) -> dict[int, list[str]]:
    """For sign-offs waiting at their last step: why each cannot be finished yet, by pk
    (absent when nothing holds it)."""
    found: dict[int, list[str]] = {}
    for chain, function in _HOLDS.items():
        mine = [row for row in rows if row.chain == chain and is_last_step(row)]
        if mine:
            found.update({pk: reasons for pk, reasons in function(mine).items() if reasons})
    return found


# ---------------------------------------------------------------------------
# Reads


def signoff_for(item: models.Model) -> SignOff | None:
    content_type = ContentType.objects.get_for_model(item)
    return SignOff.objects.filter(content_type=content_type, object_id=item.pk).first()


def signoffs_for(items) -> dict[int, SignOff]:
    """The sign-offs of many items of one model, by item pk (one query)."""
    items = list(items)
    if not items:
        return {}
    content_type = ContentType.objects.get_for_model(items[0])
    rows = SignOff.objects.filter(content_type=content_type, object_id__in=[i.pk for i in items])
    return {row.object_id: row for row in rows}


def _step_section(signoff: SignOff, index: int) -> Section:
    step = CHAINS[signoff.chain].steps[index]
    return step.section or Section(signoff.responsible)


def current_step(signoff: SignOff) -> Step | None:
    if signoff.state != SignOff.State.PENDING:
        return None
    return CHAINS[signoff.chain].steps[signoff.step]


def is_last_step(signoff: SignOff | None) -> bool:
    return (
        signoff is not None
        and signoff.state == SignOff.State.PENDING
        and signoff.step == len(CHAINS[signoff.chain].steps) - 1
    )


def _signed_this_round(signoff: SignOff, user: User) -> bool:
    return user.pk in (signoff.round_signers or [])


def _step_name(signoff: SignOff, index: int) -> str:
    """A step for people: its label, with the section when the label does not name it."""
    step = CHAINS[signoff.chain].steps[index]
    if step.section is None:
        return f"{step.label}（{_step_section(signoff, index).label}）"
    return str(step.label)


def _own_step(user: User, signoff: SignOff) -> int | None:
    """The index of a step of the item's chain that the user's section takes, if any."""
    if not (user.is_active and user.is_office_staff):
        return None
    for index in range(len(CHAINS[signoff.chain].steps)):
        if index != signoff.step and user.in_section(_step_section(signoff, index)):
            return index
    return None


def refusal(user: User, signoff: SignOff | None) -> str | None:
    """Why `user` may not act on the item now (Chinese), or None when they may.

    A user whose section takes another step of the chain is told what must happen first (the
    steps before theirs) or that their step is done; anybody else is told that the step is
    not theirs. `is_out_of_turn` tells the two apart."""
    if signoff is None or signoff.state != SignOff.State.PENDING:
        return _("该事项当前没有待办的审核步骤。")
    section = Section(signoff.section)
    steps = CHAINS[signoff.chain].steps
    step = steps[signoff.step]
    if not (user.is_active and user.is_office_staff and user.in_section(section)):
        own = _own_step(user, signoff)
        if own is not None and own > signoff.step:
            return _("该事项须先经%(before)s，才轮到%(own)s；当前待%(step)s。") % {
                "before": "、".join(
                    _step_name(signoff, index) for index in range(signoff.step, own)
                ),
                "own": steps[own].label,
                "step": _step_name(signoff, signoff.step),
            }
        if own is not None:
            return _("%(own)s已经完成，该事项当前待%(step)s。") % {
                "own": steps[own].label,
                "step": _step_name(signoff, signoff.step),
            }
        return _("该事项当前待%(section)s办理（%(step)s），您无权办理。") % {
            "section": section.label,
            "step": step.label,
        }
    return _four_eyes_refusal(user, signoff)


def _four_eyes_refusal(user: User, signoff: SignOff) -> str | None:
    """Why the four-eyes rule keeps `user` (of the step's section) off the pending step, or
    None: they signed an earlier step of this round, or submitted the item (first step)."""
    if signoff.step > 0 and _signed_this_round(signoff, user):
        return _("您已签署本轮的前一审核步骤，同一人不能签署两个步骤，须由本科室的另一人办理。")
    if signoff.step == 0 and signoff.submitted_by_id == user.pk:
        return _("该事项由您提交，第一步审核须由本科室的另一人办理。")
    return None


def is_out_of_turn(user: User, signoff: SignOff | None) -> bool:
    """The user's section takes part in the item's chain, but not now (or the four-eyes rule
    keeps this user off this step): an order matter, not a missing permission."""
    if signoff is None or signoff.state != SignOff.State.PENDING:
        return False
    if user.is_active and user.is_office_staff and user.in_section(Section(signoff.section)):
        return _four_eyes_refusal(user, signoff) is not None
    return _own_step(user, signoff) is not None


def refuse(user: User, signoff: SignOff | None, reason: str) -> PermissionDenied:
    """The exception for a refused step: NotYet when it is a matter of order."""
    return (NotYet if is_out_of_turn(user, signoff) else PermissionDenied)(reason)


def can_act(user: User, item: models.Model | SignOff | None) -> bool:
    if item is None:
        return False
    signoff = item if isinstance(item, SignOff) else signoff_for(item)
    return refusal(user, signoff) is None


def progress(signoff: SignOff | None, chain: str) -> list[dict]:
    """The chain's steps for a page: label, section, and done / current / waiting."""
    steps = CHAINS[chain].steps
    rows = []
    for index, step in enumerate(steps):
        if signoff is None:
            status = "waiting"
        elif signoff.state == SignOff.State.APPROVED or (
            signoff.state == SignOff.State.CLOSED and signoff.action == "approve"
        ):
            status = "done"
        elif signoff.state == SignOff.State.PENDING:
            status = (
                "done"
                if index < signoff.step
                else "current"
                if index == signoff.step
                else "waiting"
            )
        else:
            status = "waiting"
        section = step.section or (
            Section(signoff.responsible) if signoff and signoff.responsible else None
        )
        rows.append({"label": step.label, "section": section, "status": status})
    return rows


def record(signoff: SignOff | None) -> list:
    """The sign-off record: a history row per submission, pass, return or approval, oldest
    first, each with `what` (e.g. "法规科审查：通过")."""
    if signoff is None:
        return []
    rows = list(
        signoff.history.exclude(action="")
        .select_related("acted_by__district")
        .prefetch_related("acted_by__groups")
        .order_by("history_date", "history_id")
    )
    steps = CHAINS[signoff.chain].steps
    for row in rows:
        row.what = _what(row, steps)
    return rows


def _what(row, steps: tuple[Step, ...]) -> str:
    if row.action == "submit":
        return _("提交")
    if row.action == "resubmit":
        return _("重新提交")
    if row.action == "close":
        return _("关闭")
    index = row.step - 1 if row.action == "pass" else row.step
    step = steps[min(max(index, 0), len(steps) - 1)]
    if row.action == "return":
        return _("%(step)s：退回") % {"step": step.label}
    return _("%(step)s：%(verb)s") % {"step": step.label, "verb": step.verb}


# ---------------------------------------------------------------------------
# Writes (called from the apps' services, inside their transactions)


def _save(signoff: SignOff, *, by: User | None, action: str, comment: str) -> None:
    signoff.acted_by = by
    signoff.action = action
    signoff.comment = comment
    signoff.updated_at = timezone.now()
    signoff._history_user = by  # simple-history: the actor, also outside a request
    # submitted_by is None for an item a scheduled job prepared (submit's `by`).
    signoff.full_clean(
        exclude=["content_type", "district", "submitted_by", "submitted_by_district"]
    )
    signoff.save()
    # Whatever was announced about the item so far is overtaken by this action.
    notifications.mark_done(url=signoff.url)


def _lock(item: models.Model) -> SignOff | None:
    content_type = ContentType.objects.get_for_model(item)
    return (
        SignOff.objects.select_for_update()
        .filter(content_type=content_type, object_id=item.pk)
        .first()
    )


@transaction.atomic
def submit(
    *,
    item: models.Model,
    chain: str,
    by: User | None,
    title: str,
    url: str,
    district: District | None,
    responsible: Section | None = None,
    comment: str = "",
    again: bool = False,
    quiet: bool = False,
) -> SignOff:
    """Put `item` at the first step of `chain` (a resubmission after a return starts over).

    `quiet`: no "waiting for you" notification (an item put in its chain at the moment a
    leader decides on it).

    `by` None: a scheduled job prepared the item; a return then goes to its `responsible`
    section.

    `again`: the item itself changed (a corrected draft, a new scan of an approval document)
    and goes through the whole chain again, whatever step it had reached or passed. Without it,
    raises ValidationError when the item is already past the first step or approved.
    """
    steps = CHAINS[chain].steps
    if any(step.section is None for step in steps) and responsible is None:
        raise ValueError(f"chain {chain} needs the item's responsible section")
    signoff = _lock(item)
    started = signoff is not None and signoff.state == SignOff.State.PENDING and signoff.step > 0
    if started and not again:
        raise ValidationError(_("该事项正在审核中，不能重新提交。"))
    finished = (SignOff.State.APPROVED, SignOff.State.CLOSED)
    if signoff is not None and signoff.state in finished and not again:
        raise ValidationError(_("该事项已审核完毕，不能重新提交。"))
    action = "resubmit" if signoff is not None else "submit"
    if signoff is None:
        signoff = SignOff(content_type=ContentType.objects.get_for_model(item), object_id=item.pk)
    signoff.chain = chain
    signoff.title = title[:300]
    signoff.url = url
    signoff.district = district
    signoff.responsible = responsible or ""
    signoff.step = 0
    signoff.state = SignOff.State.PENDING
    signoff.section = _step_section(signoff, 0)
    signoff.submitted_by = by
    signoff.submitted_by_district_id = by.district_id if by else None
    signoff.submitted_at = timezone.now()
    signoff.round_signers = []
    _save(signoff, by=by, action=action, comment=comment)
    if not quiet:
        notifications.notify_section(
            section=Section(signoff.section),
            kind=Notification.Kind.ASSIGNED,
            text=_("待%(step)s：%(title)s") % {"step": steps[0].label, "title": signoff.title},
            url=signoff.url,
        )
    return signoff


@transaction.atomic
def approve(*, item: models.Model, by: User, comment: str = "") -> SignOff:
    """Pass the item's pending step; the last step approves it.

    Raises PermissionDenied when `by` is not of the section the step waits for (or signed an
    earlier step of this round), ValidationError when nothing waits.
    """
    signoff = _lock(item)
    reason = refusal(by, signoff)
    if reason:
        if signoff is None or signoff.state != SignOff.State.PENDING:
            raise ValidationError(reason)
        raise refuse(by, signoff, reason)
    steps = CHAINS[signoff.chain].steps
    done = steps[signoff.step]
    signoff.round_signers = [*(signoff.round_signers or []), by.pk]
    if signoff.step + 1 < len(steps):
        signoff.step += 1
        signoff.section = _step_section(signoff, signoff.step)
        _save(signoff, by=by, action="pass", comment=comment)
        nxt = steps[signoff.step]
        notifications.notify_section(
            section=Section(signoff.section),
            kind=Notification.Kind.ASSIGNED,
            text=_("待%(step)s：%(title)s（%(done)s已通过）")
            % {"step": nxt.label, "title": signoff.title, "done": done.label},
            url=signoff.url,
        )
    else:
        signoff.state = SignOff.State.APPROVED
        signoff.section = ""
        _save(signoff, by=by, action="approve", comment=comment)
        notifications.notify_submitter(
            signoff=signoff,
            kind=Notification.Kind.APPROVED,
            text=_("%(title)s已%(step)s") % {"title": signoff.title, "step": done.verb},
        )
    return signoff


@transaction.atomic
def send_back(*, item: models.Model, by: User, comment: str) -> SignOff:
    """Return the item to its submitter with a comment (required) from the pending step.

    Raises ValidationError without a comment or when nothing waits, PermissionDenied when
    `by` may not act on the pending step.
    """
    if not comment.strip():
        raise ValidationError(_("退回时必须填写意见。"))
    signoff = _lock(item)
    reason = refusal(by, signoff)
    if reason:
        if signoff is None or signoff.state != SignOff.State.PENDING:
            raise ValidationError(reason)
        raise refuse(by, signoff, reason)
    step = CHAINS[signoff.chain].steps[signoff.step]
    signoff.state = SignOff.State.RETURNED
    signoff.section = ""
    _save(signoff, by=by, action="return", comment=comment)
    notifications.notify_submitter(
        signoff=signoff,
        kind=Notification.Kind.RETURNED,
        text=_("%(title)s被退回（%(step)s）：%(comment)s")
        % {"title": signoff.title, "step": step.label, "comment": comment},
    )
    return signoff


@transaction.atomic
def close(*, item: models.Model, by: User, action: str = "close") -> None:
    """Take the item off every list: a returned plan version replaced by a new one, or a
    notice published as the record of a decision taken under its own rule."""
    signoff = _lock(item)
    if signoff is None or signoff.state == SignOff.State.CLOSED:
        return
    signoff.state = SignOff.State.CLOSED
    signoff.section = ""
    _save(signoff, by=by, action=action, comment="")


def page_context(item: models.Model, chain: str) -> dict:
    """What the sign-off panel (core/_signoff_panel.html) shows for an item."""
    signoff = signoff_for(item)
    return {
        "signoff": signoff,
        "signoff_chain": CHAINS[chain],
        "signoff_steps": progress(signoff, chain),
        "signoff_record": record(signoff),
        "signoff_step": current_step(signoff) if signoff else None,
    }
