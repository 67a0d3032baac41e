import threading
from datetime import date
from decimal import Decimal

import pgtrigger
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext

from compensation import ledger, services, tasks
from compensation.models import (
    DisbursementRequest,
    Fund,
    FundHashPublication,
    LedgerCheck,
    LedgerEntry,
)
from tests.compensation.factories import district_request, finance, funded, leader

pytestmark = pytest.mark.django_db

TABLE = "compensation_ledgerentry"
TRIGGER = "compensation_ledgerentry_append_only"


def test_a_deposit_raises_the_balance_and_starts_the_hash_chain(project, finance_user):
    fund = funded(project, "1000000.00", by=finance_user)
    entry = fund.entries.get()
    assert fund.balance == Decimal("1000000.00")
    assert entry.sequence == 1
    assert entry.prev_hash == "0" * 64
    assert fund.last_hash == entry.hash == ledger.entry_hash(entry, entry.prev_hash)


def test_a_disbursement_is_posted_only_when_a_leader_approves(project, finance_user, leader_user):
    fund = funded(project, "5000.00", by=finance_user)
    request = district_request(fund, "1200.00", by=finance_user)
    fund.refresh_from_db()
    assert fund.balance == Decimal("5000.00")

    entry = services.approve_disbursement(request=request, approved_by=leader_user)
    fund.refresh_from_db()
    assert entry.amount == Decimal("-1200.00")
    assert entry.prev_hash == fund.entries.get(sequence=1).hash
    assert fund.balance == Decimal("3800.00") == entry.balance_after
    request.refresh_from_db()
    assert request.status == DisbursementRequest.Status.POSTED


def test_a_requester_cannot_approve_their_own_request(project, finance_user):
    both = finance(username="both")
    both.groups.add(*leader().groups.all())
    fund = funded(project, "5000.00", by=finance_user)
    request = district_request(fund, "100.00", by=both)
    with pytest.raises(PermissionDenied, match="申请人不能审批自己的划拨申请"):
        services.approve_disbursement(request=request, approved_by=both)
    assert fund.entries.count() == 1


def test_only_finance_staff_request_and_only_leaders_approve(project, finance_user, leader_user):
    fund = funded(project, "5000.00", by=finance_user)
    with pytest.raises(PermissionDenied):
        district_request(fund, "100.00", by=leader_user)
    request = district_request(fund, "100.00", by=finance_user)
    with pytest.raises(PermissionDenied):
        services.approve_disbursement(request=request, approved_by=finance("finance2"))


def test_the_same_idempotency_key_twice_pays_once(project, finance_user, leader_user):
    fund = funded(project, "5000.00", by=finance_user)
    first = district_request(fund, "700.00", by=finance_user, key="form-abc")
    again = district_request(fund, "700.00", by=finance_user, key="form-abc")
    assert first.pk == again.pk
    one = services.approve_disbursement(request=first, approved_by=leader_user)
    two = services.approve_disbursement(request=again, approved_by=leader_user)
    assert one.pk == two.pk
    fund.refresh_from_db()
    assert fund.balance == Decimal("4300.00")
    assert DisbursementRequest.objects.count() == 1
    assert fund.entries.filter(kind="disbursement").count() == 1


def test_the_same_key_with_another_amount_is_refused(project, finance_user):
    fund = funded(project, "5000.00", by=finance_user)
    district_request(fund, "700.00", by=finance_user, key="form-abc")
    with pytest.raises(ValidationError, match="金额或收款方不同"):
        district_request(fund, "701.00", by=finance_user, key="form-abc")
    assert DisbursementRequest.objects.count() == 1


def test_an_overdraft_is_refused_and_nothing_changes(project, finance_user, leader_user):
    fund = funded(project, "500.00", by=finance_user)
    request = district_request(fund, "500.01", by=finance_user)
    with pytest.raises(ValidationError, match="余额不足"):
        services.approve_disbursement(request=request, approved_by=leader_user)
    fund.refresh_from_db()
    request.refresh_from_db()
    assert fund.balance == Decimal("500.00")
    assert fund.entry_count == 1
    assert request.status == DisbursementRequest.Status.PENDING


def test_a_reversal_restores_the_balance_and_points_at_the_original(
    project, finance_user, leader_user
):
    fund = funded(project, "5000.00", by=finance_user)
    request = district_request(fund, "1200.00", by=finance_user)
    entry = services.approve_disbursement(request=request, approved_by=leader_user)
    reversal = services.reverse_entry(entry=entry, by=finance_user, reason="收款账号有误")
    fund.refresh_from_db()
    assert fund.balance == Decimal("5000.00")
    assert reversal.reverses == entry
    assert reversal.amount == Decimal("1200.00")
    with pytest.raises(ValidationError, match="已经冲正"):
        services.reverse_entry(entry=entry, by=finance_user, reason="再来一次")


def test_reversing_a_deposit_that_was_spent_is_refused(project, finance_user, leader_user):
    fund = funded(project, "1000.00", by=finance_user)
    deposit = fund.entries.get()
    request = district_request(fund, "600.00", by=finance_user)
    services.approve_disbursement(request=request, approved_by=leader_user)
    with pytest.raises(ValidationError, match="余额不足"):
        services.reverse_entry(entry=deposit, by=finance_user, reason="误入账")


def test_the_database_refuses_a_negative_balance(project, finance_user):
    fund = funded(project, "10.00", by=finance_user)
    with pytest.raises(DatabaseError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(balance=Decimal("-1.00"))


def test_ledger_rows_cannot_be_updated_or_deleted_even_from_a_shell(project, finance_user):
    fund = funded(project, "10.00", by=finance_user)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(fund=fund).update(amount=Decimal("99.00"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(fund=fund).delete()
    assert fund.entries.get().amount == Decimal("10.00")


def test_the_database_refuses_a_balance_changed_outside_the_ledger(project, finance_user):
    fund = funded(project, "5000.00", by=finance_user)
    for change in ({"balance": Decimal("9000.00")}, {"entry_count": 7}, {"last_hash": "f" * 64}):
        with pytest.raises(DatabaseError, match="only with a ledger entry"), transaction.atomic():
            Fund.objects.filter(pk=fund.pk).update(**change)
    with (
        pytest.raises(DatabaseError, match="only with a ledger entry"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE compensation_fund SET balance = 0 WHERE id = %s", [fund.pk])
    fund.refresh_from_db()
    assert (fund.balance, fund.entry_count) == (Decimal("5000.00"), 1)
    # The rest of the row stays editable.
    Fund.objects.filter(pk=fund.pk).update(account_number="43050-0001")


def test_a_new_fund_may_only_start_at_zero(project, finance_user):
    fund = services.open_fund(project=project, by=finance_user, opened_on=date(2022, 3, 1))
    with pytest.raises(DatabaseError, match="only with a ledger entry"), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(balance=Decimal("1.00"))


def test_the_database_refuses_a_changed_request_amount_or_an_unposted_payment(
    project, finance_user, leader_user
):
    fund = funded(project, "5000.00", by=finance_user)
    pending = district_request(fund, "1200.00", by=finance_user)
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        DisbursementRequest.objects.filter(pk=pending.pk).update(amount=Decimal("4800.00"))
    services.approve_disbursement(request=pending, approved_by=leader_user)
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        DisbursementRequest.objects.filter(pk=pending.pk).update(status="pending")
    pending.refresh_from_db()
    assert (pending.amount, pending.status) == (Decimal("1200.00"), "posted")


def test_check_ledgers_finds_a_request_that_disagrees_with_its_entry(
    project, finance_user, leader_user, capsys
):
    fund = funded(project, "5000.00", by=finance_user)
    request = district_request(fund, "1200.00", by=finance_user)
    services.approve_disbursement(request=request, approved_by=leader_user)
    unpaid = district_request(fund, "300.00", by=finance_user)
    # Behind the application and the triggers (as a restored backup or a superuser could).
    with pgtrigger.ignore("compensation.DisbursementRequest:request_amount_fixed"):
        DisbursementRequest.objects.filter(pk=request.pk).update(amount=Decimal("1500.00"))
    DisbursementRequest.objects.filter(pk=unpaid.pk).update(
        status="posted", decided_by=leader_user, decided_at=request.requested_at
    )
    with pytest.raises(SystemExit):
        call_command("check_ledgers")
    output = capsys.readouterr()
    report = output.out + output.err
    assert f"划拨申请 #{request.pk}" in report and "金额或账户与其账目（1,200.00元）不符" in report
    assert f"划拨申请 #{unpaid.pk}" in report and "已划拨，但没有对应的账目" in report


def test_check_ledgers_passes_on_an_untouched_ledger(project, finance_user, leader_user, capsys):
    fund = funded(project, "5000.00", by=finance_user)
    request = district_request(fund, "1200.00", by=finance_user)
    services.approve_disbursement(request=request, approved_by=leader_user)
    call_command("check_ledgers")
    assert "全部账目核对一致" in capsys.readouterr().out


def test_an_amount_altered_behind_the_application_fails_the_check_naming_the_entry(
    project, finance_user, leader_user, capsys
):
    fund = funded(project, "5000.00", by=finance_user)
    request = district_request(fund, "1200.00", by=finance_user)
    entry = services.approve_disbursement(request=request, approved_by=leader_user)
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred; ALTER TABLE needs them checked first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(
            "UPDATE compensation_ledgerentry SET amount = -200.00 WHERE id = %s", [entry.pk]
        )
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_ledgers")
    assert exit_info.value.code != 0
    output = capsys.readouterr()
    report = output.out + output.err
    assert f"第2笔（账目ID {entry.pk}）" in report
    assert "哈希校验失败" in report


def test_a_removed_last_entry_is_detected(project, finance_user, leader_user):
    fund = funded(project, "5000.00", by=finance_user)
    request = district_request(fund, "1200.00", by=finance_user)
    services.approve_disbursement(request=request, approved_by=leader_user)
    fund.refresh_from_db()
    # A restored older backup of the fund row: one entry fewer than the chain it heads (the
    # balance trigger has to be switched off for that, as a restore would).
    with pgtrigger.ignore("compensation.Fund:fund_balance_follows_ledger"):
        Fund.objects.filter(pk=fund.pk).update(entry_count=1)
    check = ledger.check_all()
    assert not check.is_ok
    assert any("账目笔数" in problem["text"] for problem in check.problems)


def test_a_fund_total_changed_behind_the_ledger_fails_the_check(
    project, finance_user, leader_user, capsys
):
    fund = funded(project, "5000.00", by=finance_user)
    services.approve_disbursement(
        request=district_request(fund, "1200.00", by=finance_user), approved_by=leader_user
    )
    # The totals are not under the balance trigger: the check is what watches them.
    Fund.objects.filter(pk=fund.pk).update(disbursed=Decimal("1199.99"))
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_ledgers")
    assert exit_info.value.code != 0
    report = capsys.readouterr().err
    assert "账目合计累计划拨1,200.00元，账户记载为1,199.99元" in report
    assert "累计归集" not in report


def test_check_ledgers_reads_every_fund_in_one_streamed_pass(
    project, other_project, finance_user, leader_user
):
    funds = [funded(p, "900.00", by=finance_user) for p in (project, other_project)]
    for fund in funds:
        entry = services.approve_disbursement(
            request=district_request(fund, "100.00", by=finance_user), approved_by=leader_user
        )
        services.reverse_entry(entry=entry, by=finance_user, reason="重复")
    with CaptureQueriesContext(connection) as queries:
        check = ledger.check_all()
    assert check.is_ok, check.problems
    assert check.entry_count == 6 and check.fund_count == 2
    # In PostgreSQL: both funds' hashes recomputed in one query (not a query per fund).
    assert len([q for q in queries if "sha256(" in q["sql"]]) == 1
    with CaptureQueriesContext(connection) as queries:
        check = ledger.check_all(in_database=False)
    assert check.is_ok, check.problems
    reads = [q["sql"] for q in queries if 'FROM "compensation_ledgerentry"' in q["sql"]]
    # In Python: both funds' entries in one streamed query.
    assert len([sql for sql in reads if '"reverses__kind"' in sql]) == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_disbursements_never_overdraw(project):
    finance_user = finance()
    approver = leader()
    fund = funded(project, "10000.00", by=finance_user)
    requests = [district_request(fund, "700.00", by=finance_user) for _ in range(20)]
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(request):
        try:
            barrier.wait()
            try:
                services.approve_disbursement(request=request, approved_by=approver)
                result = "posted"
            except ValidationError:
                result = "refused"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    fund.refresh_from_db()
    assert outcomes.count("posted") == 14  # 14 × 700 = 9,800 ≤ 10,000 < 15 × 700
    assert outcomes.count("refused") == 6
    assert fund.balance == Decimal("200.00")
    entries = list(fund.entries.order_by("sequence"))
    assert [e.sequence for e in entries] == list(range(1, 16))
    assert min(e.balance_after for e in entries) == Decimal("200.00")
    assert sum(e.amount for e in entries) == fund.balance
    assert ledger.check_all().is_ok


def test_each_funds_latest_hash_is_published_once_a_day(project, other_project, finance_user):
    fund = funded(project, "100.00", by=finance_user)
    funded(other_project, "200.00", by=finance_user)
    day = date(2022, 7, 1)
    first = ledger.publish_fund_hashes(day=day)
    services.record_deposit(
        fund=fund,
        by=finance_user,
        amount=Decimal("5.00"),
        source="other",
        voucher_number="PZ-9",
        received_on=day,
    )
    again = ledger.publish_fund_hashes(day=day)
    assert len(first) == len(again) == 2
    published = {row.project: row for row in ledger.published_hashes(day=day)}
    # The day's publication stands: it is what the public saw.
    assert published["六岭棚改"].last_hash == fund.entries.get(sequence=1).hash
    assert published["六岭棚改"].entry_count == 1
    assert published["水利局棚改"].balance == Decimal("200.00")


def test_the_nightly_jobs_check_the_ledgers_and_publish_the_hashes(project, finance_user):
    funded(project, "100.00", by=finance_user)
    assert tasks.check_ledgers.delay().get() == 0
    assert LedgerCheck.objects.get().is_ok
    assert tasks.publish_fund_hashes.delay().get() == 1
    assert tasks.publish_fund_hashes.delay().get() == 1
    assert FundHashPublication.objects.count() == 1


def test_the_public_site_reads_the_hashes_and_a_households_own_figures(
    project, finance_user, leader_user
):
    from compensation import public
    from tests.compensation.factories import approve_plan, approved_agreement, valued_household

    approve_plan(project)
    household = valued_household(project, area="50.00", unit_price="4000.00")
    approved_agreement(household)
    funded(project, "300000.00", by=finance_user)
    section = public.household_section(household)
    assert ("应得补偿（元）", "224,600.00") in section["rows"]
    assert ("尚未划拨（元）", "224,600.00") in section["rows"]
    assert household.head_name not in repr(section)
    hashes = public.fund_hashes()
    assert [row.project for row in hashes] == ["六岭棚改"]
