"""URL patterns of the settlement pages (included by resettlement/urls.py)."""

urlpatterns: list = []
