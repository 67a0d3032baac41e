from decimal import Decimal

import pytest

from budget import services
from budget.models import Fund, Indicator, SpendingKind
from core.roles import Section
from tests.budget.factories import BudgetYearFactory
from tests.factories import staff


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def finance(db):
    """计划财务科: keeps the budget figures."""
    return staff(Section.FINANCE, username="finance", name="陈财务")


@pytest.fixture
def budget_year(db):
    return BudgetYearFactory(year=2022)


def wan(amount: str) -> Decimal:
    return Decimal(amount) * 10000


def line(
    budget_year, by, *, fund=Fund.GENERAL, kind=SpendingKind.BASIC, amounts=("0", "0", "0", "0")
):
    opening, income, expenditure, closing = (wan(a) for a in amounts)
    return services.save_budget_line(
        budget_year=budget_year,
        by=by,
        fund=fund,
        kind=kind,
        opening=opening,
        income=income,
        expenditure=expenditure,
        closing=closing,
    )


def indicator(budget_year, by, **fields):
    values = {
        "level": Indicator.Level.OUTPUT,
        "sublevel": Indicator.Sublevel.QUANTITY,
        "name": "正在实施的征收项目",
        "method": Indicator.Method.POSITIVE,
        "target": Decimal("10"),
        "unit": "个",
        "weight": Decimal("50"),
        **fields,
    }
    return services.save_indicator(budget_year=budget_year, by=by, **values)
