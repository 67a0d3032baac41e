"""imports views (being written)."""

urlpatterns = []
