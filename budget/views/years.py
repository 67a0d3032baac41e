"""The years: list, the year's page, its facts, budget lines, final-account totals and
expense controls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budget import services, yearbook
from budget.comparison import compare
from budget.figures import wan_text
from budget.forms import (
    BudgetLineForm,
    BudgetYearCreateForm,
    BudgetYearForm,
    ExpenseControlForm,
    ReopenForm,
    StatedTotalForm,
)
from budget.models import (
    AnnualReport,
    BudgetLine,
    BudgetYear,
    Fund,
    Narrative,
    SpendingKind,
    StatedTotal,
)
from budget.report import layouts
from budget.report.sheets import sample_labels
from budget.report.workbook import comparison_workbook
from budget.views.common import office_year
from core.http import paginate, report_form_errors, report_validation_error
from projects.services import ensure_office_staff


@login_required
def year_list(request):
    ensure_office_staff(request.user)
    latest = AnnualReport.objects.filter(
        budget_year=OuterRef("pk"), status=AnnualReport.Status.DONE
    ).order_by("-finished_at", "-pk")
    years = BudgetYear.objects.annotate(
        report_score=Subquery(latest.values("total_score")[:1]),
        report_grade=Subquery(latest.values("grade")[:1]),
        report_finished_at=Subquery(latest.values("finished_at")[:1]),
        published_id=Subquery(
            AnnualReport.objects.published().filter(budget_year=OuterRef("pk")).values("pk")[:1]
        ),
    ).order_by("-year")
    form = BudgetYearCreateForm(request.POST or None)
    if request.method == "POST":
        services.ensure_budget_editor(request.user)
        if form.is_valid():
            try:
                budget_year = services.create_year(by=request.user, year=form.cleaned_data["year"])
            except ValidationError as error:
                form.add_error("year", error)
            else:
                messages.success(request, _("已建立%(year)s年度。") % {"year": budget_year.year})
                return redirect(budget_year)
    return render(
        request,
        "budget/budgetyear_list.html",
        {
            "page": paginate(request, years),
            "form": form,
            "can_edit": services.can_edit_figures(request.user),
        },
    )


def _line_rows(book: yearbook.YearBook) -> list[dict]:
    rows = []
    for fund, fund_label in Fund.choices:
        stated = book.stated_total(fund)
        for kind, kind_label in SpendingKind.choices:
            rows.append(
                {
                    "fund": fund,
                    "fund_label": fund_label,
                    "kind": kind,
                    "kind_label": kind_label,
                    "line": book.line(fund, kind),
                    "first": kind == SpendingKind.BASIC,
                    "stated": stated,
                }
            )
    return rows


@login_required
def year_detail(request, year):
    budget_year = office_year(request, year)
    book = yearbook.gather(budget_year)
    reports = paginate(
        request, budget_year.reports.select_related("requested_by", "published_by"), per_page=10
    )
    narratives = [
        {"kind": kind, "label": label, "narrative": book.narratives.get(kind)}
        for kind, label in Narrative.Kind.choices
    ]
    return render(
        request,
        "budget/budgetyear_detail.html",
        {
            "budget_year": budget_year,
            "book": book,
            "line_rows": _line_rows(book),
            "narratives": narratives,
            "reports": reports,
            "can_edit": services.can_edit_figures(request.user),
            "figures": book.figures,
            "general_stated": book.stated_total(Fund.GENERAL),
            "wan_text": wan_text,
            "finding_rows": [
                {
                    "finding": finding,
                    "note": note,
                    "acknowledged": bool(note and note.acknowledges(finding)),
                }
                for finding, note, _text in book.finding_rows()
            ],
            "is_leader": request.user.is_leader,
            "sample_labels": sample_labels(budget_year.sample_keys or []),
            "forms": layouts.form_set(budget_year.form_layout),
            "closings": budget_year.closings.select_related("by").order_by("-at", "-pk")[:10],
            "reopen_form": ReopenForm(),
        },
    )


@login_required
def year_edit(request, year):
    budget_year = office_year(request, year)
    services.ensure_budget_editor(request.user)
    form = BudgetYearForm(request.POST or None, instance=budget_year)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_year(budget_year=budget_year, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("年度基本情况已保存。"))
            return redirect(budget_year)
    return render(
        request, "budget/budgetyear_form.html", {"form": form, "budget_year": budget_year}
    )


def _fund_and_kind(fund: str, kind: str | None = None):
    if fund not in Fund.values or (kind is not None and kind not in SpendingKind.values):
        raise Http404
    return Fund(fund), SpendingKind(kind) if kind else None


@login_required
def line_edit(request, year, fund, kind):
    budget_year = office_year(request, year)
    services.ensure_budget_editor(request.user)
    fund, kind = _fund_and_kind(fund, kind)
    line = BudgetLine.objects.filter(budget_year=budget_year, fund=fund, kind=kind).first()
    initial = (
        {
            "opening": line.opening,
            "income": line.income,
            "expenditure": line.expenditure,
            "closing": line.closing,
        }
        if line
        else None
    )
    form = BudgetLineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_budget_line(
                budget_year=budget_year, by=request.user, fund=fund, kind=kind, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("已保存%(fund)s%(kind)s。") % {"fund": fund.label, "kind": kind.label},
            )
            return redirect(f"{budget_year.get_absolute_url()}#lines")
    return render(
        request,
        "budget/budgetline_form.html",
        {"form": form, "budget_year": budget_year, "fund": fund, "kind": kind, "line": line},
    )


@login_required
@require_POST
def line_delete(request, year, fund, kind):
    budget_year = office_year(request, year)
    fund, kind = _fund_and_kind(fund, kind)
    line = get_object_or_404(BudgetLine, budget_year=budget_year, fund=fund, kind=kind)
    services.delete_budget_line(line=line, by=request.user)
    messages.success(request, _("已删除%(line)s。") % {"line": line})
    return redirect(f"{budget_year.get_absolute_url()}#lines")


@login_required
def stated_edit(request, year, fund):
    budget_year = office_year(request, year)
    services.ensure_budget_editor(request.user)
    fund, _kind = _fund_and_kind(fund)
    total = StatedTotal.objects.filter(budget_year=budget_year, fund=fund).first()
    initial = {"income": total.income, "expenditure": total.expenditure} if total else None
    form = StatedTotalForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if "delete" in request.POST and total:
            services.delete_stated_total(total=total, by=request.user)
            messages.success(request, _("已删除决算总数。"))
            return redirect(f"{budget_year.get_absolute_url()}#lines")
        if form.is_valid():
            try:
                services.save_stated_total(
                    budget_year=budget_year, by=request.user, fund=fund, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("已保存%(fund)s的决算总数。") % {"fund": fund.label})
                return redirect(f"{budget_year.get_absolute_url()}#lines")
    return render(
        request,
        "budget/statedtotal_form.html",
        {"form": form, "budget_year": budget_year, "fund": fund, "total": total},
    )


@login_required
def controls_edit(request, year):
    budget_year = office_year(request, year)
    services.ensure_budget_editor(request.user)
    form = ExpenseControlForm(request.POST or None, controls=list(budget_year.controls.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_expense_controls(
                budget_year=budget_year, by=request.user, values=form.values()
            )
        except ValidationError as error:
            report_validation_error(request, error)
        else:
            messages.success(request, _("经费控制情况已保存。"))
            return redirect(f"{budget_year.get_absolute_url()}#controls")
    return render(
        request, "budget/expensecontrol_form.html", {"form": form, "budget_year": budget_year}
    )


@login_required
def year_compare(request, year):
    """The year beside the four before it, on a page or (?format=xlsx) as a workbook."""
    budget_year = office_year(request, year)
    comparison = compare(budget_year)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            comparison_workbook(comparison),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{year}-comparison.xlsx"'
        return response
    return render(
        request,
        "budget/budgetyear_compare.html",
        {"budget_year": budget_year, "comparison": comparison},
    )


@login_required
@require_POST
def year_close(request, year):
    budget_year = office_year(request, year)
    try:
        services.close_year(budget_year=budget_year, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request, _("已关账：此后生成的%(year)s年度报告使用关账时的数据。") % {"year": year}
        )
    return redirect(f"{budget_year.get_absolute_url()}#closing")


@login_required
@require_POST
def year_reopen(request, year):
    budget_year = office_year(request, year)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(f"{budget_year.get_absolute_url()}#closing")
    try:
        services.reopen_year(
            budget_year=budget_year, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已重新开账。"))
    return redirect(f"{budget_year.get_absolute_url()}#closing")


urlpatterns = [
    path("<int:year>/compare/", year_compare, name="year_compare"),
    path("<int:year>/close/", year_close, name="year_close"),
    path("<int:year>/reopen/", year_reopen, name="year_reopen"),
    path("", year_list, name="year_list"),
    path("<int:year>/", year_detail, name="year_detail"),
    path("<int:year>/edit/", year_edit, name="year_edit"),
    path("<int:year>/lines/<str:fund>/<str:kind>/", line_edit, name="line_edit"),
    path("<int:year>/lines/<str:fund>/<str:kind>/delete/", line_delete, name="line_delete"),
    path("<int:year>/stated/<str:fund>/", stated_edit, name="stated_edit"),
    path("<int:year>/controls/", controls_edit, name="controls_edit"),
]
