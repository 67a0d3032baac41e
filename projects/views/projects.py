"""projects views (being written)."""

urlpatterns = []
