from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import (
    Approval,
    CompensationPlan,
    FamilyMember,
    Household,
    HouseholdDocument,
    HouseholdImport,
    Notice,
    PlanReview,
    Project,
    StageChange,
)


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "changed_by", "changed_at", "note"]
    can_delete = False


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "district", "kind", "is_key", "stage", "started_on"]
    list_filter = ["district", "kind", "stage", "is_key"]
    search_fields = ["code", "name"]
    inlines = [ApprovalInline, StageChangeInline]
    readonly_fields = ["stage"]


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    extra = 0


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ["code", "head_name", "project", "use", "area", "signed_on", "method"]
    list_filter = ["project__district", "use", "hardship", "method"]
    search_fields = ["code", "head_name", "address", "project__name"]
    raw_id_fields = ["project"]
    inlines = [FamilyMemberInline]


@admin.register(HouseholdDocument)
class HouseholdDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "household", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["household"]


@admin.register(Notice)
class NoticeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "project", "kind", "published_on", "period_days"]
    list_filter = ["kind", "project__district"]
    search_fields = ["title", "project__name"]


class PlanReviewInline(admin.TabularInline):
    model = PlanReview
    extra = 0


@admin.register(CompensationPlan)
class CompensationPlanAdmin(SimpleHistoryAdmin):
    list_display = ["project", "version", "status", "submitted_at", "decided_at"]
    list_filter = ["status"]
    inlines = [PlanReviewInline]


@admin.register(HouseholdImport)
class HouseholdImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "project", "status", "row_count", "uploaded_by", "uploaded_at"]
    list_filter = ["status"]
