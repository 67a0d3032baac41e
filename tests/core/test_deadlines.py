"""The deadline engine. Every expected date is worked out by hand in the comment above it."""

from datetime import date, datetime

import chinese_calendar
import pytest
from django.urls import reverse

from core import deadlines
from core.deadlines import LIBRARY_SOURCE, Unit, WorkCalendar, add_period, is_working_day
from core.models import CalendarDay
from tests.auth import login
from tests.factories import UserFactory

# Staff rows in CalendarDay override the library for any date, so every lookup reads the table.
pytestmark = pytest.mark.django_db

TABLE_SOURCE = "本系统节假日表"
STATUTORY_SOURCE = "全国年节及纪念日放假办法（法定节日推算）"
PROVISIONAL_SOURCE = f"{STATUTORY_SOURCE}：暂按法定节日推算，待国务院公布当年安排"
# The engine's tests use one invented source; the clocks' own tests cite their real articles.
BASIS = "测试条款"


# Months


def test_one_month_from_january_31_ends_on_the_last_day_of_february():
    # February 2022 has no 31st, so the month's last day: 2022-02-28, a Monday and a working day.
    deadline = add_period(date(2022, 1, 31), 1, Unit.MONTHS, basis=BASIS)
    assert deadline.due == date(2022, 2, 28)
    assert "到期月没有对应日" in deadline.explanation[1]


def test_six_months_from_february_28_end_on_august_28_and_roll_past_the_sunday():
    # The corresponding day is 2022-08-28 (not the month end, 08-31); it is a Sunday,
    # so the period ends on Monday 2022-08-29.
    deadline = deadlines.months(date(2022, 2, 28), 6, basis=BASIS)
    assert deadline.due == date(2022, 8, 29)
    assert "至到期月的对应日2022年8月28日" in deadline.explanation[1]


def test_six_months_from_august_31_end_on_leap_day():
    # 2023-08-31 + 6 months → February 2024, which has 29 days: 2024-02-29, a Thursday,
    # after the Spring Festival holiday (02-10 to 02-17), so a working day.
    deadline = deadlines.months(date(2023, 8, 31), 6, basis=BASIS)
    assert deadline.due == date(2024, 2, 29)


def test_twelve_months_from_leap_day_end_on_february_28():
    # 2025 is not a leap year: 2025-02-28, a Friday, after the Spring Festival (01-28 to 02-04).
    deadline = deadlines.months(date(2024, 2, 29), 12, basis=BASIS)
    assert deadline.due == date(2025, 2, 28)


# Calendar days and the holiday roll-over


def test_sixty_days_ending_on_national_day_roll_to_the_make_up_working_saturday():
    # From 2022-08-02: 29 days to 08-31, 30 more to 09-30 (59), so day 60 is 2022-10-01,
    # the first day of the National Day holiday (10-01 to 10-07). Saturday 10-08 was an
    # official make-up working day, so the period ends then.
    assert chinese_calendar.is_holiday(date(2022, 10, 1))
    assert chinese_calendar.is_holiday(date(2022, 10, 7))
    assert chinese_calendar.is_workday(date(2022, 10, 8))

    deadline = add_period(date(2022, 8, 2), 60, Unit.DAYS, basis=BASIS)

    assert deadline.due == date(2022, 10, 8)
    assert deadline.counted_in == Unit.DAYS
    assert deadline.calendar_source == LIBRARY_SOURCE


def test_the_explanation_mentions_the_roll_over_and_the_source():
    deadline = add_period(date(2022, 8, 2), 60, Unit.DAYS, basis=BASIS)
    assert deadline.explanation == (
        "依据测试条款，本期限为60日，按自然日计算，期满日遇法定节假日或休息日顺延至其后第一个工作日",
        "自2022年8月2日次日起算60日，至2022年10月1日",
        "2022年10月1日（星期六，国庆节假期）不是工作日，"
        "期满日顺延至其后第一个工作日2022年10月8日（星期六，国庆节调休上班日）",
        f"节假日依据：{LIBRARY_SOURCE}",
    )
    assert LIBRARY_SOURCE.startswith("chinesecalendar 1.11")


def test_sixty_days_from_a_friday_do_not_count_the_friday():
    # From Friday 2022-09-30: 31 days to 10-31, 29 more to 11-29 (60), a Tuesday.
    deadline = deadlines.days(date(2022, 9, 30), 60, basis=BASIS)
    assert deadline.due == date(2022, 11, 29)
    assert deadline.explanation[1] == "自2022年9月30日次日起算60日，至2022年11月29日"
    assert deadline.explanation[2] == "2022年11月29日（星期二）是工作日，不需顺延"


def test_fifteen_days_from_a_friday_ending_on_a_saturday_roll_to_monday():
    # From Friday 2023-03-03: day 15 is Saturday 03-18; no holidays in March 2023,
    # so the next working day is Monday 03-20.
    deadline = deadlines.days(date(2023, 3, 3), 15, basis=BASIS)
    assert deadline.due == date(2023, 3, 20)


def test_eleven_days_count_calendar_days_and_may_end_on_a_make_up_sunday():
    # From 2022-09-28 day 11 is Sunday 2022-10-09, an official make-up working day, so no
    # roll-over.
    deadline = deadlines.days(date(2022, 9, 28), 11, basis=BASIS)
    assert deadline.counted_in == Unit.DAYS
    assert deadline.due == date(2022, 10, 9)


# No blanket rule: a period counts the way its clock says


def test_ten_calendar_days_across_national_day_end_on_the_make_up_saturday():
    # 10 calendar days from 2022-09-28 end on Saturday 2022-10-08, a make-up working day: a
    # short period is not turned into working days unless its law says so.
    deadline = add_period(date(2022, 9, 28), 10, Unit.DAYS, basis=BASIS)
    assert deadline.due == date(2022, 10, 8)
    assert deadline.counted_in == Unit.DAYS


def test_ten_working_days_count_across_national_day():
    # From Wednesday 2022-09-28: 09-29 (1), 09-30 (2), 10-01 to 10-07 holiday, Saturday 10-08 (3)
    # and Sunday 10-09 (4) make-up working days, 10-10 to 10-14 (5 to 9), weekend 10-15/16,
    # Monday 10-17 (10).
    deadline = deadlines.working_days(date(2022, 9, 28), 10, basis=BASIS)
    assert deadline.due == date(2022, 10, 17)
    assert deadline.counted_in == Unit.WORKING_DAYS


def test_the_working_day_explanation_cites_the_basis_and_lists_the_days():
    deadline = deadlines.working_days(date(2022, 9, 28), 10, basis=BASIS)
    assert deadline.explanation == (
        "依据测试条款，本期限为10个工作日，按工作日计算，不含法定节假日和休息日",
        "自2022年9月28日次日起算10个工作日",
        "不计入的休息日和节假日：2022年10月1日至2022年10月7日（国庆节假期）；"
        "2022年10月15日至2022年10月16日（休息日）",
        "计入的调休上班日：2022年10月8日（星期六，国庆节调休上班日）、"
        "2022年10月9日（星期日，国庆节调休上班日）",
        "第10个工作日为2022年10月17日，即为期满日",
        f"节假日依据：{LIBRARY_SOURCE}",
    )
    assert deadline.basis == BASIS


def test_a_clock_must_cite_its_source():
    with pytest.raises(ValueError):
        add_period(date(2022, 9, 28), 10, Unit.DAYS, basis=" ")
    with pytest.raises(TypeError):
        deadlines.days(date(2022, 9, 28), 10)


def test_five_working_days_from_a_friday_skip_the_weekend():
    # From Friday 2023-03-03: Monday 03-06 (1) to Friday 03-10 (5).
    deadline = deadlines.working_days(date(2023, 3, 3), 5, basis=BASIS)
    assert deadline.due == date(2023, 3, 10)


# Past the library's years: the statutory holidays, provisionally, and the staff table


def test_past_the_library_years_new_years_day_is_a_provisional_day_off():
    # From 2026-12-02: 29 days to 12-31, so day 30 is Friday 2027-01-01. The library stops at
    # 2026; 元旦 is a statutory holiday (放假办法 第二条), so the period rolls past the weekend
    # (01-02, 01-03) to Monday 2027-01-04, provisionally.
    deadline = deadlines.days(date(2026, 12, 2), 30, basis=BASIS)
    assert deadline.due == date(2027, 1, 4)
    assert deadline.provisional_years == (2027,)
    assert deadline.calendar_source == STATUTORY_SOURCE
    assert "暂按法定节日推算，待国务院公布当年安排" in deadline.explanation[2]
    assert any("2027年的节假日安排国务院尚未公布" in step for step in deadline.explanation)
    assert is_working_day(date(2027, 1, 2)) == (False, PROVISIONAL_SOURCE)


def test_past_the_library_years_a_period_ending_on_saturday_rolls_to_monday():
    # 2026-12-09 + 1 month = Saturday 2027-01-09 → Monday 2027-01-11.
    deadline = deadlines.months(date(2026, 12, 9), 1, basis=BASIS)
    assert deadline.due == date(2027, 1, 11)
    assert deadline.provisional


def test_a_make_up_saturday_in_the_table_is_a_working_day():
    # 2026-12-09 + 1 month = Saturday 2027-01-09, which staff enter as a make-up working day:
    # the one day consulted is the staff's, so the deadline is not provisional.
    CalendarDay.objects.create(day=date(2027, 1, 9), is_working_day=True, name="调休上班")
    deadline = deadlines.months(date(2026, 12, 9), 1, basis=BASIS)
    assert deadline.due == date(2027, 1, 9)
    assert not deadline.provisional
    assert deadline.calendar_source == TABLE_SOURCE


def test_a_table_row_overrides_the_library_for_a_year_it_covers():
    # Suppose staff correct Saturday 2022-10-08 to a day off: the 60-day period ending on
    # 10-01 now rolls to Sunday 10-09, still a make-up working day in the library.
    CalendarDay.objects.create(day=date(2022, 10, 8), is_working_day=False, name="更正")

    deadline = add_period(date(2022, 8, 2), 60, Unit.DAYS, basis=BASIS)

    assert deadline.due == date(2022, 10, 9)
    assert deadline.calendar_source == f"{LIBRARY_SOURCE}、{TABLE_SOURCE}"
    assert is_working_day(date(2022, 10, 8)) == (False, TABLE_SOURCE)


# Odds and ends


def test_is_working_day_says_which_calendar_answered():
    assert is_working_day(date(2022, 10, 1)) == (False, LIBRARY_SOURCE)
    assert is_working_day(date(2022, 10, 8)) == (True, LIBRARY_SOURCE)
    assert is_working_day(date(2027, 1, 4)) == (True, PROVISIONAL_SOURCE)


def test_one_calendar_reads_the_table_once_for_many_deadlines(django_assert_num_queries):
    calendar = WorkCalendar()
    with django_assert_num_queries(1):
        for start in (date(2022, 8, 2), date(2022, 9, 28), date(2026, 12, 2)):
            deadlines.days(start, 10, calendar=calendar, basis=BASIS)
            deadlines.days(start, 60, calendar=calendar, basis=BASIS)
            deadlines.months(start, 6, calendar=calendar, basis=BASIS)


def test_it_refuses_a_datetime_and_a_period_shorter_than_a_day():
    with pytest.raises(TypeError):
        add_period(datetime(2022, 8, 2, 9, 0), 60, Unit.DAYS, basis=BASIS)
    with pytest.raises(ValueError):
        add_period(date(2022, 8, 2), 0, Unit.DAYS, basis=BASIS)


def test_a_unit_stored_as_text_is_accepted():
    assert add_period(date(2022, 1, 31), 1, "months", basis=BASIS).due == date(2022, 2, 28)


def test_a_deadline_has_expired_only_after_its_due_day():
    deadline = add_period(date(2022, 8, 2), 60, Unit.DAYS, basis=BASIS)
    assert not deadline.has_expired(date(2022, 10, 8))
    assert deadline.has_expired(date(2022, 10, 9))


def test_admin_changes_to_the_holiday_table_are_kept_with_who_made_them(client):
    UserFactory(username="root", is_superuser=True, is_staff=True)
    login(client, "root")
    response = client.post(
        reverse("admin:core_calendarday_add"),
        {"day": "2027-01-01", "name": "元旦", "note": "国办发明电〔2026〕X号"},
    )
    assert response.status_code == 302
    row = CalendarDay.objects.get(day=date(2027, 1, 1))
    assert not row.is_working_day
    assert row.history.get().history_user.username == "root"
