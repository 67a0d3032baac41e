"""Read-mostly admin: money moves only through the services (and the ledger never changes), so
the ledger, requests and breakdowns are shown, not edited here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from compensation.models import (
    Agreement,
    CompensationBreakdown,
    DisbursementRequest,
    DocumentTemplate,
    Fund,
    FundHashPublication,
    HardshipSubsidy,
    LedgerCheck,
    LedgerEntry,
    PriceItem,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fund)
class FundAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["project", "account_number", "balance", "entry_count", "last_hash"]
    search_fields = ["project__name", "project__code"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["fund", "sequence", "kind", "amount", "balance_after", "occurred_on", "hash"]
    list_filter = ["kind", "category"]
    search_fields = ["fund__project__name", "voucher_number", "payee_name", "hash"]


@admin.register(DisbursementRequest)
class DisbursementRequestAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["pk", "fund", "payee_kind", "amount", "status", "requested_by", "decided_by"]
    list_filter = ["status", "category"]


@admin.register(CompensationBreakdown)
class BreakdownAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["household", "plan", "method", "total", "is_current", "computed_at"]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["number", "party_name", "status", "amount", "adjustment", "paid"]
    list_filter = ["status", "party"]
    search_fields = ["number", "party_name"]


@admin.register(HardshipSubsidy)
class HardshipSubsidyAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["household", "hardship", "amount", "paid", "notice"]


@admin.register(FundHashPublication)
class FundHashPublicationAdmin(ReadOnlyAdmin):
    list_display = ["day", "fund", "entry_count", "last_hash", "balance"]


@admin.register(LedgerCheck)
class LedgerCheckAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "fund_count", "entry_count", "is_ok"]


@admin.register(PriceItem)
class PriceItemAdmin(SimpleHistoryAdmin):
    list_display = ["project", "name", "unit", "unit_price", "sort_order"]


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["project", "kind", "updated_by", "updated_at"]
