"""check_ledgers verifies the hash chains in PostgreSQL (sha256() over the same canonical text
as compensation.ledger.entry_payload): these tests tamper with entries through SQL, behind the
application and its triggers, and see the command name the entry in Chinese and exit non-zero,
with the in-database check and the Python one reporting the same problems."""

import threading
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from compensation import ledger, services
from compensation.models import LedgerEntry
from tests.compensation.factories import district_request, finance, funded, leader

pytestmark = pytest.mark.django_db

TABLE = "compensation_ledgerentry"
TRIGGER = "compensation_ledgerentry_append_only"
# Every character JSON escapes (quote, backslash, each control character), one it does not
# (DEL, U+2028), a single quote for SQL, Chinese and a character outside the BMP.
AWKWARD = "a\"b\\c\nd\re\tf\bg\fh\x01i\x1fj\x7fk\u2028l'm 征收😀"


def _sql_payloads() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT e.id, {ledger.sql_payload()} FROM {TABLE} e")  # noqa: S608
        return dict(cursor.fetchall())


def _posted_ledger(project, finance_user, leader_user) -> list[LedgerEntry]:
    """A fund with a deposit, two disbursements and a reversal (four entries)."""
    fund = funded(project, "5000.00", by=finance_user)
    for amount in ("1200.00", "300.50"):
        entry = services.approve_disbursement(
            request=district_request(fund, amount, by=finance_user), approved_by=leader_user
        )
    services.reverse_entry(entry=entry, by=finance_user, reason="重复划拨")
    return list(fund.entries.order_by("sequence"))


def _behind_the_application(*statements) -> None:
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred; ALTER TABLE needs them checked first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


def _command_report(capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_ledgers")
    assert exit_info.value.code != 0
    output = capsys.readouterr()
    return output.out + output.err


def _same_problems_in_python_and_in_database() -> list[str]:
    in_database = [p["text"] for p in ledger.check_all(in_database=True).problems]
    in_python = [p["text"] for p in ledger.check_all(in_database=False).problems]
    assert in_database == in_python
    return in_database


def test_the_database_writes_the_same_canonical_text_and_hash_as_python(
    project, finance_user, leader_user
):
    entries = _posted_ledger(project, finance_user, leader_user)
    fund = entries[0].fund
    # Awkward text, and times with and without microseconds, given in UTC and in UTC+8.
    shanghai = timezone(timedelta(hours=8))
    with transaction.atomic():
        locked = ledger.lock_fund(fund)
        for n, recorded_at in enumerate(
            (
                datetime(2022, 3, 1, 8, 0, tzinfo=UTC),
                datetime(2022, 3, 1, 8, 0, 0, 1, tzinfo=shanghai),
                datetime(2022, 12, 31, 23, 59, 59, 999999, tzinfo=shanghai),
                # PostgreSQL prints this .12 (trailing zeros dropped); isoformat() .120000.
                datetime(2023, 1, 1, 0, 0, 0, 120000, tzinfo=UTC),
            )
        ):
            ledger.append_entry(
                locked,
                recorded_by=finance_user,
                recorded_at=recorded_at,
                kind=LedgerEntry.Kind.DEPOSIT,
                amount=Decimal("0.01") * (n + 1),
                occurred_on=date(2022, 3, 1),
                source="other",
                voucher_number=AWKWARD[: 20 + n],
                purpose=AWKWARD,
            )
    stored = list(LedgerEntry.objects.filter(fund=fund).order_by("sequence"))
    assert len(stored) == 8
    payloads = _sql_payloads()
    for entry in stored:
        assert payloads[entry.pk] == ledger.entry_payload(entry, entry.prev_hash)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT e.id, {ledger.sql_hash()} FROM {TABLE} e")  # noqa: S608
        hashes = dict(cursor.fetchall())
    assert [hashes[e.pk] for e in stored] == [e.hash for e in stored]
    assert ledger.check_all(in_database=True).is_ok
    assert ledger.check_all(in_database=False).is_ok


def test_a_tampered_text_is_caught_even_when_it_only_adds_a_character_json_escapes(
    project, finance_user, leader_user, capsys
):
    entries = _posted_ledger(project, finance_user, leader_user)
    target = entries[1]
    _behind_the_application(
        (f"UPDATE {TABLE} SET purpose = purpose || %s WHERE id = %s", ["\n", target.pk])  # noqa: S608
    )
    report = _command_report(capsys)
    assert f"第2笔（账目ID {target.pk}）：哈希校验失败" in report
    assert report.count("哈希校验失败") == 1
    assert _same_problems_in_python_and_in_database()


def test_a_removed_entry_in_the_middle_is_reported_as_a_gap(
    project, finance_user, leader_user, capsys
):
    entries = _posted_ledger(project, finance_user, leader_user)
    removed, after = entries[1], entries[2]
    _behind_the_application(
        (f"DELETE FROM {TABLE} WHERE id = %s", [removed.pk])  # noqa: S608
    )
    report = _command_report(capsys)
    assert f"第3笔（账目ID {after.pk}）：序号不连续：应为第2笔" in report
    assert f"第3笔（账目ID {after.pk}）：上一笔哈希与前一笔账目不符" in report
    assert "账目笔数为3，账户记载为4笔" in report
    assert "哈希校验失败" not in report  # the entries left are each as they were recorded
    assert _same_problems_in_python_and_in_database()


def test_two_entries_swapped_in_order_are_reported(project, finance_user, leader_user, capsys):
    entries = _posted_ledger(project, finance_user, leader_user)
    second, third = entries[1], entries[2]
    _behind_the_application(
        (f"UPDATE {TABLE} SET sequence = 1000 WHERE id = %s", [second.pk]),  # noqa: S608
        (f"UPDATE {TABLE} SET sequence = 2 WHERE id = %s", [third.pk]),  # noqa: S608
        (f"UPDATE {TABLE} SET sequence = 3 WHERE id = %s", [second.pk]),  # noqa: S608
    )
    report = _command_report(capsys)
    for entry in (second, third):
        assert f"（账目ID {entry.pk}）：哈希校验失败" in report
    assert f"第2笔（账目ID {third.pk}）：上一笔哈希与前一笔账目不符" in report
    assert "逐笔累计余额为" in report
    assert _same_problems_in_python_and_in_database()


def test_a_rewritten_chain_that_the_fund_row_still_heads_is_reported(
    project, finance_user, leader_user, capsys
):
    entries = _posted_ledger(project, finance_user, leader_user)
    last = entries[-1]
    # The last entry's hash replaced by one that does not cover its content.
    _behind_the_application(
        (f"UPDATE {TABLE} SET hash = %s WHERE id = %s", ["e" * 64, last.pk])  # noqa: S608
    )
    report = _command_report(capsys)
    assert f"第4笔（账目ID {last.pk}）：哈希校验失败" in report
    assert "最后一笔账目的哈希与账户记载的最新哈希不符" in report
    assert _same_problems_in_python_and_in_database()


def test_the_check_passes_and_counts_every_entry_of_every_fund(
    project, other_project, finance_user, leader_user, capsys
):
    _posted_ledger(project, finance_user, leader_user)
    funded(other_project, "10.00", by=finance_user)
    call_command("check_ledgers")
    assert "全部账目核对一致：2个资金账户，5笔账目" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_database", [True, False], ids=["in_database", "in_python"])
def test_an_entry_posted_while_the_check_reads_is_no_alarm_and_the_next_run_counts_it(
    project, in_database, capsys
):
    finance_user, approver = finance(), leader()
    fund = funded(project, "5000.00", by=finance_user)
    request = district_request(fund, "1200.00", by=finance_user)
    posted, failed = [], []

    def post_from_another_connection():
        # Committed on the thread's own connection, after the check read the fund row (one
        # entry, 5,000.00) and before it reads the entries (then two, 3,800.00).
        def approve():
            try:
                posted.append(services.approve_disbursement(request=request, approved_by=approver))
            except Exception as error:  # an error in the thread would be lost: asserted below
                failed.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=approve)
        thread.start()
        thread.join()

    check = ledger.check_all(in_database=in_database, after_funds_read=post_from_another_connection)
    assert not failed, failed
    assert len(posted) == 1 and LedgerEntry.objects.filter(fund=fund).count() == 2
    assert check.is_ok, check.problems
    assert (check.fund_count, check.entry_count) == (1, 1)

    call_command("check_ledgers")
    assert "全部账目核对一致：1个资金账户，2笔账目。" in capsys.readouterr().out
