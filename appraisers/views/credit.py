"""The firms' credit: events, the rules (base score, kinds with points, grade thresholds) and the
credit lists. Office staff only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appraisers import services
from appraisers.forms import (
    CreditEventFilterForm,
    CreditEventForm,
    CreditEventKindForm,
    CreditListForm,
    CreditRulesForm,
    PublishListForm,
)
from appraisers.models import CreditEvent, CreditEventKind, CreditList, CreditPolicy
from core import permissions, signoffs
from core.forms import ReturnForm, SignOffForm
from core.http import (
    add_service_error,
    download,
    paginate,
    post_to_service,
    report_form_errors,
    report_validation_error,
)
from projects.views.gates import gate_refusal, refused_page


@login_required
def credit_event_list(request):
    services.ensure_credit_staff(request.user)
    form = CreditEventFilterForm(request.GET or None)
    events = form.filter(
        CreditEvent.objects.select_related("firm", "kind", "project", "recorded_by")
    ).order_by("-occurred_on", "-pk")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "appraisers/creditevent_list.html",
        {"form": form, "page": paginate(request, events), "query": query.urlencode()},
    )


@login_required
def credit_event_create(request):
    services.ensure_credit_staff(request.user)
    initial = {"occurred_on": timezone.localdate(), "firm": request.GET.get("firm")}
    form = CreditEventForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.record_credit_event(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("已记录信用事件：%(firm)s %(kind)s。")
                % {"firm": event.firm, "kind": event.kind.name},
            )
            return redirect("appraisers:credit_event_list")
    return render(request, "appraisers/creditevent_form.html", {"form": form})


@login_required
def credit_event_evidence(request, pk):
    services.ensure_credit_staff(request.user)
    event = get_object_or_404(CreditEvent, pk=pk)
    return download(event.evidence)


@login_required
def credit_rules(request):
    services.ensure_credit_staff(request.user)
    policy = CreditPolicy.current()
    form = CreditRulesForm(request.POST or None, initial={"base_score": policy.base_score})
    if request.method == "POST" and form.is_valid():
        services.save_credit_rules(by=request.user, **form.cleaned_data)
        messages.success(request, _("基础分已保存。"))
        return redirect("appraisers:credit_rules")
    return render(
        request,
        "appraisers/creditpolicy_detail.html",
        {
            "form": form,
            "policy": policy,
            "grades": services.grades(),
            "min_grade": services.min_grade(),
            "kinds": CreditEventKind.objects.order_by("points", "name"),
        },
    )


@login_required
def kind_edit(request, pk=None):
    services.ensure_credit_staff(request.user)
    kind = get_object_or_404(CreditEventKind, pk=pk) if pk else None
    form = CreditEventKindForm(request.POST or None, instance=kind)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CreditEventKindForm.Meta.fields}
        try:
            services.save_event_kind(by=request.user, kind=kind, **fields)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("信用事件类型已保存；已记录的事件分值不变。"))
            return redirect("appraisers:credit_rules")
    return render(request, "appraisers/crediteventkind_form.html", {"form": form, "kind": kind})


@login_required
def credit_list_index(request):
    services.ensure_credit_staff(request.user)
    form = CreditListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credit_list, _created = services.prepare_credit_list(
                by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已生成信用名录草稿：%(title)s。") % {"title": credit_list})
            return redirect(credit_list)
    lists = CreditList.objects.select_related("published_by").order_by("-period_end", "-pk")
    return render(
        request,
        "appraisers/creditlist_list.html",
        {"form": form, "page": paginate(request, lists)},
    )


@login_required
def credit_list_detail(request, pk):
    services.ensure_credit_staff(request.user)
    credit_list = get_object_or_404(CreditList.objects.select_related("published_by"), pk=pk)
    context = {"credit_list": credit_list}
    if credit_list.is_published:
        context["entries"] = credit_list.entries.all()
    else:
        context["scores"] = services.score_firms(
            period_start=credit_list.period_start, period_end=credit_list.period_end
        )
        context["base_score"] = CreditPolicy.current().base_score
        context |= signoffs.page_context(credit_list, "credit_list")
        returned = context["signoff"] is not None and context["signoff"].state == "returned"
        if permissions.allowed(request.user, "appraisers.publish_credit_list"):
            if not returned:
                context["publish_form"] = PublishListForm(
                    initial={"published_on": timezone.localdate()}
                )
                context["publish_refusal"] = gate_refusal(
                    request.user, "credit_list.publish", project=None, obj=credit_list
                )
                context["return_form"] = ReturnForm(prefix="return")
        else:
            context["publish_note"] = _("信用名录由领导审定公布。")
            context["can_resubmit"] = returned
    return render(request, "appraisers/creditlist_detail.html", context)


@login_required
@require_POST
def credit_list_publish(request, pk):
    services.ensure_credit_staff(request.user)
    credit_list = get_object_or_404(CreditList, pk=pk)
    permissions.ensure(request.user, "appraisers.publish_credit_list")
    if not credit_list.is_published and (
        refused := refused_page(request, "credit_list.publish", project=None, obj=credit_list)
    ):
        return refused
    form = PublishListForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(credit_list)
    try:
        services.publish_credit_list(
            credit_list=credit_list, by=request.user, on=form.cleaned_data["published_on"]
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("信用名录已公布；名录内容不再随信用事件变化。"))
    return redirect(credit_list)


@login_required
@require_POST
def credit_list_return(request, pk):
    """A leader returns the draft list with a comment."""
    services.ensure_credit_staff(request.user)
    credit_list = get_object_or_404(CreditList, pk=pk)
    return post_to_service(
        request,
        ReturnForm(request.POST, prefix="return"),
        services.return_credit_list,
        redirect_to=credit_list,
        success=_("信用名录已退回。"),
        credit_list=credit_list,
    )


@login_required
@require_POST
def credit_list_resubmit(request, pk):
    """Office staff send a returned list back to the leaders."""
    services.ensure_credit_staff(request.user)
    credit_list = get_object_or_404(CreditList, pk=pk)
    return post_to_service(
        request,
        SignOffForm(request.POST, prefix="resubmit"),
        services.resubmit_credit_list,
        redirect_to=credit_list,
        success=_("信用名录已重新提交领导审定。"),
        credit_list=credit_list,
    )


urlpatterns = [
    path("credit/events/", credit_event_list, name="credit_event_list"),
    path("credit/events/new/", credit_event_create, name="credit_event_create"),
    path("credit/events/<int:pk>/evidence/", credit_event_evidence, name="credit_event_evidence"),
    path("credit/rules/", credit_rules, name="credit_rules"),
    path("credit/kinds/new/", kind_edit, name="kind_create"),
    path("credit/kinds/<int:pk>/edit/", kind_edit, name="kind_edit"),
    path("credit/lists/", credit_list_index, name="credit_list_index"),
    path("credit/lists/<int:pk>/", credit_list_detail, name="credit_list_detail"),
    path("credit/lists/<int:pk>/publish/", credit_list_publish, name="credit_list_publish"),
    path("credit/lists/<int:pk>/return/", credit_list_return, name="credit_list_return"),
    path("credit/lists/<int:pk>/resubmit/", credit_list_resubmit, name="credit_list_resubmit"),
]
