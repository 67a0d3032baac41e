"""Project expenditures and the indicators of the scorecards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budget import figures, scorecards, services
from budget.forms import IndicatorForm, ProjectExpenditureForm
from budget.models import FundingSource, Indicator, ProjectExpenditure
from budget.views.common import office_year
from projects.services import ensure_office_staff


def _expenditure_for(request, pk) -> ProjectExpenditure:
    ensure_office_staff(request.user)
    return get_object_or_404(ProjectExpenditure.objects.select_related("budget_year"), pk=pk)


@login_required
def expenditure_create(request, year):
    budget_year = office_year(request, year)
    services.ensure_budget_editor(request.user)
    form = ProjectExpenditureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            expenditure = services.save_expenditure(
                budget_year=budget_year, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("项目支出已登记。"))
            return redirect(expenditure)
    return render(
        request,
        "budget/projectexpenditure_form.html",
        {"form": form, "budget_year": budget_year},
    )


@login_required
def expenditure_edit(request, pk):
    expenditure = _expenditure_for(request, pk)
    services.ensure_budget_editor(request.user)
    form = ProjectExpenditureForm(request.POST or None, instance=expenditure)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_expenditure(
                budget_year=expenditure.budget_year,
                by=request.user,
                expenditure=expenditure,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("项目支出已保存。"))
            return redirect(expenditure)
    return render(
        request,
        "budget/projectexpenditure_form.html",
        {"form": form, "budget_year": expenditure.budget_year, "expenditure": expenditure},
    )


@login_required
@require_POST
def expenditure_delete(request, pk):
    expenditure = _expenditure_for(request, pk)
    budget_year = expenditure.budget_year
    services.delete_expenditure(expenditure=expenditure, by=request.user)
    messages.success(request, _("已删除项目支出“%(name)s”。") % {"name": expenditure.name})
    return redirect(f"{budget_year.get_absolute_url()}#expenditures")


@login_required
def expenditure_detail(request, pk):
    expenditure = _expenditure_for(request, pk)
    budget_year = expenditure.budget_year
    year_figures = figures.collect(budget_year)
    card = scorecards.build(
        budget_year, list(expenditure.indicators.all()), year_figures, expenditure=expenditure
    )
    funding = [(source.label, *expenditure.amounts(source.value)) for source in FundingSource]
    return render(
        request,
        "budget/projectexpenditure_detail.html",
        {
            "expenditure": expenditure,
            "budget_year": budget_year,
            "card": card,
            "funding": funding,
            "rate": scorecards.expenditure_rate(expenditure),
            "can_edit": services.can_edit_figures(request.user),
        },
    )


def _indicator_form_page(request, *, budget_year, form, indicator=None, expenditure=None):
    return render(
        request,
        "budget/indicator_form.html",
        {
            "form": form,
            "budget_year": budget_year,
            "indicator": indicator,
            "expenditure": expenditure,
            "sublevels": [
                (str(Indicator.Level(level).label), [str(s.label) for s in subs])
                for level, subs in Indicator.SUBLEVELS.items()
            ],
        },
    )


def _back_to(indicator_or_expenditure, budget_year) -> str:
    if isinstance(indicator_or_expenditure, ProjectExpenditure):
        return indicator_or_expenditure.get_absolute_url()
    return f"{budget_year.get_absolute_url()}#indicators"


@login_required
def indicator_create(request, year):
    budget_year = office_year(request, year)
    services.ensure_budget_editor(request.user)
    expenditure = None
    expenditure_id = request.GET.get("expenditure") or request.POST.get("expenditure")
    if expenditure_id:
        expenditure = get_object_or_404(
            ProjectExpenditure, pk=expenditure_id, budget_year=budget_year
        )
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_indicator(
                budget_year=budget_year,
                by=request.user,
                expenditure=expenditure,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("绩效指标已添加。"))
            return redirect(_back_to(expenditure, budget_year))
    return _indicator_form_page(
        request, budget_year=budget_year, form=form, expenditure=expenditure
    )


@login_required
def indicator_edit(request, pk):
    ensure_office_staff(request.user)
    indicator = get_object_or_404(
        Indicator.objects.select_related("budget_year", "expenditure"), pk=pk
    )
    services.ensure_budget_editor(request.user)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_indicator(
                budget_year=indicator.budget_year,
                by=request.user,
                indicator=indicator,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("绩效指标已保存。"))
            return redirect(indicator)
    return _indicator_form_page(
        request,
        budget_year=indicator.budget_year,
        form=form,
        indicator=indicator,
        expenditure=indicator.expenditure,
    )


@login_required
@require_POST
def indicator_delete(request, pk):
    ensure_office_staff(request.user)
    indicator = get_object_or_404(Indicator.objects.select_related("budget_year"), pk=pk)
    back = indicator.get_absolute_url()
    services.delete_indicator(indicator=indicator, by=request.user)
    messages.success(request, _("已删除指标“%(name)s”。") % {"name": indicator.name})
    return redirect(back)


urlpatterns = [
    path("<int:year>/expenditures/new/", expenditure_create, name="expenditure_create"),
    path("expenditures/<int:pk>/", expenditure_detail, name="expenditure_detail"),
    path("expenditures/<int:pk>/edit/", expenditure_edit, name="expenditure_edit"),
    path("expenditures/<int:pk>/delete/", expenditure_delete, name="expenditure_delete"),
    path("<int:year>/indicators/new/", indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/delete/", indicator_delete, name="indicator_delete"),
]
