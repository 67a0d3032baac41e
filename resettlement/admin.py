"""Django admin for the resettlement stock: read and correct, with history. States change
through the services (freezing, selection, hand-over), so they are read-only here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from resettlement.models import (
    Building,
    Estate,
    Flat,
    FlatPrice,
    Selection,
    SelectionRound,
    StockImport,
    SwapTerms,
    SwapTier,
)


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0


@admin.register(Estate)
class EstateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "district", "address"]
    list_filter = ["district"]
    search_fields = ["name", "address"]
    inlines = [BuildingInline]


class FlatPriceInline(admin.TabularInline):
    model = FlatPrice
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Flat)
class FlatAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "area", "layout", "kind", "state", "project"]
    list_filter = ["state", "kind", "building__estate"]
    search_fields = ["number", "building__name", "building__estate__name"]
    readonly_fields = ["state", "project", "frozen_by", "frozen_at", "void_reason"]
    list_select_related = ["building__estate", "project"]
    inlines = [FlatPriceInline]


class SwapTierInline(admin.TabularInline):
    model = SwapTier
    extra = 0


@admin.register(SwapTerms)
class SwapTermsAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "entitlement_ratio", "entitlement_bonus_area", "max_flats"]
    inlines = [SwapTierInline]


@admin.register(StockImport)
class StockImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "row_count", "uploaded_by", "uploaded_at"]
    readonly_fields = ["errors"]


admin.site.register(SelectionRound, SimpleHistoryAdmin)
admin.site.register(Selection, SimpleHistoryAdmin)
