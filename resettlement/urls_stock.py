"""URL patterns of the stock pages (included by resettlement/urls.py)."""

from django.urls import path

from resettlement.views import stock

urlpatterns = [
    path("", stock.estate_list, name="estate_list"),
    path("dashboard/", stock.dashboard, name="stock_dashboard"),
    path("dashboard/export/", stock.dashboard_export, name="stock_dashboard_export"),
    path("estates/new/", stock.estate_edit, name="estate_create"),
    path("estates/export/", stock.estate_export, name="estate_export"),
    path("estates/<int:pk>/", stock.estate_detail, name="estate_detail"),
    path("estates/<int:pk>/edit/", stock.estate_edit, name="estate_edit"),
    path("estates/<int:estate_pk>/buildings/new/", stock.building_edit, name="building_create"),
    path("buildings/<int:pk>/edit/", stock.building_edit, name="building_edit"),
    path("flats/", stock.flat_list, name="flat_list"),
    path("flats/export/", stock.flat_export, name="flat_export"),
    path("flats/freeze/", stock.flat_freeze, name="flat_freeze"),
    path("projects/<int:project_pk>/freeze/", stock.project_freeze, name="project_freeze"),
    path("flats/<int:pk>/", stock.flat_detail, name="flat_detail"),
    path("flats/<int:pk>/prices/", stock.flat_price, name="flat_price"),
    path("flats/<int:pk>/void/", stock.flat_void, name="flat_void"),
    path("imports/template/", stock.stock_template, name="stock_template"),
    path("imports/new/", stock.stock_import_create, name="stock_import_create"),
    path("imports/<int:pk>/", stock.stock_import_detail, name="stock_import_detail"),
    path("imports/<int:pk>/confirm/", stock.stock_import_confirm, name="stock_import_confirm"),
    path("plans/<int:plan_pk>/swap-terms/", stock.swap_terms_edit, name="swap_terms_edit"),
    path(
        "plans/<int:plan_pk>/swap-terms/extend/",
        stock.swap_window_extend,
        name="swap_window_extend",
    ),
]
