"""Budget pages, one module per topic; each keeps its routes beside its views.

The budget is the office's own business: district users are refused (403) on every page,
as core.navigation already hides the menu item from them."""
