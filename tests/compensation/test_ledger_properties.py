"""A property test over random sequences of deposits, disbursements and reversals: the stored
balance always equals the sum of the entries, never goes negative, and the services refuse
exactly what a simple model of the account says they must."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compensation import ledger, services
from compensation.models import LedgerEntry
from tests.compensation.factories import district_request

CENTS = st.integers(min_value=1, max_value=300_000)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), CENTS),
        st.tuples(st.just("disburse"), CENTS),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=40)),
    ),
    max_size=14,
)


@pytest.mark.django_db
@settings(
    max_examples=30,
    database=None,  # no example database written into the working tree
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_the_balance_is_always_the_sum_of_the_entries_and_never_negative(
    project, finance_user, leader_user, operations
):
    with transaction.atomic():
        fund = services.open_fund(project=project, by=finance_user, opened_on=date(2022, 1, 1))
        expected = Decimal("0.00")
        reversed_ids: set[int] = set()
        for operation, value in operations:
            if operation == "deposit":
                amount = Decimal(value) / 100
                services.record_deposit(
                    fund=fund,
                    by=finance_user,
                    amount=amount,
                    source="fiscal",
                    voucher_number="PZ",
                    received_on=date(2022, 1, 2),
                )
                expected += amount
            elif operation == "disburse":
                amount = Decimal(value) / 100
                request = district_request(fund, amount, by=finance_user)
                try:
                    services.approve_disbursement(request=request, approved_by=leader_user)
                except ValidationError:
                    assert amount > expected  # refused only when it would overdraw
                else:
                    assert amount <= expected
                    expected -= amount
            else:
                entries = list(fund.entries.order_by("sequence"))
                if not entries:
                    continue
                entry = entries[value % len(entries)]
                allowed = (
                    entry.kind != LedgerEntry.Kind.REVERSAL
                    and entry.pk not in reversed_ids
                    and expected - entry.amount >= 0
                )
                try:
                    services.reverse_entry(entry=entry, by=finance_user, reason="测试")
                except ValidationError:
                    assert not allowed
                else:
                    assert allowed
                    reversed_ids.add(entry.pk)
                    expected -= entry.amount
            fund.refresh_from_db()
            total = fund.entries.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
            assert fund.balance == total == expected
            assert fund.balance >= 0
        assert ledger.check_fund(fund)[1] == []
        transaction.set_rollback(True)
