from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("districts/<int:pk>/", views.district_detail, name="district_detail"),
    path("deadlines/", views.deadline_list, name="deadline_list"),
    path("calendar/", views.holiday_calendar, name="holiday_calendar"),
    path("calendar/<int:year>/", views.holiday_arrangement_entry, name="holiday_arrangement"),
    path("calendar/recompute/", views.due_recompute_status, name="due_recompute_status"),
    path(
        "calendar/recompute/<int:pk>/retry/",
        views.due_recompute_retry,
        name="due_recompute_retry",
    ),
    path("todo/", views.todo_list, name="todo_list"),
    path("todo/counts/", views.nav_counts, name="nav_counts"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
]
