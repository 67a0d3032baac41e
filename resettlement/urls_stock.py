"""URL patterns of the stock pages (included by resettlement/urls.py)."""

urlpatterns: list = []
