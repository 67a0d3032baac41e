from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from compensation import ledger


class Command(BaseCommand):
    help = (
        "Re-add every fund from its ledger entries and verify the hash chains; "
        "exit non-zero naming each entry that does not agree."
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
