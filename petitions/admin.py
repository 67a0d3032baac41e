"""Admin: for administrators fixing data. Personal data of petitioners is not listed here;
staff read it on the petitions pages, where the district rule applies."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from petitions.models import DutyRoster, DutyShift, Petition


@admin.register(Petition)
class PetitionAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "received_on", "channel", "district", "category", "status"]
    list_filter = ["status", "channel", "category", "district", "is_legacy"]
    search_fields = ["reference"]
    fields = ["reference", "received_on", "channel", "district", "category", "status", "assignee"]
    readonly_fields = fields

    def has_add_permission(self, request):
        # Cases are registered through the petitions pages, which number them and give codes.
        return False


class DutyShiftInline(admin.TabularInline):
    model = DutyShift
    extra = 0
    raw_id_fields = ["person"]


@admin.register(DutyRoster)
class DutyRosterAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "starts_on", "ends_on", "is_round_the_clock"]
    list_filter = ["kind"]
    inlines = [DutyShiftInline]
