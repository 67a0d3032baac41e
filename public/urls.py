from django.urls import path

from public import feeds, lookup, selection, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<slug:code>/", views.project_detail, name="project_detail"),
    path("projects/<slug:code>/plan/", views.plan_document, name="plan_document"),
    path("projects/<slug:code>/selection/", selection.selection_order, name="selection_order"),
    path(
        "projects/<slug:code>/selection/board/", selection.selection_board, name="selection_board"
    ),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/feed/", feeds.NoticeFeed(), name="notice_feed"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/attachment/", views.notice_attachment, name="notice_attachment"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/file/", views.policy_file, name="policy_file"),
    path("credit/", views.credit_list, name="credit_list"),
    path("credit/<int:pk>/", views.credit_list, name="credit_list_detail"),
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/<int:pk>/", views.draw_verify, name="draw_verify"),
    path("funds/", views.fund_hashes, name="fund_hashes"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/<str:field>/", views.report_file, name="report_file"),
    path("lookup/", lookup.lookup, name="lookup"),
    path("lookup/result/", lookup.lookup_result, name="lookup_result"),
    path("lookup/end/", lookup.lookup_end, name="lookup_end"),
]
