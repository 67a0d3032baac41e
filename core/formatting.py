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
