"""Report runs: queue a build, watch its progress, download its files, publish it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from budget import services
from budget.forms import FindingNoteForm
from budget.models import AnnualReport
from budget.views.common import office_year
from core.http import download, report_form_errors, report_validation_error
from projects.services import ensure_office_staff


def _run_for(request, pk) -> AnnualReport:
    ensure_office_staff(request.user)
    return get_object_or_404(
        AnnualReport.objects.select_related("budget_year", "requested_by", "published_by"), pk=pk
    )


@login_required
@require_POST
def report_request(request, year):
    budget_year = office_year(request, year)
    run = services.request_report(budget_year=budget_year, by=request.user)
    run.refresh_from_db()  # without a broker the job has run already
    if run.status == AnnualReport.Status.DONE:
        messages.success(request, _("报告已生成。"))
    elif run.status == AnnualReport.Status.FAILED:
        messages.error(request, _("报告生成失败，请查看错误信息。"))
    # Queued: no message, which would stay after the run has finished; the run's part of the
    # page says it was submitted until it is replaced by the finished run.
    return redirect(run)


@login_required
@require_POST
def report_retry(request, pk):
    run = _run_for(request, pk)
    try:
        services.retry_report(run=run, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        run.refresh_from_db()  # without a broker the job has run already
        if run.status == AnnualReport.Status.DONE:
            messages.success(request, _("报告已生成。"))
    return redirect(run)


def _run_context(request, run: AnnualReport) -> dict:
    return {
        "run": run,
        "unacknowledged": services.unacknowledged(run) if run.findings else [],
        "can_edit": services.can_edit_figures(request.user),
    }


@login_required
def report_detail(request, pk):
    run = _run_for(request, pk)
    return render(request, "budget/annualreport_detail.html", _run_context(request, run))


@login_required
@require_GET
def report_progress(request, pk):
    """The run's part of its page, which htmx polls every second until the run has finished:
    the finished answer brings the files, the check and the publish form, and polls no more."""
    run = _run_for(request, pk)
    return render(request, "budget/_annualreport_run.html", _run_context(request, run))


@login_required
def report_file(request, pk, field):
    run = _run_for(request, pk)
    if field not in AnnualReport.FILES:
        raise Http404
    filename, ascii_filename = run.download_name(field)
    return download(getattr(run, field), filename, ascii_filename=ascii_filename)


@login_required
@require_POST
def report_publish(request, pk):
    run = _run_for(request, pk)
    try:
        services.publish_report(run=run, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("报告已公开。"))
    return redirect(run)


@login_required
@require_POST
def finding_explain(request, year, key):
    budget_year = office_year(request, year)
    form = FindingNoteForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            services.explain_finding(
                budget_year=budget_year,
                by=request.user,
                key=key,
                explanation=form.cleaned_data["explanation"],
            )
        except ValidationError as error:
            report_validation_error(request, error)
        else:
            messages.success(request, _("差异说明已保存。"))
    return redirect(f"{budget_year.get_absolute_url()}#findings")


@login_required
@require_POST
def finding_acknowledge(request, year, key):
    budget_year = office_year(request, year)
    try:
        services.acknowledge_finding(budget_year=budget_year, by=request.user, key=key)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已确认这处不一致的说明。"))
    return redirect(f"{budget_year.get_absolute_url()}#findings")


@login_required
@require_POST
def report_withdraw(request, pk):
    run = _run_for(request, pk)
    services.withdraw_report(run=run, by=request.user)
    messages.success(request, _("已撤回公开。"))
    return redirect(run)


urlpatterns = [
    path("<int:year>/reports/new/", report_request, name="report_request"),
    path("reports/<int:pk>/", report_detail, name="report_detail"),
    path("reports/<int:pk>/retry/", report_retry, name="report_retry"),
    path("reports/<int:pk>/progress/", report_progress, name="report_progress"),
    path("reports/<int:pk>/files/<str:field>/", report_file, name="report_file"),
    path("reports/<int:pk>/publish/", report_publish, name="report_publish"),
    path("reports/<int:pk>/withdraw/", report_withdraw, name="report_withdraw"),
    path("<int:year>/findings/<str:key>/explain/", finding_explain, name="finding_explain"),
    path(
        "<int:year>/findings/<str:key>/acknowledge/",
        finding_acknowledge,
        name="finding_acknowledge",
    ),
]
