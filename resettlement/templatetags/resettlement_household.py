"""The household's chosen flats and hand-over on its file page (projects' template loads this
library; projects never imports the resettlement app)."""

from django import template

from resettlement.summary import settlement_for

register = template.Library()


@register.inclusion_tag("resettlement/settlement/_household_flats.html")
def household_swap_flats(household):
    """The panel of a swap household's chosen flats and their hand-over; nothing for a
    household that neither chose swap nor holds a chosen flat."""
    settlement = settlement_for(household)
    shown = bool(settlement.flats) or household.method == "swap"
    return {"household": household, "settlement": settlement, "shown": shown}
