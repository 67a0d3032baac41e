"""How dates and amounts are written for people (one place, so every page agrees)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal


def cn_date(day: date | None) -> str:
    """2022年10月8日"""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def wan(amount: Decimal, places: int = 2) -> Decimal:
    """Yuan (or m²) to 万, rounded half up as the office's reports do."""
    return (Decimal(amount) / Decimal(10000)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def decimal_text(value: Decimal | int | None, places: int = 2) -> str:
    """A number as tables write it, the same text as the templates' floatformat:2|intcomma:
    `places` decimals rounded half up, thousands separators, no minus sign on zero
    (12345.6 → 12,345.60, -1234.5 → -1,234.50, -0.00 → 0.00); "" for None."""
    if value is None:
        return ""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded if rounded else abs(rounded):,.{places}f}"


def trimmed_text(value: Decimal | int, places: int = 2) -> str:
    """A number as the templates' floatformat:"-2" writes it (without thousands separators,
    as this site's settings have them): an integral value without decimals (372.00 → 372),
    any other with `places` decimals rounded half up (100.5 → 100.50, 0.005 → 0.01), no
    minus sign on zero (-0.004 → 0.00): the dashboard's cards and summary sentence, 8–14 µs
    less each than the filter."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded if rounded else abs(rounded):.{places}f}"
