"""`manage.py check_ledgers`: verify the funds' append-only ledgers (compensation.ledger.check_all).

Each fund re-added from its entries: hash chain, sequence, running balance, the fund row's
balance, count, latest hash and running totals; on PostgreSQL also the ledger's yearly tally
(LedgerTally, which the annual report reads): every fund's and year's deposits and
disbursements to the fen, and their entry counts, against the entries (one grouped query),
a group with entries but no tally row reported missing and a row with figures but no entries
stray; then what agreements, subsidies and disbursement requests say was paid. Read-only
(one snapshot); the result is kept as a LedgerCheck row, as the nightly job's is.

Exit status 0 with one line when everything agrees; otherwise each problem on stderr, in
Chinese, naming the project (and the entry, or the year for the tally), a summary line, and
exit status 1.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from compensation import ledger


class Command(BaseCommand):
    help = (
        "Re-add every fund from its ledger entries and verify the hash chains, the fund "
        "totals and (PostgreSQL) the yearly tally per fund and year; exit non-zero naming "
        "each entry, or fund and year, that does not agree."
    )

    def handle(self, *args, **options):
        check = ledger.check_all()
        if check.is_ok:
            self.stdout.write(
                self.style.SUCCESS(
                    _("全部账目核对一致：%(funds)s个资金账户，%(entries)s笔账目。")
                    % {"funds": check.fund_count, "entries": check.entry_count}
                )
            )
            return
        for problem in check.problems:
            self.stderr.write(problem["text"])
        self.stderr.write(
            _("账目核对发现%(count)s个问题（%(funds)s个资金账户，%(entries)s笔账目）。")
            % {
                "count": len(check.problems),
                "funds": check.fund_count,
                "entries": check.entry_count,
            }
        )
        raise SystemExit(1)
