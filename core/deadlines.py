"""The deadline engine: every legal clock in the system is computed here, with how.

Chinese day counting (民法典 第二百零一条至第二百零三条; 民事诉讼法 and 行政诉讼法 count periods the
same way):

- The start day does not count: a period from an event on day D runs from D + 1.
- N calendar days end on D + N. N months end on the same day number N months later, or on the
  last day of that month when it has no such day (from 31 January, one month ends 28 February).
- When a calendar-day or month period ends on a day that is not an official working day, the
  period ends on the next official working day. Make-up working days (调休上班) are working days.
- Whether a period counts calendar days (Unit.DAYS), official working days (Unit.WORKING_DAYS)
  or months (Unit.MONTHS) is each law's own rule, never a blanket one: every clock passes its
  unit and its `basis` (the article that sets the period and, where it has one, the article that
  says how to count, e.g. 行政强制法 第六十九条 for its periods of ten days or less), and the
  explanation cites it.

Which days are working days, in this order (WorkCalendar.status):

1. a row in the staff table (CalendarDay, 本系统节假日表);
2. for a year whose State Council arrangement staff have entered (HolidayArrangement): that
   arrangement alone (its rows are the days off and make-up working days; other days count
   Monday to Friday);
3. the chinesecalendar library, which carries the State Council's schedules of past years;
4. past the library's years: the statutory holidays of 全国年节及纪念日放假办法 (core.holidays),
   every day of such a year marked *provisional* ("暂按法定节日推算，待国务院公布当年安排").

Each Deadline says which of these decided it, whether it is provisional, and its explanation is
written for the people who read the notices.

Public functions, for pages and for jobs that store due dates: add_period (and its shorthands
days, working_days, months), fixed_date, add_months, is_working_day, day_status, WorkCalendar,
year_coverage and years_awaiting_arrangement.
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import holidays
from core.models import CalendarDay

# The library's name and version: what computations store (Deadline.calendar_source, the
# explanation steps, DueDate rows, notices' period_explanation). Pages show LIBRARY_LABEL in
# its place (core.templatetags.holiday_sources), so old rows read the same.
LIBRARY_SOURCE = f"chinesecalendar {chinese_calendar.__version__}"
LIBRARY_LABEL = gettext_lazy("国务院办公厅历年节假日安排")
# Any version, so that rows stored under an older release read the same way.
LIBRARY_NAME = re.compile(r"chinesecalendar \d+(?:\.\d+)*")
# The years the library has a schedule for; it cannot answer for any other year.
LIBRARY_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
TABLE_SOURCE = gettext_lazy("本系统节假日表")
STATUTORY_SOURCE = gettext_lazy("全国年节及纪念日放假办法（法定节日推算）")
PROVISIONAL_NOTE = gettext_lazy("暂按法定节日推算，待国务院公布当年安排")


class Coverage(models.TextChoices):
    """Where a year's holiday schedule comes from."""

    ARRANGED = "arranged", gettext_lazy("已录入国务院当年安排")
    LIBRARY = "library", gettext_lazy("节假日库已收录")
    PROVISIONAL = "provisional", gettext_lazy("暂按法定节日推算")


def _arranged_source(year: int) -> str:
    return _("%(year)d年国务院节假日安排（本系统录入）") % {"year": year}


class Unit(models.TextChoices):
    DAYS = "days", gettext_lazy("日")
    WORKING_DAYS = "working_days", gettext_lazy("工作日")
    MONTHS = "months", gettext_lazy("月")


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and how it was reached."""

    start: date  # the event; the period runs from the next day
    due: date  # the last day on which the act may be done
    length: int
    unit: Unit  # how the period counts: calendar days, working days or months
    explanation: tuple[str, ...]  # the steps, in Simplified Chinese, for people to read
    calendar_source: str  # which calendar decided the working days, e.g. "chinesecalendar 1.11.0"
    # The years whose days the computation consulted without a known official schedule: the
    # due date may move when staff enter those years' State Council arrangements.
    provisional_years: tuple[int, ...] = ()
    # The legal source of the period and of its way of counting, as cited in the explanation:
    # "《中华人民共和国行政强制法》第五十四条、第六十九条". Empty for a fixed date.
    basis: str = ""

    @property
    def counted_in(self) -> Unit:
        """The unit the period was counted in (the unit its law gives)."""
        return self.unit

    @property
    def provisional(self) -> bool:
        """True when the due date rests on derived statutory holidays (暂按法定节日推算)."""
        return bool(self.provisional_years)

    def has_expired(self, today: date) -> bool:
        return today > self.due


@dataclass(frozen=True)
class DayStatus:
    """Whether one day is an official working day, why, and which calendar says so."""

    day: date
    is_working_day: bool
    # What makes the day special (国庆节假期, 国庆节调休上班日, or the name staff gave its row);
    # empty for an ordinary weekday or weekend.
    reason: str
    source: str
    # No official schedule is known for the day's year: derived from the law (core.holidays).
    provisional: bool = False

    def describe(self) -> str:
        """2022年10月8日（星期六，国庆节调休上班日）"""
        details = [str(_WEEKDAYS[self.day.weekday()])]
        if self.reason:
            details.append(self.reason)
        if self.source != LIBRARY_SOURCE and not self.provisional:
            details.append(self.source)
        if self.provisional:
            details.append(str(PROVISIONAL_NOTE))
        return f"{_format_date(self.day)}（{'，'.join(details)}）"


class WorkCalendar:
    """Official working days: the staff table and entered arrangements first, then the library,
    then the statutory holidays derived from the law (provisional).

    It reads the CalendarDay table (a few dozen rows a year, with the years of the arrangements
    they belong to) once, in one query. Pass one instance to add_period when computing many
    deadlines so that they share that query; a new instance sees what staff entered since.
    """

    def __init__(self) -> None:
        self._table: dict[date, CalendarDay] | None = None
        self._arranged: frozenset[int] = frozenset()
        # The statutory days off of each year asked about (core.holidays), for this calendar's
        # lifetime only: deriving them reads the lunar calendar, too slow to repeat per day.
        self._statutory: dict[int, dict[date, tuple[str, bool]]] = {}

    def _load(self) -> dict[date, CalendarDay]:
        if self._table is None:
            # An arrangement always has days (its statutory holidays at least), so the arranged
            # years come with the rows, in the same one query.
            rows = CalendarDay.objects.annotate(arranged_year=F("arrangement__year"))
            self._table = {row.day: row for row in rows}
            self._arranged = frozenset(
                row.arranged_year for row in rows if row.arranged_year is not None
            )
        return self._table

    def coverage(self, year: int) -> Coverage:
        """Where `year`'s schedule comes from: entered, the library, or derived (provisional)."""
        self._load()
        if year in self._arranged:
            return Coverage.ARRANGED
        if year in LIBRARY_YEARS:
            return Coverage.LIBRARY
        return Coverage.PROVISIONAL

    def status(self, day: date) -> DayStatus:
        row = self._load().get(day)
        coverage = self.coverage(day.year)
        if row is not None:
            return _status_from_table(row, coverage)
        if coverage == Coverage.ARRANGED:
            return _status_from_weekday(day, _arranged_source(day.year))
        if coverage == Coverage.LIBRARY:
            return _status_from_library(day)
        if day.year not in self._statutory:
            self._statutory[day.year] = holidays.statutory_days_off(day.year)
        return _status_from_law(day, self._statutory[day.year])


def day_status(day: date, *, calendar: WorkCalendar | None = None) -> DayStatus:
    """Whether `day` is an official working day, why, which calendar says so and whether that
    is provisional (DayStatus)."""
    return (calendar or WorkCalendar()).status(day)


def is_working_day(day: date, *, calendar: WorkCalendar | None = None) -> tuple[bool, str]:
    """Whether `day` is an official working day, and the calendar that says so.

    For a provisional day the source names the statutory derivation and says it is provisional:
    (False, "全国年节及纪念日放假办法（法定节日推算）：暂按法定节日推算，待国务院公布当年安排").
    """
    status = day_status(day, calendar=calendar)
    if status.provisional:
        return status.is_working_day, f"{status.source}：{PROVISIONAL_NOTE}"
    return status.is_working_day, status.source


def year_coverage(year: int, *, calendar: WorkCalendar | None = None) -> Coverage:
    """Where the holiday schedule of `year` comes from (Coverage)."""
    return (calendar or WorkCalendar()).coverage(year)


def years_awaiting_arrangement(today: date, *, calendar: WorkCalendar | None = None) -> list[int]:
    """The years whose deadlines are provisional and about which staff should be warned now:
    this year when it has no official schedule, and from 1 November also next year (the State
    Council usually publishes the next year's arrangement in November)."""
    calendar = calendar or WorkCalendar()
    years = [today.year]
    if today.month >= 11:
        years.append(today.year + 1)
    return [year for year in years if calendar.coverage(year) == Coverage.PROVISIONAL]


def add_period(
    start: date,
    length: int,
    unit: Unit,
    *,
    basis: str,
    calendar: WorkCalendar | None = None,
) -> Deadline:
    """The deadline of a period of `length` `unit`s from the event on `start`.

    start: the day of the event (a date, not a datetime); the period runs from the next day.
    unit: Unit.DAYS (calendar days), Unit.WORKING_DAYS (official working days, days off not
    counted) or Unit.MONTHS, as the clock's own law says. basis: that law's article(s), cited
    as the first step of the explanation. A calendar-day or month period ending on a day off
    rolls to the next working day (民法典 第二百零三条). Raises TypeError for a datetime start
    and ValueError for a length below 1 or an empty basis.
    """
    if isinstance(start, datetime) or not isinstance(start, date):
        # A datetime would carry a time zone question into day counting; callers decide the day
        # (timezone.localdate()) before asking.
        raise TypeError(f"start must be a date, not {type(start).__name__}")
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    if not basis.strip():
        raise ValueError("every clock cites the legal source of its period (basis)")
    unit = Unit(unit)
    calendar = calendar or WorkCalendar()

    steps = [
        _("依据%(basis)s，本期限为%(period)s，%(counting)s")
        % {"basis": basis, "period": _period(length, unit), "counting": _COUNTING[unit]}
    ]
    if unit == Unit.WORKING_DAYS:
        due, consulted, counting_steps = _count_working_days(start, length, calendar)
    else:
        end, end_step = _calendar_end(start, length, unit)
        due, consulted, roll_steps = _roll_to_working_day(end, calendar)
        counting_steps = [end_step, *roll_steps]
    steps.extend(counting_steps)
    sources, source_steps = _sources(consulted)
    steps.extend(source_steps)

    return Deadline(
        start=start,
        due=due,
        length=length,
        unit=unit,
        explanation=tuple(steps),
        calendar_source=sources,
        provisional_years=tuple(sorted({s.day.year for s in consulted if s.provisional})),
        basis=basis,
    )


_COUNTING = {
    Unit.DAYS: gettext_lazy("按自然日计算，期满日遇法定节假日或休息日顺延至其后第一个工作日"),
    Unit.WORKING_DAYS: gettext_lazy("按工作日计算，不含法定节假日和休息日"),
    Unit.MONTHS: gettext_lazy("按月计算，期满日遇法定节假日或休息日顺延至其后第一个工作日"),
}


def days(start: date, n: int, *, basis: str, calendar: WorkCalendar | None = None) -> Deadline:
    """`n` calendar days from `start` (add_period with Unit.DAYS)."""
    return add_period(start, n, Unit.DAYS, basis=basis, calendar=calendar)


def working_days(
    start: date, n: int, *, basis: str, calendar: WorkCalendar | None = None
) -> Deadline:
    """`n` official working days from `start` (add_period with Unit.WORKING_DAYS)."""
    return add_period(start, n, Unit.WORKING_DAYS, basis=basis, calendar=calendar)


def fixed_date(due: date, *, start: date, reason: str) -> Deadline:
    """A date that a person set (a rectification deadline, an expiry written in a notice),
    not one computed from a period; shown beside computed ones with the reason."""
    return Deadline(
        start=start,
        due=due,
        length=(due - start).days,
        unit=Unit.DAYS,
        explanation=(
            _("%(day)s为%(reason)s确定的日期，不按期间计算。")
            % {"day": _format_date(due), "reason": reason},
        ),
        calendar_source="",
    )


def months(start: date, n: int, *, basis: str, calendar: WorkCalendar | None = None) -> Deadline:
    """`n` months from `start` (add_period with Unit.MONTHS)."""
    return add_period(start, n, Unit.MONTHS, basis=basis, calendar=calendar)


# Counting


def _calendar_end(start: date, length: int, unit: Unit) -> tuple[date, str]:
    """The last day of a calendar-day or month period, before any roll-over, and the step."""
    if unit == Unit.DAYS:
        end = start + timedelta(days=length)
        template = _("自%(start)s次日起算%(period)s，至%(end)s")
    else:
        end = add_months(start, length)
        if end.day == start.day:
            template = _("自%(start)s次日起算%(period)s，至到期月的对应日%(end)s")
        else:
            template = _(
                "自%(start)s次日起算%(period)s，到期月没有对应日，以该月末日%(end)s为期满日"
            )
    values = {
        "start": _format_date(start),
        "period": _period(length, unit),
        "end": _format_date(end),
    }
    return end, template % values


def add_months(day: date, n: int) -> date:
    """The same day number n months later, or that month's last day (2024-01-31 + 1 → 02-29)."""
    month_index = day.month - 1 + n
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _roll_to_working_day(
    end: date, calendar: WorkCalendar
) -> tuple[date, list[DayStatus], list[str]]:
    """The period's last day, moved past days off to the next official working day."""
    first = status = calendar.status(end)
    consulted = [status]
    while not status.is_working_day:
        status = calendar.status(status.day + timedelta(days=1))
        consulted.append(status)
    if status is first:
        step = _("%(end)s是工作日，不需顺延") % {"end": first.describe()}
    else:
        step = _("%(end)s不是工作日，期满日顺延至其后第一个工作日%(due)s") % {
            "end": first.describe(),
            "due": status.describe(),
        }
    return status.day, consulted, [step]


def _count_working_days(
    start: date, length: int, calendar: WorkCalendar
) -> tuple[date, list[DayStatus], list[str]]:
    """The `length`th official working day after `start`."""
    consulted: list[DayStatus] = []
    counted = 0
    day = start
    while counted < length:
        day += timedelta(days=1)
        status = calendar.status(day)
        consulted.append(status)
        if status.is_working_day:
            counted += 1

    steps = [
        _("自%(start)s次日起算%(period)s")
        % {"start": _format_date(start), "period": _period(length, Unit.WORKING_DAYS)}
    ]
    days_off = [s for s in consulted if not s.is_working_day]
    if days_off:
        steps.append(_("不计入的休息日和节假日：%(days)s") % {"days": _describe_runs(days_off)})
    weekend_work = [s for s in consulted if s.is_working_day and s.day.weekday() >= 5]
    if weekend_work:
        described = "、".join(s.describe() for s in weekend_work)
        steps.append(_("计入的调休上班日：%(days)s") % {"days": described})
    steps.append(
        _("第%(n)d个工作日为%(due)s，即为期满日") % {"n": length, "due": _format_date(day)}
    )
    return day, consulted, steps


# Calendars


def _status_from_table(row: CalendarDay, coverage: Coverage) -> DayStatus:
    default = _("工作日") if row.is_working_day else _("休息日")
    arranged = coverage == Coverage.ARRANGED
    source = _arranged_source(row.day.year) if arranged else str(TABLE_SOURCE)
    return DayStatus(row.day, row.is_working_day, row.name or default, source)


def _status_from_library(day: date) -> DayStatus:
    is_day_off, holiday = chinese_calendar.get_holiday_detail(day)
    if holiday is None:
        reason = ""
    elif is_day_off:
        reason = _("%(holiday)s假期") % {"holiday": _holiday_name(holiday)}
    else:
        reason = _("%(holiday)s调休上班日") % {"holiday": _holiday_name(holiday)}
    return DayStatus(day, not is_day_off, reason, LIBRARY_SOURCE)


def _status_from_weekday(day: date, source: str) -> DayStatus:
    return DayStatus(day, day.weekday() < 5, "", source)


def _status_from_law(day: date, days_off: dict[date, tuple[str, bool]]) -> DayStatus:
    """A day of a year with no official schedule: the statutory holidays (放假办法 第二条) and
    their make-up days (第六条, `days_off` = core.holidays.statutory_days_off(day.year)), else
    Monday to Friday. Always provisional."""
    special = days_off.get(day)
    if special is None:
        return DayStatus(day, day.weekday() < 5, "", str(STATUTORY_SOURCE), provisional=True)
    name, is_make_up = special
    if is_make_up:
        reason = _("%(holiday)s补假") % {"holiday": name}
    else:
        reason = _("%(holiday)s假期") % {"holiday": name}
    return DayStatus(day, False, reason, str(STATUTORY_SOURCE), provisional=True)


_HOLIDAY_NAMES = {
    "New Year's Day": gettext_lazy("元旦"),
    "Spring Festival": gettext_lazy("春节"),
    "Tomb-sweeping Day": gettext_lazy("清明节"),
    "Labour Day": gettext_lazy("劳动节"),
    "Dragon Boat Festival": gettext_lazy("端午节"),
    "National Day": gettext_lazy("国庆节"),
    "Mid-autumn Festival": gettext_lazy("中秋节"),
}


def _holiday_name(english: str) -> str:
    """The library names holidays in English; one-off holidays fall back to its Chinese name."""
    if english in _HOLIDAY_NAMES:
        return str(_HOLIDAY_NAMES[english])
    return chinese_calendar.Holiday(english).chinese


def _sources(consulted: list[DayStatus]) -> tuple[str, list[str]]:
    """The calendar_source string, and the steps that say which calendars decided."""
    names = list(dict.fromkeys(s.source for s in consulted))
    names.sort(key=lambda name: name != LIBRARY_SOURCE)
    steps = []
    for year in sorted({s.day.year for s in consulted if s.provisional}):
        steps.append(
            _(
                "%(year)d年的节假日安排国务院尚未公布（本系统未录入，%(library)s未收录）："
                "按《全国年节及纪念日放假办法》第二条、第六条推算法定节日及补假，"
                "周一至周五为工作日。%(note)s"
            )
            % {"year": year, "library": LIBRARY_SOURCE, "note": PROVISIONAL_NOTE}
        )
    sources = "、".join(names)
    steps.append(_("节假日依据：%(sources)s") % {"sources": sources})
    return sources, steps


# Wording


_WEEKDAYS = (
    gettext_lazy("星期一"),
    gettext_lazy("星期二"),
    gettext_lazy("星期三"),
    gettext_lazy("星期四"),
    gettext_lazy("星期五"),
    gettext_lazy("星期六"),
    gettext_lazy("星期日"),
)


def _format_date(day: date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def _period(length: int, unit: Unit) -> str:
    """60日, 10个工作日, 6个月"""
    if unit == Unit.WORKING_DAYS:
        return _("%(n)d个工作日") % {"n": length}
    if unit == Unit.MONTHS:
        return _("%(n)d个月") % {"n": length}
    return _("%(n)d日") % {"n": length}


def _describe_runs(statuses: list[DayStatus]) -> str:
    """Consecutive days off with one reason as one range.

    2022年10月1日至2022年10月7日（国庆节假期）；2022年10月15日至2022年10月16日（休息日）
    """
    runs: list[list[DayStatus]] = []
    for status in statuses:
        last = runs[-1][-1] if runs else None
        if (
            last
            and status.day == last.day + timedelta(days=1)
            and (status.reason, status.source) == (last.reason, last.source)
        ):
            runs[-1].append(status)
        else:
            runs.append([status])
    parts = []
    for run in runs:
        first, final = run[0], run[-1]
        reason = first.reason or _("休息日")
        if first.source != LIBRARY_SOURCE and not first.provisional:
            reason = f"{reason}，{first.source}"
        if first is final:
            parts.append(f"{_format_date(first.day)}（{reason}）")
        else:
            parts.append(
                _("%(first)s至%(last)s")
                % {"first": _format_date(first.day), "last": _format_date(final.day)}
                + f"（{reason}）"
            )
    return "；".join(parts)
