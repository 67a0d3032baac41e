"""The ledger's yearly tally (LedgerTally) that the annual report's fund figures add up:
PostgreSQL's trigger keeps it equal to the entries, per fund and year of occurrence, with each
reversal counted under the kind of the entry it reverses, in the year it is dated."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from compensation import ledger, reports, services
from compensation.models import LedgerEntry, LedgerTally
from tests.compensation.factories import district_request, funded
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db  # on PostgreSQL, whose trigger keeps the tally


def _tally() -> dict[tuple, tuple]:
    return {
        (row.fund_id, row.year): (
            row.deposits,
            row.deposit_entries,
            row.disbursements,
            row.disbursement_entries,
        )
        for row in LedgerTally.objects.all()
    }


def _counted() -> dict[tuple, tuple]:
    """The same groups added up from the entries themselves, through the ledger's own
    definitions of deposits and disbursements net of their reversals."""
    groups: dict[tuple, list] = {}
    for column, net in ((0, "deposits_net"), (2, "disbursements_net")):
        rows = (
            getattr(LedgerEntry.objects, net)()
            .annotate(year=ExtractYear("occurred_on"))
            .values("fund_id", "year")
            .annotate(total=Sum("amount"), entries=Count("*"))
            .order_by()
        )
        for row in rows:
            group = groups.setdefault(
                (row["fund_id"], row["year"]), [Decimal("0.00"), 0, Decimal("0.00"), 0]
            )
            group[column], group[column + 1] = row["total"], row["entries"]
    return {key: tuple(values) for key, values in groups.items()}


def _deposit(fund, amount: str, on: date, *, by) -> LedgerEntry:
    return services.record_deposit(
        fund=fund,
        by=by,
        amount=Decimal(amount),
        source="fiscal",
        voucher_number=f"PZ-{on:%Y%m%d}-{amount}",
        received_on=on,
    )


def test_deposits_disbursements_and_reversals_go_to_the_year_of_their_dates(
    project, finance_user, leader_user
):
    fund = funded(project, "1000.00", by=finance_user)  # 10 January 2022
    last_day = _deposit(fund, "300.00", date(2022, 12, 31), by=finance_user)
    _deposit(fund, "50.00", date(2023, 1, 1), by=finance_user)
    request = district_request(fund, "200.00", by=finance_user)  # paid 1 June 2022
    paid = services.approve_disbursement(request=request, approved_by=leader_user)
    # The 31 December deposit undone on 2 January: a negative deposit of 2023, not of 2022.
    services.reverse_entry(entry=last_day, by=finance_user, reason="重复入账", on=date(2023, 1, 2))
    services.reverse_entry(entry=paid, by=finance_user, reason="退回", on=date(2022, 12, 31))

    assert _tally() == _counted()
    assert _tally() == {
        (fund.pk, 2022): (Decimal("1300.00"), 2, Decimal("0.00"), 2),
        (fund.pk, 2023): (Decimal("-250.00"), 2, Decimal("0.00"), 0),
    }
    assert reports.year_flows(2022) == reports.YearFlows(Decimal("1300.00"), Decimal("0.00"))
    assert reports.year_flows(2023) == reports.YearFlows(Decimal("-250.00"), None)
    assert reports.year_flows(2021) == reports.YearFlows(None, None)


def test_a_deposit_and_its_reversal_in_one_year_make_zero_not_nothing(project, finance_user):
    fund = funded(project, "0", by=finance_user)
    entry = _deposit(fund, "80.00", date(2022, 3, 1), by=finance_user)
    services.reverse_entry(entry=entry, by=finance_user, reason="错账", on=date(2022, 3, 2))
    assert reports.year_flows(2022) == reports.YearFlows(Decimal("0.00"), None)
    assert _tally() == _counted()


def test_a_bulk_insert_over_several_funds_is_one_grouped_upsert(district, finance_user):
    funds = [
        funded(ProjectFactory(district=district, code=f"2022-SQ-0{n}"), "0", by=finance_user)
        for n in (1, 2)
    ]
    now = timezone.now()
    entries = []
    for number, fund in enumerate(funds * 3):
        entries.append(
            ledger.build_entry(
                fund,
                recorded_by=finance_user,
                recorded_at=now,
                kind=LedgerEntry.Kind.DEPOSIT,
                amount=Decimal(100 + number),
                occurred_on=date(2021 + number % 2, 12, 31),
                source=LedgerEntry.Source.FISCAL,
                voucher_number=f"BULK-{number}",
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    for fund in funds:
        fund.save(update_fields=ledger.FUND_FIELDS)
    assert _tally() == _counted()
    assert len(_tally()) == 2  # each fund's entries fell in one year (fund 1: 2021, 2: 2022)
    assert reports.year_flows(2021).deposits == Decimal("306.00")  # 100 + 102 + 104


@pytest.mark.django_db(transaction=True)
def test_the_tally_survives_the_test_runners_flush(project):
    """A transactional test ends with TRUNCATE of every table in one statement, which the
    ledger's TRUNCATE trigger must not refuse; the tally is emptied with them."""
    funded(project, "10.00")
    assert _tally() == _counted() != {}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE compensation_ledgerentry, compensation_ledgertally CASCADE")
    assert _tally() == {}
