"""Hardship subsidies, the cost budget and final accounts of a project, and the reconciliation
per project and for the office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compensation import exports, reports, services
from compensation.forms import CostBudgetForm, FinalAccountForm, SubsidyNoticeForm
from compensation.models import Category, CostBudget, FinalAccount, HardshipSubsidy
from compensation.views.common import can_edit, project_for, xlsx_response
from core import permissions, signoffs
from core.forms import ReturnForm
from core.http import post_to_service, report_form_errors, report_validation_error
from core.scoping import get_visible_or_404, visible_to
from projects.models import Project
from projects.views.gates import gate_refusal, refused_page


@login_required
def subsidy_list(request, pk):
    project = project_for(request, pk)
    today = timezone.localdate()
    subsidies = list(
        HardshipSubsidy.objects.filter(household__project=project)
        .select_related("household", "notice")
        .order_by("household__code")
    )
    waiting = project.households.exclude(hardship="").filter(hardship_subsidy__isnull=True)
    return render(
        request,
        "compensation/hardshipsubsidy_list.html",
        {
            "project": project,
            "rows": [{"subsidy": s, "payable": s.is_payable(today)} for s in subsidies],
            "waiting": waiting.count(),
            "unposted": sum(1 for s in subsidies if s.notice_id is None),
            "notice_form": SubsidyNoticeForm(),
            "can_edit": can_edit(request.user, project),
            "is_finance": permissions.allowed(request.user, "compensation.keep_fund"),
            "fund": getattr(project, "fund", None),
            "register_refusal": gate_refusal(request.user, "subsidy.register", project=project),
        },
    )


@login_required
@require_POST
def subsidy_register(request, pk):
    project = project_for(request, pk)
    services.ensure_can_edit(request.user, project)
    if refused := refused_page(request, "subsidy.register", project=project):
        return refused
    try:
        created = services.register_subsidies(project=project, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已登记%(count)s户困难补助。") % {"count": len(created)})
    return redirect("compensation:subsidy_list", pk=project.pk)


@login_required
@require_POST
def subsidy_withdraw(request, pk):
    subsidy = get_visible_or_404(
        HardshipSubsidy.objects.select_related("household__project"), request.user, pk=pk
    )
    try:
        services.withdraw_subsidy(
            subsidy=subsidy, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request, _("已撤回%(household)s的困难补助。") % {"household": subsidy.household}
        )
    return redirect("compensation:household_detail", pk=subsidy.household_id)


@login_required
@require_POST
def subsidy_notice(request, pk):
    project = project_for(request, pk)
    form = SubsidyNoticeForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("compensation:subsidy_list", pk=project.pk)
    try:
        notice = services.post_subsidy_notice(
            project=project, by=request.user, period_days=form.cleaned_data["period_days"]
        )
    except ValidationError as error:
        report_validation_error(request, error)
        return redirect("compensation:subsidy_list", pk=project.pk)
    messages.success(request, _("困难补助公示已起草，请由市征收办发布；公示期满后方可发放。"))
    return redirect(notice)


def _category_rows(project):
    budget = services.budget_by_category(project)
    actual = services.actuals_by_category(project)
    return [
        {
            "label": label,
            "budgeted": budget[value],
            "actual": actual[value],
            "variance": actual[value] - budget[value],
        }
        for value, label in Category.choices
    ]


@login_required
def cost_accounts(request, pk):
    project = project_for(request, pk)
    budget = CostBudget.objects.filter(project=project).select_related("approved_by").first()
    account = FinalAccount.objects.filter(project=project).select_related("approved_by").first()
    if account and account.is_approved:
        rows = [
            {
                "label": line.get_category_display(),
                "budgeted": line.budgeted,
                "actual": line.actual,
                "variance": line.variance,
            }
            for line in account.lines.all()
        ]
    else:
        rows = _category_rows(project)
    totals = {
        name: sum((row[name] for row in rows), 0) for name in ("budgeted", "actual", "variance")
    }
    budget_initial = {"note": budget.note if budget else ""}
    budget_initial |= {
        value: amount for value, amount in services.budget_by_category(project).items()
    }
    user = request.user
    return render(
        request,
        "compensation/cost_accounts.html",
        {
            "project": project,
            "budget": budget,
            "account": account,
            "rows": rows,
            "totals": totals,
            "budget_form": CostBudgetForm(initial=budget_initial),
            "final_form": FinalAccountForm(initial={"note": account.note if account else ""}),
            "is_finance": permissions.allowed(user, "compensation.keep_fund"),
            "is_leader": permissions.allowed(user, "compensation.approve_accounts"),
            "budget_refusal": gate_refusal(user, "cost_budget.approve", project=project),
            "prepare_refusal": gate_refusal(user, "final_account.prepare", project=project),
            "approve_refusal": gate_refusal(user, "final_account.approve", project=project),
            "budget_signoff": _signoff_panel(budget, "cost_budget"),
            "account_signoff": _signoff_panel(account, "final_account"),
            "budget_return_form": ReturnForm(prefix="budget-return"),
            "final_return_form": ReturnForm(prefix="final-return"),
        },
    )


def _signoff_panel(item, chain) -> dict | None:
    """What core/_signoff_panel.html shows for a budget or final account in its chain."""
    if item is None:
        return None
    context = signoffs.page_context(item, chain)
    return context if context["signoff"] is not None else None


@login_required
@require_POST
def budget_save(request, pk):
    project = project_for(request, pk)
    form = CostBudgetForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("compensation:cost_accounts", pk=project.pk)
    try:
        services.save_cost_budget(
            project=project,
            by=request.user,
            amounts=form.amounts(),
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("概算已保存，待领导审定。"))
    return redirect("compensation:cost_accounts", pk=project.pk)


@login_required
@require_POST
def budget_approve(request, pk):
    project = project_for(request, pk)
    permissions.ensure(request.user, "compensation.approve_accounts")
    if refused := refused_page(request, "cost_budget.approve", project=project):
        return refused
    try:
        services.approve_cost_budget(project=project, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("概算已审定。"))
    return redirect("compensation:cost_accounts", pk=project.pk)


@login_required
@require_POST
def budget_return(request, pk):
    """A leader returns the draft cost budget to 计划财务科 with a comment."""
    project = project_for(request, pk)
    return post_to_service(
        request,
        ReturnForm(request.POST, prefix="budget-return"),
        services.return_cost_budget,
        redirect_to=reverse("compensation:cost_accounts", args=[project.pk]),
        success=_("概算已退回计划财务科修改。"),
        project=project,
    )


@login_required
@require_POST
def final_return(request, pk):
    """A leader returns the draft final accounts to 计划财务科 with a comment."""
    project = project_for(request, pk)
    return post_to_service(
        request,
        ReturnForm(request.POST, prefix="final-return"),
        services.return_final_account,
        redirect_to=reverse("compensation:cost_accounts", args=[project.pk]),
        success=_("决算已退回计划财务科修改。"),
        project=project,
    )


@login_required
@require_POST
def final_save(request, pk):
    project = project_for(request, pk)
    services.ensure_finance(request.user)
    if refused := refused_page(request, "final_account.prepare", project=project):
        return refused
    form = FinalAccountForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("compensation:cost_accounts", pk=project.pk)
    try:
        services.save_final_account(
            project=project, by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("决算说明已保存，待领导审定。"))
    return redirect("compensation:cost_accounts", pk=project.pk)


@login_required
@require_POST
def final_approve(request, pk):
    project = project_for(request, pk)
    permissions.ensure(request.user, "compensation.approve_accounts")
    if refused := refused_page(request, "final_account.approve", project=project):
        return refused
    try:
        services.approve_final_account(project=project, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("决算已审定并冻结，项目资金账户已封账。"))
    return redirect("compensation:cost_accounts", pk=project.pk)


@login_required
def reconciliation(request):
    projects = visible_to(Project, request.user)
    return render(
        request,
        "compensation/reconciliation.html",
        {"data": reports.reconciliation(projects)},
    )


@login_required
def reconciliation_export(request):
    projects = visible_to(Project, request.user)
    return xlsx_response(
        exports.reconciliation_workbook(projects=projects), exports.reconciliation_filename()
    )


urlpatterns = [
    path("projects/<int:pk>/subsidies/", subsidy_list, name="subsidy_list"),
    path("projects/<int:pk>/subsidies/register/", subsidy_register, name="subsidy_register"),
    path("projects/<int:pk>/subsidies/notice/", subsidy_notice, name="subsidy_notice"),
    path("subsidies/<int:pk>/withdraw/", subsidy_withdraw, name="subsidy_withdraw"),
    path("projects/<int:pk>/accounts/", cost_accounts, name="cost_accounts"),
    path("projects/<int:pk>/accounts/budget/", budget_save, name="budget_save"),
    path("projects/<int:pk>/accounts/budget/approve/", budget_approve, name="budget_approve"),
    path("projects/<int:pk>/accounts/budget/return/", budget_return, name="budget_return"),
    path("projects/<int:pk>/accounts/final/return/", final_return, name="final_return"),
    path("projects/<int:pk>/accounts/final/", final_save, name="final_save"),
    path("projects/<int:pk>/accounts/final/approve/", final_approve, name="final_approve"),
    path("reconciliation/", reconciliation, name="reconciliation"),
    path("reconciliation.xlsx", reconciliation_export, name="reconciliation_export"),
]
