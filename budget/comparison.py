"""A year beside the four before it: every numeric figure of the report, year by year, and its
change from the year before (同比).

Each year is read through budget.yearbook.gather, so a closed year shows the figures stored
when it was closed, as its report does. Five gathers, each a fixed number of queries.
"""

from dataclasses import dataclass
from decimal import Decimal

from budget import figures, yearbook
from budget.models import BudgetYear

YEARS = 5


@dataclass(frozen=True)
class Line:
    spec: figures.FigureSpec
    values: list[Decimal | None]  # one per year, oldest first

    @property
    def change(self) -> Decimal | None:
        """The latest year's value less the year before's."""
        if len(self.values) < 2 or None in self.values[-2:]:
            return None
        return self.values[-1] - self.values[-2]

    @property
    def change_percent(self) -> Decimal | None:
        """The change as a percentage of the year before's value, one decimal."""
        change, before = self.change, self.values[-2] if len(self.values) > 1 else None
        if change is None or not before:
            return None
        return (change * 100 / before).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Comparison:
    years: list[int]  # oldest first
    lines: list[Line]


def compare(budget_year: BudgetYear, *, count: int = YEARS) -> Comparison:
    """The year and up to `count - 1` years before it that exist, oldest first."""
    years = list(BudgetYear.objects.filter(year__lte=budget_year.year).order_by("-year")[:count])[
        ::-1
    ]
    books = [yearbook.gather(year) for year in years]
    lines = [
        Line(spec, [book.figures[spec.key].number for book in books])
        for spec in figures.FIGURES
        if spec.is_numeric and spec.key != "year"
    ]
    return Comparison(years=[year.year for year in years], lines=lines)
