"""Scoring a scorecard (issue 8, "Scores"), as plain arithmetic on Decimals.

- budget execution: weight × execution rate (capped at 100 %);
- a positive indicator: weight × min(actual ÷ target, 1);
- a negative indicator: weight × min(target ÷ actual, 1) (an actual at or under the target
  scores in full, so a target of 0 met with 0 is full marks);
- a manual score is taken as entered (the model requires a reason with it);
- an indicator without an actual scores 0; one marked not applicable is dropped and the
  total is rescaled so that the applicable weights count for 100;
- each indicator's score is rounded half up to two places, as the tables show it, and the
  total is computed from those rounded scores;
- the grade: 优 from `excellent`, 良 from `good`, 中 from `passing`, 差 below.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal(0)

EXECUTION = "execution"
POSITIVE = "positive"
NEGATIVE = "negative"
MANUAL = "manual"


def round2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio_score(*, method: str, weight: Decimal, target: Decimal | None, actual: Decimal | None):
    """The unrounded score of a positive or negative indicator."""
    if actual is None or target is None:
        return ZERO
    if method == POSITIVE:
        if actual >= target:
            return weight
        if target <= 0 or actual <= 0:
            return ZERO
        return weight * actual / target
    if method == NEGATIVE:
        if actual <= target:
            return weight
        if target <= 0:
            return ZERO
        return weight * target / actual
    raise ValueError(f"not a ratio method: {method}")


def indicator_score(
    *,
    method: str,
    weight: Decimal,
    target: Decimal | None = None,
    actual: Decimal | None = None,
    rate: Decimal | None = None,
    manual_score: Decimal | None = None,
) -> Decimal:
    """One indicator's score, rounded to two places. `rate` is the execution rate as a
    fraction (0.9774), used by the execution method."""
    weight = Decimal(weight)
    if method == EXECUTION:
        if rate is None:
            return ZERO
        return round2(weight * min(max(Decimal(rate), ZERO), Decimal(1)))
    if method == MANUAL:
        return round2(manual_score) if manual_score is not None else ZERO
    return round2(ratio_score(method=method, weight=weight, target=target, actual=actual))


@dataclass(frozen=True)
class Scored:
    """What the total needs of one indicator."""

    weight: Decimal
    score: Decimal
    is_applicable: bool = True


def total_score(rows: Iterable[Scored]) -> Decimal:
    """Σ scores of the applicable indicators, rescaled so their weights count for 100."""
    applicable = [row for row in rows if row.is_applicable]
    weights = sum((row.weight for row in applicable), ZERO)
    if weights <= 0:
        return ZERO
    scores = sum((row.score for row in applicable), ZERO)
    return round2(scores * HUNDRED / weights)


@dataclass(frozen=True)
class Thresholds:
    excellent: Decimal = Decimal(90)
    good: Decimal = Decimal(80)
    passing: Decimal = Decimal(60)


def grade(total: Decimal, thresholds: Thresholds = Thresholds()) -> str:
    if total >= thresholds.excellent:
        return _("优")
    if total >= thresholds.good:
        return _("良")
    if total >= thresholds.passing:
        return _("中")
    return _("差")


def execution_rate(*, available: Decimal, spent: Decimal) -> Decimal | None:
    """Spent ÷ available as a fraction (unrounded); None when nothing was available."""
    if not available:
        return None
    return Decimal(spent) / Decimal(available)


def percent(fraction: Decimal | None, places: int = 2) -> Decimal | None:
    """A fraction as a percentage rounded half up (0.97742 → 97.74)."""
    if fraction is None:
        return None
    return (fraction * HUNDRED).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
