from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budget.models import (
    AnnualReport,
    BudgetLine,
    BudgetYear,
    ExpenseControl,
    Indicator,
    Narrative,
    ProjectExpenditure,
    StatedTotal,
)


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class StatedTotalInline(admin.TabularInline):
    model = StatedTotal
    extra = 0


@admin.register(BudgetYear)
class BudgetYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "authorized_posts", "staff_in_post", "retired"]
    inlines = [BudgetLineInline, StatedTotalInline]


@admin.register(ProjectExpenditure)
class ProjectExpenditureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "budget_year", "department", "implementer"]
    list_filter = ["budget_year"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "budget_year", "expenditure", "level", "sublevel", "method", "weight"]
    list_filter = ["budget_year", "level", "method"]


@admin.register(ExpenseControl)
class ExpenseControlAdmin(SimpleHistoryAdmin):
    list_display = ["budget_year", "item", "previous_actual", "budget", "actual"]
    list_filter = ["budget_year"]


@admin.register(Narrative)
class NarrativeAdmin(SimpleHistoryAdmin):
    list_display = ["budget_year", "kind", "updated_by", "updated_at"]
    list_filter = ["budget_year", "kind"]


@admin.register(AnnualReport)
class AnnualReportAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "progress", "requested_by", "requested_at", "published_at"]
    list_filter = ["status", "budget_year"]
    readonly_fields = ["findings", "error"]
