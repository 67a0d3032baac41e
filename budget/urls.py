from django.urls import include, path

from budget.views import narratives, reports, scorecards, years

app_name = "budget"
# Each topic module keeps its routes beside its views.
urlpatterns = [path("", include(module)) for module in (years, scorecards, narratives, reports)]
