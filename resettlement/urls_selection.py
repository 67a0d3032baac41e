"""URL patterns of the selection pages (included by resettlement/urls.py)."""

urlpatterns: list = []
