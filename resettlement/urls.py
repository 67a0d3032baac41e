"""Staff pages of the resettlement stock and house selection, under /resettlement/.

Each part keeps its own list (stock, selection, settlement) so they grow independently."""

from resettlement.urls_selection import urlpatterns as selection_patterns
from resettlement.urls_settlement import urlpatterns as settlement_patterns
from resettlement.urls_stock import urlpatterns as stock_patterns

app_name = "resettlement"

urlpatterns = [*stock_patterns, *selection_patterns, *settlement_patterns]
