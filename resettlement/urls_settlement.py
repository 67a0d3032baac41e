"""URL patterns of the settlement pages (included by resettlement/urls.py)."""

from django.urls import path

from resettlement.views import settlement

urlpatterns: list = [
    path(
        "households/<int:pk>/settlement/",
        settlement.household_settlement,
        name="household_settlement",
    ),
    path("households/<int:pk>/settlement/lend/", settlement.lend, name="transit_lend"),
    path(
        "households/<int:pk>/settlement/delivery/<int:building_pk>/",
        settlement.delivery,
        name="building_delivery",
    ),
    path("transit-loans/<int:pk>/return/", settlement.give_back, name="transit_return"),
    path("selections/<int:pk>/handover/", settlement.hand_over, name="handover_record"),
    path(
        "households/<int:pk>/selection-confirmation.pdf",
        settlement.confirmation_file,
        {"fmt": "pdf"},
        name="confirmation_pdf",
    ),
    path(
        "households/<int:pk>/selection-confirmation.docx",
        settlement.confirmation_file,
        {"fmt": "docx"},
        name="confirmation_docx",
    ),
    path(
        "selections/<int:pk>/move-in-notice.pdf",
        settlement.notice_file,
        {"fmt": "pdf"},
        name="move_in_pdf",
    ),
    path(
        "selections/<int:pk>/move-in-notice.docx",
        settlement.notice_file,
        {"fmt": "docx"},
        name="move_in_docx",
    ),
    path("projects/<int:pk>/settlements/", settlement.project_settlements, name="settlements"),
    path(
        "projects/<int:pk>/settlements.xlsx",
        settlement.project_settlements_xlsx,
        name="settlements_xlsx",
    ),
]
