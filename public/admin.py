from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from public import cache
from public.models import PolicyDocument


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "issuer", "number", "issued_on", "is_published"]
    list_filter = ["is_published", "issuer"]
    search_fields = ["title", "number", "summary"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        cache.bump()
