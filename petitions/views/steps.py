"""The steps of a case, one form and one service each, posted from the case page.

The services decide what is allowed; `available_steps` only spares people buttons that would be
refused (which step fits which state, and the extension for leaders).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core import permissions
from core.http import report_form_errors, report_validation_error
from core.scoping import get_visible_or_404
from petitions import deadlines, services
from petitions import forms as step_forms
from petitions.models import Channel, Petition, Status


@dataclass(frozen=True)
class StepAction:
    name: str
    label: str
    form: type[forms.Form]
    service: Callable
    done: str
    applies: Callable[[Petition], bool]
    leaders_only: bool = False
    primary: bool = False

    def make_form(self, petition: Petition, *args, **kwargs) -> forms.Form:
        form = self.form(*args, prefix=self.name, **kwargs)
        if self.name == "reply" and not form.is_bound:
            form.initial.setdefault("review_body", services.default_review_body())
        if self.name == "request_review" and not form.is_bound:
            form.initial.setdefault("body", petition.review_body)
        return form


def _after_reply(petition: Petition) -> bool:
    """Replied, or closed since while the petitioner may still ask for a review."""
    return petition.status == Status.REPLIED or (
        petition.status == Status.CLOSED
        and petition.replied_on is not None
        and petition.review_requested_on is None
        and deadlines.review_request_deadline(petition).due >= timezone.localdate()
    )


def _after_review(petition: Petition) -> bool:
    return petition.status == Status.REVIEWED or (
        petition.status == Status.CLOSED
        and petition.reviewed_on is not None
        and petition.recheck_requested_on is None
        and deadlines.recheck_request_deadline(petition).due >= timezone.localdate()
    )


STEPS = [
    StepAction(
        "accept",
        _("受理"),
        step_forms.AcceptForm,
        services.accept_petition,
        _("已受理，答复期限开始计算。"),
        lambda p: p.status == Status.REGISTERED,
        primary=True,
    ),
    StepAction(
        "decline",
        _("不予受理"),
        step_forms.DeclineForm,
        services.decline_petition,
        _("已作出不予受理决定。"),
        lambda p: p.status == Status.REGISTERED,
    ),
    StepAction(
        "transfer",
        _("转送有权机关"),
        step_forms.TransferForm,
        services.transfer_petition,
        _("已转送。"),
        lambda p: p.status == Status.REGISTERED,
    ),
    StepAction(
        "divert",
        _("依法分流"),
        step_forms.DivertForm,
        services.divert_petition,
        _("已依法分流。"),
        lambda p: p.status in (Status.REGISTERED, Status.ACCEPTED),
    ),
    StepAction(
        "extend",
        _("延长办理期限"),
        step_forms.ExtendForm,
        services.extend_petition,
        _("办理期限已延长。"),
        lambda p: p.status == Status.ACCEPTED and not p.is_extended,
        leaders_only=True,
    ),
    StepAction(
        "reply",
        _("答复（出具信访处理意见书）"),
        step_forms.ReplyForm,
        services.reply_to_petition,
        _("已答复，可打印信访处理意见书。"),
        lambda p: p.status == Status.ACCEPTED,
        primary=True,
    ),
    StepAction(
        "served",
        _("登记送达日期"),
        step_forms.ServedForm,
        services.record_service,
        _("已登记送达日期，请求复查（复核）的期限按收到之日重新计算。"),
        lambda p: (
            (
                p.reviewed_on is not None
                and p.recheck_requested_on is None
                and p.review_served_on is None
            )
            or (
                p.replied_on is not None
                and p.reviewed_on is None
                and p.review_requested_on is None
                and p.reply_served_on is None
            )
        ),
    ),
    StepAction(
        "request_review",
        _("登记复查请求"),
        step_forms.ReviewRequestForm,
        services.request_review,
        _("已登记复查请求。"),
        _after_reply,
    ),
    StepAction(
        "review",
        _("登记复查意见"),
        step_forms.ReviewForm,
        services.record_review,
        _("已登记复查意见。"),
        lambda p: p.status == Status.REVIEW_REQUESTED,
        primary=True,
    ),
    StepAction(
        "request_recheck",
        _("登记复核请求"),
        step_forms.RecheckRequestForm,
        services.request_recheck,
        _("已登记复核请求。"),
        _after_review,
    ),
    StepAction(
        "recheck",
        _("登记复核意见"),
        step_forms.RecheckForm,
        services.record_recheck,
        _("已登记复核意见，该信访事项办理终结。"),
        lambda p: p.status == Status.RECHECK_REQUESTED,
        primary=True,
    ),
    StepAction(
        "report",
        _("向交办机关报送办理情况"),
        step_forms.ReportForm,
        services.report_to_referrer,
        _("已登记报送情况。"),
        lambda p: p.channel == Channel.REFERRED and p.status != Status.REGISTERED,
    ),
    StepAction(
        "close",
        _("结案"),
        step_forms.CloseForm,
        services.close_petition,
        _("已结案。"),
        lambda p: p.status in services.CLOSABLE,
    ),
    StepAction(
        "legacy",
        _("列为遗留积案"),
        step_forms.LegacyForm,
        services.flag_legacy,
        _("已列为遗留积案。"),
        lambda p: not p.is_legacy,
    ),
    StepAction(
        "resolve",
        _("积案化解"),
        step_forms.ResolveForm,
        services.resolve_legacy,
        _("已登记积案化解。"),
        lambda p: p.is_legacy and not p.is_legacy_resolved,
        primary=True,
    ),
]
STEPS_BY_NAME = {step.name: step for step in STEPS}


def available_steps(petition: Petition, user) -> list[tuple[StepAction, forms.Form]]:
    if not user.is_office_staff:
        return []
    return [
        (step, step.make_form(petition))
        for step in STEPS
        if step.applies(petition)
        and (not step.leaders_only or permissions.allowed(user, "petitions.leader_decision"))
    ]


@login_required
@require_POST
def petition_step(request, pk, step):
    petition = get_visible_or_404(Petition, request.user, pk=pk)
    action = STEPS_BY_NAME.get(step)
    if action is None:
        raise Http404
    form = action.make_form(petition, request.POST, request.FILES)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(petition)
    try:
        action.service(petition=petition, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, action.done)
    return redirect(petition)


urlpatterns = [
    path("<int:pk>/steps/<slug:step>/", petition_step, name="petition_step"),
]
