from django.urls import include, path

from petitions.views import cases, figures, lookup, rosters, steps, visits

app_name = "petitions"
# Each topic module keeps its routes beside its views.
urlpatterns = [
    path("", include(module)) for module in (cases, steps, visits, rosters, figures, lookup)
]
