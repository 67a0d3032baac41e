"""households views (being written)."""

urlpatterns = []
