"""Budget lines: the identity opening + income − expenditure = closing, held by the database,
the service and the form."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from budget.models import BudgetLine, Fund, SpendingKind, StatedTotal
from tests.auth import login
from tests.budget.conftest import line, wan

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_line_whose_balances_do_not_add_up(budget_year):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(
            budget_year=budget_year,
            fund=Fund.GENERAL,
            kind=SpendingKind.PROJECT,
            opening=wan("3"),
            income=wan("5"),
            expenditure=wan("3"),
            closing=wan("4"),  # should be 5
        )
    assert not BudgetLine.objects.exists()


def test_a_line_adding_up_to_the_fen_is_saved_and_one_fen_off_is_refused(
    client, budget_year, finance
):
    """0.10 + 0.20 − 0 = 0.30: SQLite (`make run`) adds decimals as floats, where that is not
    0.30, and refused the line; the check holds to the fen on both databases, and still
    refuses a closing one fen off either way."""
    login(client, "finance")
    url = reverse("budget:line_edit", args=[2022, "general", "project"])

    response = client.post(
        url, {"opening": "0.10", "income": "0.20", "expenditure": "0", "closing": "0.30"}
    )

    assert response["Location"].endswith("/budget/2022/#lines")
    saved = BudgetLine.objects.get()
    assert saved.closing == Decimal("0.30")
    for closing in ("0.31", "0.29"):
        with pytest.raises(IntegrityError), transaction.atomic():
            BudgetLine.objects.filter(pk=saved.pk).update(closing=Decimal(closing))
    saved.refresh_from_db()
    assert saved.closing == Decimal("0.30")


def test_the_service_refuses_an_unbalanced_line_with_a_chinese_message(budget_year, finance):
    with pytest.raises(ValidationError) as refused:
        line(budget_year, finance, kind=SpendingKind.PROJECT, amounts=("3", "5", "3", "4"))
    assert "与年末结转和结余" in str(refused.value)
    assert not BudgetLine.objects.exists()


def test_saving_a_line_twice_corrects_it_instead_of_adding_one(budget_year, finance):
    line(budget_year, finance, amounts=("0", "213", "213", "0"))
    line(budget_year, finance, amounts=("0", "213.4", "213.4", "0"))
    saved = BudgetLine.objects.get()
    assert (saved.income, saved.closing) == (Decimal("2134000.00"), Decimal("0.00"))
    assert saved.history.count() == 2


def test_the_form_shows_the_identity_error_and_saves_nothing(client, budget_year, finance):
    login(client, "finance")
    url = reverse("budget:line_edit", args=[2022, "general", "project"])
    response = client.post(
        url, {"opening": "30000", "income": "50000", "expenditure": "30000", "closing": "40000"}
    )
    assert response.status_code == 200
    assert "与年末结转和结余40000" in response.content.decode()
    assert not BudgetLine.objects.exists()

    response = client.post(
        url, {"opening": "30000", "income": "50000", "expenditure": "30000", "closing": "50000"}
    )
    assert response["Location"].endswith("/budget/2022/#lines")
    assert BudgetLine.objects.get().closing == Decimal("50000")


def test_negative_amounts_are_refused(client, budget_year, finance):
    login(client, "finance")
    response = client.post(
        reverse("budget:line_edit", args=[2022, "general", "basic"]),
        {"opening": "-1", "income": "1", "expenditure": "0", "closing": "0"},
    )
    assert "确保该值大于或等于0" in response.content.decode()
    assert not BudgetLine.objects.exists()


def test_an_unknown_fund_in_the_address_is_not_found(client, budget_year, finance):
    login(client, "finance")
    response = client.get(reverse("budget:line_edit", args=[2022, "lottery", "basic"]))
    assert response.status_code == 404


def test_final_account_totals_are_entered_apart_from_the_lines(client, budget_year, finance):
    login(client, "finance")
    response = client.post(
        reverse("budget:stated_edit", args=[2022, "general"]),
        {"income": "2134000", "expenditure": "2134000"},
    )
    assert response.status_code == 302
    total = StatedTotal.objects.get()
    assert (total.fund, total.income) == (Fund.GENERAL, Decimal("2134000"))

    client.post(reverse("budget:stated_edit", args=[2022, "general"]), {"delete": "1"})
    assert not StatedTotal.objects.exists()


def test_a_line_can_be_deleted(client, budget_year, finance):
    line(budget_year, finance, amounts=("0", "1", "1", "0"))
    login(client, "finance")
    response = client.post(reverse("budget:line_delete", args=[2022, "general", "basic"]))
    assert response.status_code == 302
    assert not BudgetLine.objects.exists()
