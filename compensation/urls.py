from django.urls import include, path

from compensation.views import accounts, agreements, decisions, funds, households

app_name = "compensation"
# Each topic module keeps its routes beside its views.
urlpatterns = [
    path("", include(module)) for module in (funds, households, agreements, decisions, accounts)
]
