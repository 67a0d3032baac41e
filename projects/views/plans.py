"""plans views (being written)."""

urlpatterns = []
