"""URL patterns of the selection pages (included by resettlement/urls.py)."""

from django.urls import path

from resettlement.views import selection

urlpatterns: list = [
    path("projects/<int:pk>/selection/", selection.round_list, name="selection_rounds"),
    path("selection/<int:pk>/", selection.round_detail, name="selection_round"),
    path("selection/<int:pk>/draw/", selection.round_draw, name="selection_draw"),
    path("selection/<int:pk>/pick/", selection.round_pick, name="selection_pick"),
    path("selection/<int:pk>/waive/", selection.round_waive, name="selection_waive"),
    path(
        "selection/<int:pk>/recall/<int:order_pk>/",
        selection.round_recall,
        name="selection_recall",
    ),
    path("selection/<int:pk>/do/<slug:action>/", selection.round_action, name="selection_action"),
    path("selections/<int:pk>/cancel/", selection.selection_cancel, name="selection_cancel"),
]
