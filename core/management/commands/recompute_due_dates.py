from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import due


class Command(BaseCommand):
    help = (
        "Recompute the stored due dates (core.due) of every running clock from the current facts "
        "and holiday calendar: after a bulk load, a data fix or a change of a period setting."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            help="Only the clocks whose counting touches this year's holidays.",
        )

    def handle(self, *args, year=None, **options):
        if year is not None and not 1900 <= year <= 2200:
            raise CommandError(_("年度不正确：%(year)s") % {"year": year})
        written = due.recompute(year=year)
        self.stdout.write(self.style.SUCCESS(_("已重新计算到期事项%(n)d项。") % {"n": written}))
