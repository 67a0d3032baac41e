from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import paginate, report_form_errors, report_validation_error
from core.scoping import get_visible_or_404, visible_to
from core.spreadsheets import XLSX_CONTENT_TYPE
from projects import safety, services
from projects.forms.legal import HazardForm, HazardStatusForm, InspectionForm
from projects.models import Hazard, Inspection, Project


@login_required
def inspection_list(request):
    hazards = visible_to(Hazard, request.user)
    inspections = Inspection.objects.annotate(
        hazard_count=Count("hazards", filter=Q(hazards__in=hazards)),
        open_count=Count(
            "hazards", filter=Q(hazards__in=hazards.exclude(status=Hazard.Status.RECTIFIED))
        ),
        categories=Count("hazards__category", filter=Q(hazards__in=hazards), distinct=True),
    ).order_by("-started_on", "-pk")
    return render(
        request, "projects/inspection_list.html", {"page": paginate(request, inspections)}
    )


@login_required
def inspection_create(request):
    services.ensure_office_staff(request.user)
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = safety.create_inspection(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("安全检查已登记。"))
            return redirect(inspection)
    return render(request, "projects/inspection_form.html", {"form": form})


def _hazards(request, inspection):
    return (
        visible_to(Hazard, request.user)
        .filter(inspection=inspection)
        .select_related("project")
        .order_by("category", "pk")
    )


@login_required
def inspection_detail(request, pk):
    inspection = get_object_or_404(Inspection, pk=pk)
    hazards = _hazards(request, inspection)
    form = HazardForm()
    form.fields["project"].queryset = visible_to(Project, request.user).order_by("name")
    summary = hazards.aggregate(
        total=Count("id"),
        rectified=Count("id", filter=Q(status=Hazard.Status.RECTIFIED)),
        categories=Count("category", distinct=True),
    )
    return render(
        request,
        "projects/inspection_detail.html",
        {
            "inspection": inspection,
            "hazards": hazards,
            "summary": summary,
            "form": form,
            "status_form": HazardStatusForm(),
        },
    )


@login_required
@require_POST
def hazard_add(request, pk):
    inspection = get_object_or_404(Inspection, pk=pk)
    form = HazardForm(request.POST)
    form.fields["project"].queryset = visible_to(Project, request.user)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(inspection)
    try:
        safety.record_hazard(inspection=inspection, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("隐患已登记。"))
    return redirect(inspection)


@login_required
@require_POST
def hazard_update(request, pk):
    hazard = get_visible_or_404(Hazard.objects.select_related("project"), request.user, pk=pk)
    form = HazardStatusForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            safety.update_hazard(hazard=hazard, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            report_validation_error(request, error)
        else:
            messages.success(request, _("整改状态已更新。"))
    return redirect(hazard.inspection)


@login_required
def hazard_export(request, pk):
    inspection = get_object_or_404(Inspection, pk=pk)
    content = safety.hazard_workbook(_hazards(request, inspection))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = _("问题隐患及整改措施清单") + ".xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


urlpatterns = [
    path("inspections/", inspection_list, name="inspection_list"),
    path("inspections/new/", inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/hazards/", hazard_add, name="hazard_add"),
    path("inspections/<int:pk>/export/", hazard_export, name="hazard_export"),
    path("hazards/<int:pk>/", hazard_update, name="hazard_update"),
]
