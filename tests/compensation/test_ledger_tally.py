"""The ledger's yearly tally (LedgerTally) that the annual report's fund figures add up:
PostgreSQL's trigger keeps it equal to the entries, per fund and year of occurrence, with each
reversal counted under the kind of the entry it reverses, in the year it is dated; and
check_ledgers catches a tally that drifted from the entries (tampered through SQL here, behind
the trigger, as a hand-made fix or a dropped trigger would leave it)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
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


TALLY = "compensation_ledgertally"
TALLY_TRIGGER = next(
    t.get_pgid(LedgerEntry) for t in LedgerEntry._meta.triggers if t.name == "ledger_tally_insert"
)


def _two_years(fund, *, finance_user, leader_user) -> None:
    """2022: deposits 1,000.00 + 300.00, a disbursement of 200.00 and its reversal; 2023: a
    deposit of 50.00 and the reversal of the 31 December one (-250.00 net, two entries)."""
    last_day = _deposit(fund, "300.00", date(2022, 12, 31), by=finance_user)
    _deposit(fund, "50.00", date(2023, 1, 1), by=finance_user)
    request = district_request(fund, "200.00", by=finance_user)  # paid 1 June 2022
    paid = services.approve_disbursement(request=request, approved_by=leader_user)
    services.reverse_entry(entry=last_day, by=finance_user, reason="重复入账", on=date(2023, 1, 2))
    services.reverse_entry(entry=paid, by=finance_user, reason="退回", on=date(2022, 12, 31))


def test_deposits_disbursements_and_reversals_go_to_the_year_of_their_dates(
    project, finance_user, leader_user
):
    fund = funded(project, "1000.00", by=finance_user)  # 10 January 2022
    # The 31 December deposit is undone on 2 January: a negative deposit of 2023, not of 2022.
    _two_years(fund, finance_user=finance_user, leader_user=leader_user)

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


# ---------------------------------------------------------------------------
# check_ledgers against the tally


@pytest.fixture
def two_funds(project, other_project, finance_user, leader_user):
    """六岭棚改's fund over 2022 and 2023 (see _two_years), 水利局棚改's with one 2022
    deposit; the tally as the trigger wrote it."""
    fund = funded(project, "1000.00", by=finance_user)
    _two_years(fund, finance_user=finance_user, leader_user=leader_user)
    other = funded(other_project, "70.00", by=finance_user)
    assert _tally() == _counted()
    return fund, other


def _behind_the_trigger(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _check_ledgers_fails(capsys) -> tuple[str, list[str]]:
    """check_ledgers' report (stdout and stderr) after it exited non-zero, and the problems
    the in-database and the Python check both find (asserted to be the same)."""
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_ledgers")
    assert exit_info.value.code == 1
    output = capsys.readouterr()
    in_database = [p["text"] for p in ledger.check_all(in_database=True).problems]
    assert [p["text"] for p in ledger.check_all(in_database=False).problems] == in_database
    return output.out + output.err, in_database


def test_check_ledgers_passes_a_tally_that_agrees_over_years_and_reversals(two_funds, capsys):
    call_command("check_ledgers")
    assert "全部账目核对一致：2个资金账户，7笔账目。" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            "deposits = deposits + 0.01",
            "2022年度账目合计归集1,300.00元，账目年度汇总记载为1,300.01元。",
        ),
        # Disbursements are negative in the tally (one fen more paid out is -0.01) and shown
        # as paid out: 200.00 and its reversal net to 0.00.
        (
            "disbursements = disbursements - 0.01",
            "2022年度账目合计划拨0.00元，账目年度汇总记载为0.01元。",
        ),
    ],
    ids=["deposits", "disbursements"],
)
def test_a_tally_one_fen_off_in_one_fund_and_year_fails_the_check_naming_them(
    two_funds, change, expected, capsys
):
    fund, _other = two_funds
    _behind_the_trigger(
        f"UPDATE {TALLY} SET {change} WHERE fund_id = %s AND year = 2022",  # noqa: S608
        [fund.pk],
    )
    report, problems = _check_ledgers_fails(capsys)
    assert problems == [f"六岭棚改：{expected}"]
    assert f"六岭棚改：{expected}" in report
    assert "账目核对发现1个问题（2个资金账户，7笔账目）。" in report
    assert "2023年度" not in report and "水利局棚改" not in report


def test_a_tally_that_miscounts_the_entries_fails_the_check(two_funds, capsys):
    fund, _other = two_funds
    _behind_the_trigger(
        f"UPDATE {TALLY} SET disbursement_entries = 1 WHERE fund_id = %s AND year = 2022",  # noqa: S608
        [fund.pk],
    )
    _report, problems = _check_ledgers_fails(capsys)
    assert problems == ["六岭棚改：2022年度划拨及其冲正为2笔，账目年度汇总记载为1笔。"]


def test_a_deleted_tally_row_is_reported_missing_with_what_its_entries_add_up_to(two_funds, capsys):
    fund, _other = two_funds
    _behind_the_trigger(
        f"DELETE FROM {TALLY} WHERE fund_id = %s AND year = 2023",  # noqa: S608
        [fund.pk],
    )
    report, problems = _check_ledgers_fails(capsys)
    missing = (
        "六岭棚改：2023年度有归集-250.00元（2笔）、划拨0.00元（0笔），账目年度汇总却没有该年度。"
    )
    assert problems == [missing]
    assert missing in report


def test_a_stray_tally_row_is_reported_and_a_row_of_zeros_is_not(two_funds, capsys):
    _fund, other = two_funds
    _behind_the_trigger(
        f"INSERT INTO {TALLY} (fund_id, year, deposits, deposit_entries, disbursements, "  # noqa: S608
        "disbursement_entries) VALUES (%s, 2024, 0.00, 0, -0.01, 1), (%s, 2025, 0, 0, 0, 0)",
        [other.pk, other.pk],
    )
    _report, problems = _check_ledgers_fails(capsys)
    assert problems == [
        "水利局棚改：账目年度汇总记载2024年度归集0.00元（0笔）、划拨0.01元（1笔），"
        "但该年度没有归集或划拨账目。"
    ]


def test_entries_posted_while_the_tally_trigger_was_off_are_reported(
    two_funds, finance_user, capsys
):
    fund, _other = two_funds
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred; ALTER TABLE needs them checked first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE compensation_ledgerentry DISABLE TRIGGER {TALLY_TRIGGER}")
    _deposit(fund, "0.01", date(2023, 5, 1), by=finance_user)
    _deposit(fund, "9.99", date(2024, 5, 1), by=finance_user)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE compensation_ledgerentry ENABLE TRIGGER {TALLY_TRIGGER}")
    _report, problems = _check_ledgers_fails(capsys)
    assert problems == [
        "六岭棚改：2023年度账目合计归集-249.99元，账目年度汇总记载为-250.00元。",
        "六岭棚改：2023年度归集及其冲正为3笔，账目年度汇总记载为2笔。",
        "六岭棚改：2024年度有归集9.99元（1笔）、划拨0.00元（0笔），账目年度汇总却没有该年度。",
    ]
