"""dashboard views (being written)."""

urlpatterns = []
