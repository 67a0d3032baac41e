"""Reading duty rosters: shifts by day, who is on duty now."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby

from django.db.models import QuerySet
from django.utils import timezone

from petitions.models import DutyRoster, DutyShift

# A round-the-clock shift is handed over at this time each morning; an ordinary one runs
# through office hours.
HANDOVER = time(8, 30)
OFFICE_HOURS_END = time(17, 30)


@dataclass(frozen=True)
class DutyDay:
    day: date
    shifts: list[DutyShift]


def duty_days(shifts: QuerySet) -> list[DutyDay]:
    """The shifts grouped by the (local) day they start, in order."""

    def start_day(shift: DutyShift) -> date:
        return timezone.localtime(shift.starts_at).date()

    ordered = sorted(shifts, key=lambda s: (s.starts_at, s.role, s.pk))
    return [DutyDay(day, list(group)) for day, group in groupby(ordered, key=start_day)]


def on_duty_now(now: datetime) -> list[DutyShift]:
    return list(
        DutyShift.objects.filter(starts_at__lte=now, ends_at__gt=now)
        .select_related("person", "roster")
        .order_by("role", "starts_at")
    )


def default_shift_times(roster: DutyRoster) -> tuple[datetime, datetime]:
    """Where the next shift would start (after the roster's last one) and end."""
    last = roster.shifts.order_by("-starts_at").first()
    day = roster.starts_on
    if last is not None:
        day = min(timezone.localtime(last.starts_at).date() + timedelta(days=1), roster.ends_on)
    start = timezone.make_aware(datetime.combine(day, HANDOVER))
    if roster.is_round_the_clock:
        return start, start + timedelta(days=1)
    return start, timezone.make_aware(datetime.combine(day, OFFICE_HOURS_END))
