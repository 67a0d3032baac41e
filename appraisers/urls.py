from django.urls import include, path

from appraisers.views import credit, firms, selections, valuations

app_name = "appraisers"
# Each topic module keeps its routes beside its views.
urlpatterns = [path("", include(module)) for module in (firms, selections, valuations, credit)]
