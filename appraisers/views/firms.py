"""The registry of appraisal firms and their registered valuers (office staff only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appraisers import services
from appraisers.forms import FirmFilterForm, FirmForm, ValuerForm
from appraisers.models import AppraisalFirm, CreditList, CreditListEntry, FirmSelection, Valuer
from core.http import add_service_error, paginate, report_form_errors, report_validation_error
from projects.services import ensure_office_staff


def _firm_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in FirmForm.Meta.fields}


@login_required
def firm_list(request):
    ensure_office_staff(request.user)
    today = timezone.localdate()
    form = FirmFilterForm(request.GET or None)
    firms = form.filter(AppraisalFirm.objects.all(), today=today).order_by("name")
    page = paginate(request, firms)
    assessed = services.assess_firms(page.object_list, today=today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "appraisers/appraisalfirm_list.html",
        {
            "form": form,
            "page": page,
            "rows": assessed,
            "today": today,
            "query": query.urlencode(),
            "min_grade": services.min_grade(),
        },
    )


@login_required
def firm_create(request):
    ensure_office_staff(request.user)
    form = FirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            firm = services.register_firm(by=request.user, **_firm_fields(form))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已登记估价机构：%(firm)s。") % {"firm": firm})
            return redirect(firm)
    return render(request, "appraisers/appraisalfirm_form.html", {"form": form})


@login_required
def firm_edit(request, pk):
    ensure_office_staff(request.user)
    firm = get_object_or_404(AppraisalFirm, pk=pk)
    form = FirmForm(request.POST or None, instance=firm)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_firm(firm=firm, by=request.user, **_firm_fields(form))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("机构信息已保存。"))
            return redirect(firm)
    return render(request, "appraisers/appraisalfirm_form.html", {"form": form, "firm": firm})


@login_required
def firm_detail(request, pk):
    ensure_office_staff(request.user)
    firm = get_object_or_404(AppraisalFirm, pk=pk)
    today = timezone.localdate()
    (eligibility,) = services.assess_firms([firm], today=today)
    context = {
        "firm": firm,
        "today": today,
        "eligibility": eligibility,
        "valuers": firm.valuers.order_by("-is_active", "name"),
        "valuer_form": ValuerForm(),
        "events": firm.credit_events.select_related("kind", "project")[:20],
        "entries": _entries_of(firm),
        "selections": FirmSelection.objects.filter(winner=firm)
        .select_related("project__district")
        .order_by("-decided_on"),
        "history": firm.history.select_related("history_user").order_by("-history_date")[:10],
    }
    return render(request, "appraisers/appraisalfirm_detail.html", context)


def _entries_of(firm):
    return (
        CreditListEntry.objects.filter(firm=firm, credit_list__status=CreditList.Status.PUBLISHED)
        .select_related("credit_list")
        .order_by("-credit_list__period_end")
    )


@login_required
@require_POST
def valuer_add(request, pk):
    ensure_office_staff(request.user)
    firm = get_object_or_404(AppraisalFirm, pk=pk)
    form = ValuerForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(firm)
    try:
        valuer = services.add_valuer(firm=firm, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已登记注册房地产估价师：%(name)s。") % {"name": valuer.name})
    return redirect(firm)


@login_required
@require_POST
def valuer_toggle(request, pk):
    ensure_office_staff(request.user)
    valuer = get_object_or_404(Valuer.objects.select_related("firm"), pk=pk)
    services.set_valuer_active(valuer=valuer, by=request.user, is_active=not valuer.is_active)
    if valuer.is_active:
        messages.success(request, _("%(name)s已恢复在职。") % {"name": valuer.name})
    else:
        messages.success(request, _("%(name)s已标记为离职。") % {"name": valuer.name})
    return redirect(valuer.firm)


urlpatterns = [
    path("", firm_list, name="firm_list"),
    path("firms/new/", firm_create, name="firm_create"),
    path("firms/<int:pk>/", firm_detail, name="firm_detail"),
    path("firms/<int:pk>/edit/", firm_edit, name="firm_edit"),
    path("firms/<int:pk>/valuers/", valuer_add, name="valuer_add"),
    path("valuers/<int:pk>/toggle/", valuer_toggle, name="valuer_toggle"),
]
