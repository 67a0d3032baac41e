"""Duty rosters (值班表): office staff only; printable and exported to .xlsx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import paginate, report_form_errors, report_validation_error
from core.spreadsheets import XLSX_CONTENT_TYPE
from petitions import exports, services
from petitions.forms import RosterForm, ShiftForm
from petitions.models import DutyRoster, DutyShift
from petitions.rosters import default_shift_times, duty_days, on_duty_now


def _roster_for(request, pk) -> DutyRoster:
    services.ensure_office_staff(request.user)
    return get_object_or_404(DutyRoster.objects.select_related("created_by"), pk=pk)


@login_required
def roster_list(request):
    services.ensure_office_staff(request.user)
    rosters = DutyRoster.objects.order_by("-starts_on", "-pk")
    return render(
        request,
        "petitions/dutyroster_list.html",
        {"page": paginate(request, rosters), "on_duty": on_duty_now(timezone.now())},
    )


@login_required
def roster_create(request):
    services.ensure_office_staff(request.user)
    form = RosterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            roster = services.create_roster(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("值班表已建立，请添加值班安排。"))
            return redirect(roster)
    return render(request, "petitions/dutyroster_form.html", {"form": form})


@login_required
def roster_edit(request, pk):
    roster = _roster_for(request, pk)
    form = RosterForm(request.POST or None, instance=roster)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_roster(roster=roster, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("值班表已保存。"))
            return redirect(roster)
    return render(request, "petitions/dutyroster_form.html", {"form": form, "roster": roster})


@login_required
def roster_detail(request, pk):
    roster = _roster_for(request, pk)
    shifts = roster.shifts.select_related("person").order_by("starts_at", "role", "pk")
    start, end = default_shift_times(roster)
    return render(
        request,
        "petitions/dutyroster_detail.html",
        {
            "roster": roster,
            "days": duty_days(shifts),
            "shift_form": ShiftForm(initial={"starts_at": start, "ends_at": end}),
        },
    )


@login_required
@require_POST
def shift_add(request, pk):
    roster = _roster_for(request, pk)
    form = ShiftForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(roster)
    try:
        services.add_shift(roster=roster, by=request.user, **form.service_fields())
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已添加值班安排。"))
    return redirect(roster)


@login_required
@require_POST
def shift_remove(request, pk):
    services.ensure_office_staff(request.user)
    shift = get_object_or_404(DutyShift.objects.select_related("roster"), pk=pk)
    services.remove_shift(shift=shift, by=request.user)
    messages.success(request, _("已删除值班安排。"))
    return redirect(shift.roster)


@login_required
def roster_export(request, pk):
    roster = _roster_for(request, pk)
    response = HttpResponse(exports.roster_xlsx(roster), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{exports.filename(roster)}"
    return response


urlpatterns = [
    path("rosters/", roster_list, name="roster_list"),
    path("rosters/new/", roster_create, name="roster_create"),
    path("rosters/<int:pk>/", roster_detail, name="roster_detail"),
    path("rosters/<int:pk>/edit/", roster_edit, name="roster_edit"),
    path("rosters/<int:pk>/shifts/", shift_add, name="shift_add"),
    path("shifts/<int:pk>/delete/", shift_remove, name="shift_remove"),
    path("rosters/<int:pk>/export.xlsx", roster_export, name="roster_export"),
]
