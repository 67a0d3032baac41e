from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from appraisers.models import (
    AppraisalFirm,
    Commission,
    CreditEvent,
    CreditEventKind,
    CreditGrade,
    CreditList,
    CreditListEntry,
    CreditPolicy,
    ExpertReview,
    FirmSelection,
    Recheck,
    SelectionCandidate,
    Valuation,
    Valuer,
    Vote,
)


class ValuerInline(admin.TabularInline):
    model = Valuer
    extra = 0


@admin.register(AppraisalFirm)
class AppraisalFirmAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "grade", "qualification_expires_on", "status"]
    list_filter = ["grade", "status"]
    search_fields = ["name", "credit_code", "certificate_number"]
    inlines = [ValuerInline]


class CandidateInline(admin.TabularInline):
    model = SelectionCandidate
    extra = 0
    readonly_fields = ["firm", "position"]
    can_delete = False


@admin.register(FirmSelection)
class FirmSelectionAdmin(SimpleHistoryAdmin):
    """Read-only: selections are made through the staff pages, which keep the rules."""

    list_display = ["project", "method", "winner", "decided_on"]
    list_filter = ["method"]
    inlines = [CandidateInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Vote)
class VoteAdmin(SimpleHistoryAdmin):
    list_display = ["selection", "household", "firm", "recorded_at"]
    raw_id_fields = ["household"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Commission)
class CommissionAdmin(SimpleHistoryAdmin):
    list_display = ["contract_number", "firm", "signed_on", "fee"]


@admin.register(Valuation)
class ValuationAdmin(SimpleHistoryAdmin):
    list_display = ["report_number", "household", "firm", "appraised_value", "source", "is_current"]
    list_filter = ["source", "is_current", "firm"]
    search_fields = ["report_number", "household__code", "household__head_name"]
    raw_id_fields = ["household", "replaces"]


@admin.register(Recheck)
class RecheckAdmin(SimpleHistoryAdmin):
    list_display = ["valuation", "requested_on", "outcome", "answered_on"]
    raw_id_fields = ["valuation", "revised"]


@admin.register(ExpertReview)
class ExpertReviewAdmin(SimpleHistoryAdmin):
    list_display = ["recheck", "requested_on", "outcome", "decided_on"]
    raw_id_fields = ["recheck", "revised"]


@admin.register(CreditPolicy)
class CreditPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["base_score"]


@admin.register(CreditGrade)
class CreditGradeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "min_score"]


@admin.register(CreditEventKind)
class CreditEventKindAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "points", "is_active"]


@admin.register(CreditEvent)
class CreditEventAdmin(SimpleHistoryAdmin):
    list_display = ["occurred_on", "firm", "kind", "points", "project"]
    list_filter = ["kind", "firm"]


class EntryInline(admin.TabularInline):
    model = CreditListEntry
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CreditList)
class CreditListAdmin(SimpleHistoryAdmin):
    """A published list is a frozen record: it cannot be changed here either."""

    list_display = ["title", "period_start", "period_end", "status", "published_on"]
    inlines = [EntryInline]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published
