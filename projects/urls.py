from django.urls import include, path

from projects.views import (
    dashboard,
    gates,
    households,
    imports,
    legal,
    notices,
    plans,
    projects,
    safety,
)

app_name = "projects"
# Each topic module keeps its routes beside its views.
urlpatterns = [
    path("", include(module))
    for module in (projects, households, imports, notices, plans, dashboard, legal, safety, gates)
]
