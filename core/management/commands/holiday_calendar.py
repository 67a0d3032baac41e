from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.deadlines import (
    LIBRARY_SOURCE,
    PROVISIONAL_NOTE,
    Coverage,
    WorkCalendar,
    years_awaiting_arrangement,
)
from core.models import HolidayArrangement


class Command(BaseCommand):
    help = (
        "Report where each coming year's holiday schedule comes from: the State Council "
        "arrangement staff entered, the chinesecalendar library, or the statutory holidays "
        "derived from the law (provisional)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years", type=int, default=3, help="How many years to report, from this year on."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit with status 1 when a year staff should be warned about is provisional "
            "(this year, and from 1 November next year).",
        )

    def handle(self, *args, years=3, check=False, **options):
        if years < 1:
            raise CommandError("--years must be at least 1")
        today = timezone.localdate()
        calendar = WorkCalendar()
        entered = {a.year: a for a in HolidayArrangement.objects.select_related("entered_by")}
        for year in range(today.year, today.year + years):
            coverage = calendar.coverage(year)
            if coverage == Coverage.ARRANGED:
                arrangement = entered[year]
                detail = _("%(who)s于%(when)s录入%(number)s") % {
                    "who": arrangement.entered_by,
                    "when": timezone.localtime(arrangement.entered_at).strftime("%Y-%m-%d %H:%M"),
                    "number": f"（{arrangement.notice_number}）"
                    if arrangement.notice_number
                    else "",
                }
            elif coverage == Coverage.LIBRARY:
                detail = LIBRARY_SOURCE
            else:
                detail = str(PROVISIONAL_NOTE)
            self.stdout.write(f"{year}\t{coverage.label}\t{detail}")
        awaiting = years_awaiting_arrangement(today, calendar=calendar)
        if awaiting:
            self.stdout.write(
                _("待录入国务院节假日安排的年度：%(years)s")
                % {"years": "、".join(str(year) for year in awaiting)}
            )
            if check:
                raise SystemExit(1)
