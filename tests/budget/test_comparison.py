"""The year-over-year view: the report's figures for the last five years side by side, with the
change from the year before, on the budget pages and as an .xlsx."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budget import services
from budget.models import SpendingKind
from tests.auth import login
from tests.budget.conftest import line
from tests.budget.factories import BudgetYearFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(budget_year, finance):
    """2016 to 2022; the comparison of 2022 shows 2018 to 2022."""
    line(budget_year, finance, kind=SpendingKind.BASIC, amounts=("0", "213.4", "213.4", "0"))
    for year in range(2016, 2022):
        earlier = BudgetYearFactory(year=year)
        line(earlier, finance, kind=SpendingKind.BASIC, amounts=("0", "200", "200", "0"))
    services.update_year(budget_year=budget_year, by=finance, staff_in_post=12)
    return budget_year


def test_the_comparison_page_shows_five_years_and_the_change(client, years, office_user):
    login(client, "clerk")
    year_page = client.get(reverse("budget:year_detail", args=[2022])).content.decode()
    assert reverse("budget:year_compare", args=[2022]) in year_page
    page = client.get(reverse("budget:year_compare", args=[2022])).content.decode()
    assert all(f"{year}年</th>" in page for year in range(2018, 2023))
    assert "2017年</th>" not in page
    income = page[page.index("一般公共预算收入") :].split("</tr>")[0]
    assert '<td class="num">200</td>' in income and '<td class="num">213.4</td>' in income
    assert "+13.4</td>" in income and "+6.7%</td>" in income
    staff = page[page.index("在编在职人数") :].split("</tr>")[0]
    assert "+1</td>" in staff and "+9.1%</td>" in staff  # 11 → 12


def test_the_comparison_downloads_as_a_workbook(client, years, office_user):
    login(client, "clerk")
    response = client.get(reverse("budget:year_compare", args=[2022]), {"format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="2022-comparison.xlsx"'
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "数据",
        "单位",
        "2018年",
        "2019年",
        "2020年",
        "2021年",
        "2022年",
        "同比增减",
        "同比增减（%）",
    )
    income = next(row for row in rows if row[0] == "一般公共预算收入")
    assert income[1:] == ("万元", 200, 200, 200, 200, 213.4, 13.4, 6.7)


def test_a_district_user_cannot_see_the_comparison(client, years, district_member):
    login(client, "district")
    response = client.get(reverse("budget:year_compare", args=[2022]))
    assert response.status_code == 403
