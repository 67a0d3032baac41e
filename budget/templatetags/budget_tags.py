"""Template filters for the budget pages: amounts in 万元 and scores."""

from decimal import Decimal

from django import template

from budget.figures import number_text
from core.formatting import wan

register = template.Library()


@register.filter
def wan2(yuan) -> str:
    """Yuan as 万元 with two places and thousands separators: 2134000 → 213.40."""
    if yuan is None or yuan == "":
        return "—"
    return f"{wan(Decimal(yuan)):,.2f}"


@register.filter
def plain(value) -> str:
    """A Decimal without trailing zeros: 95.00 → 95, 97.50 → 97.5."""
    return number_text(value)


@register.filter
def percent(fraction) -> str:
    """A fraction as a percentage with two places: 0.375 → 37.50%."""
    if fraction is None:
        return "—"
    return f"{Decimal(fraction) * 100:.2f}%"
