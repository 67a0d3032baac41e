from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("core.auth_urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("public/", include("public.urls")),
    path("petitions/", include("petitions.urls")),
    path("appraisers/", include("appraisers.urls")),
    path("compensation/", include("compensation.urls")),
    path("budget/", include("budget.urls")),
    path("resettlement/", include("resettlement.urls")),
    path("", include("projects.urls")),
    path("", include("core.urls")),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
# No /media/ route, not even with DEBUG: stored files are private and reach users only through
# the views that check access (core.http.download).
