"""notices views (being written)."""

urlpatterns = []
