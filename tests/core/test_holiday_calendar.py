"""Holidays past the library's last year: derived from 全国年节及纪念日放假办法 and marked
provisional, until staff enter the State Council's arrangement on their own page."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core import deadlines, holidays
from core.deadlines import Coverage, day_status, is_working_day, year_coverage
from core.models import CalendarDay, HolidayArrangement
from tests.auth import login
from tests.html import visible_text

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTE = "暂按法定节日推算，待国务院公布当年安排"
BASIS = "测试条款"

# An invented 2027 arrangement in the State Council's usual shape (the real one is not out).
LINES_2027 = """\
2027-01-01 元旦
2027-02-05至2027-02-11 春节
2027-02-20 调休上班
2027-04-05 清明节
2027-05-01至2027-05-05 劳动节
2027-04-25 调休上班
2027-06-09 端午节
2027-09-15 中秋节
2027-10-01至2027-10-07 国庆节
2027-10-09 调休上班
"""

# The State Council's real notice for 2025 (国办发明电〔2024〕12号), as staff would paste it.
NOTICE_2025 = """\
国务院办公厅关于2025年部分节假日安排的通知
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。\
1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。\
9月28日（周日）、10月11日（周六）上班。
"""


def at(*args):
    return time_machine.travel(datetime(*args, 9, 0, tzinfo=SHANGHAI), tick=False)


# The derivation (放假办法 第二条、第六条, lunar dates and 清明 from lunar-python)


def test_2027_statutory_holidays_are_provisional_days_off():
    # 元旦 Fri 01-01; 春节 除夕 Fri 02-05 (正月初一 is 02-06) to 初三 Mon 02-08; 国庆 Fri 10-01.
    for day in [date(2027, 1, 1), *(date(2027, 2, d) for d in (5, 6, 7, 8)), date(2027, 10, 1)]:
        working, source = is_working_day(day)
        assert not working, day
        assert NOTE in source
        assert day_status(day).provisional
    assert year_coverage(2027) == Coverage.PROVISIONAL


def test_a_holiday_on_a_weekend_gives_the_next_free_weekday_off():
    # 第六条: 春节 Sat 02-06 and Sun 02-07 of 2027 → Tue 02-09 and Wed 02-10 (Mon 02-08 is 初三);
    # 国庆 Sat 10-02 and Sun 10-03 → Mon 10-04 and Tue 10-05; Thursday 02-11 works again.
    for day in [date(2027, 2, 9), date(2027, 2, 10), date(2027, 10, 4), date(2027, 10, 5)]:
        status = day_status(day)
        assert not status.is_working_day and "补假" in status.reason, day
    assert day_status(date(2027, 2, 11)).is_working_day
    # 2028: 元旦 is a Saturday → Monday 01-03 off; 端午 Sunday 05-28 → Monday 05-29 off.
    assert day_status(date(2028, 1, 3)).reason == "元旦补假"
    assert day_status(date(2028, 5, 29)).reason == "端午节补假"


def test_qingming_dragon_boat_and_mid_autumn_come_from_the_lunar_library():
    # 清明 is the solar term: 2027-04-05 (Monday), 2028-04-04 (Tuesday).
    assert holidays.qingming(2027) == date(2027, 4, 5)
    assert holidays.qingming(2028) == date(2028, 4, 4)
    assert day_status(date(2027, 4, 5)).reason == "清明节假期"
    assert day_status(date(2028, 4, 4)).reason == "清明节假期"
    # 端午 五月初五: 2027-06-09; 中秋 八月十五: 2027-09-15; in 2028 中秋 is 10-03, a 国庆 day.
    assert day_status(date(2027, 6, 9)).reason == "端午节假期"
    assert day_status(date(2027, 9, 15)).reason == "中秋节假期"
    assert holidays.festival_days(2028)[date(2028, 10, 3)] == "中秋节、国庆节"


def test_the_derived_festivals_of_2025_and_2026_are_holidays_in_the_official_schedule():
    # The amended 放假办法 is in force from 2025: every day it names must be off in the State
    # Council's real schedules, which the library carries.
    for year in (2025, 2026):
        for day in holidays.festival_days(year):
            assert chinese_calendar.is_holiday(day), day


def test_deadlines_past_the_library_are_marked_provisional():
    # The cases. 15 days from 2026-12-17 end on Fri 2027-01-01 (元旦) → Mon 01-04.
    assert deadlines.days(date(2026, 12, 17), 15, basis=BASIS).due == date(2027, 1, 4)
    # 60 days from 2026-12-10: 21 days to 12-31, 39 more → 2027-02-08 (初三) → past the make-up
    # days 02-09 and 02-10 → Thursday 02-11.
    sixty = deadlines.days(date(2026, 12, 10), 60, basis=BASIS)
    assert sixty.due == date(2027, 2, 11)
    assert sixty.provisional_years == (2027,)
    # 10 working days from Fri 2027-01-29: 02-01..02-04 (4), 02-11, 02-12 (6), 02-15..02-18 (10).
    assert deadlines.working_days(date(2027, 1, 29), 10, basis=BASIS).due == date(2027, 2, 18)
    # Six months from 2027-04-01 end on Fri 10-01 → past 10-02..10-05 → Wednesday 10-06.
    assert deadlines.months(date(2027, 4, 1), 6, basis=BASIS).due == date(2027, 10, 6)
    # A period wholly inside the library's years is not provisional.
    assert not deadlines.days(date(2026, 3, 2), 60, basis=BASIS).provisional


# The staff page


def test_staff_enter_2027_by_pasted_lines_preview_then_save(client, office_user):
    login(client, "clerk")
    url = reverse("core:holiday_arrangement", args=[2027])

    preview = client.post(url, {"text": LINES_2027, "notice_number": "国办发明电〔2026〕X号"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "预览（26个日期）" in page
    assert "2027-02-20" in page and "有变化" in page
    assert not HolidayArrangement.objects.exists()  # a preview saves nothing

    saved = client.post(
        url, {"text": LINES_2027, "notice_number": "国办发明电〔2026〕X号", "action": "save"}
    )
    assert saved.status_code == 302

    arrangement = HolidayArrangement.objects.get(year=2027)
    assert arrangement.entered_by == office_user
    assert arrangement.history.get().history_user == office_user
    assert arrangement.days.count() == 26
    # The arrangement now decides 2027: Thu 02-11 is off, Sat 02-20 works, nothing provisional.
    source = "2027年国务院节假日安排（本系统录入）"
    assert is_working_day(date(2027, 2, 11)) == (False, source)
    assert is_working_day(date(2027, 2, 20)) == (True, source)
    assert is_working_day(date(2027, 2, 9)) == (False, source)
    assert is_working_day(date(2027, 3, 1)) == (True, source)
    # 60 days from 2026-12-10 end on 02-08 → past 02-11 to Friday 02-12.
    sixty = deadlines.days(date(2026, 12, 10), 60, basis=BASIS)
    assert sixty.due == date(2027, 2, 12)
    assert not sixty.provisional
    assert year_coverage(2027) == Coverage.ARRANGED


def test_staff_paste_the_notice_text_and_it_matches_the_official_2025_schedule(client, office_user):
    login(client, "clerk")
    response = client.post(
        reverse("core:holiday_arrangement", args=[2025]), {"text": NOTICE_2025, "action": "save"}
    )
    assert response.status_code == 302
    calendar = deadlines.WorkCalendar()
    day = date(2025, 1, 1)
    while day.year == 2025:
        assert calendar.status(day).is_working_day == chinese_calendar.is_workday(day), day
        day = date.fromordinal(day.toordinal() + 1)


def test_an_uploaded_text_file_is_read(client, office_user):
    login(client, "clerk")
    upload = SimpleUploadedFile("2027.txt", LINES_2027.encode("gb18030"), "text/plain")
    response = client.post(
        reverse("core:holiday_arrangement", args=[2027]), {"upload": upload, "action": "save"}
    )
    assert response.status_code == 302
    assert HolidayArrangement.objects.get(year=2027).days.count() == 26


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (LINES_2027 + "2027-13-01 元旦\n", "第11行：日期2027-13-01不存在。"),
        (LINES_2027 + "元旦放假\n", "第11行无法识别"),
        (
            LINES_2027 + "2027-03-02 调休上班\n",
            "2027年3月2日是星期二，调休上班日应为星期六或星期日",
        ),
        (LINES_2027 + "2027-02-20 春节\n", "2027年2月20日既列为放假又列为上班"),
        (LINES_2027.replace("2027-06-09 端午节\n", ""), "缺少法定节日：2027年6月9日（端午节）"),
        (LINES_2027 + "2028-01-01 元旦\n", "2028年1月1日不在2027年安排的范围内"),
        ("放假安排另行通知", "未能从内容中识别出任何日期"),
    ],
)
def test_a_bad_arrangement_is_refused_with_its_cause_and_nothing_is_saved(
    client, office_user, text, error
):
    CalendarDay.objects.create(day=date(2027, 3, 1), is_working_day=False, name="更正")
    login(client, "clerk")
    response = client.post(
        reverse("core:holiday_arrangement", args=[2027]), {"text": text, "action": "save"}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not HolidayArrangement.objects.exists()
    assert list(CalendarDay.objects.values_list("name", flat=True)) == ["更正"]


def test_entering_a_year_again_replaces_its_days_and_keeps_the_history(client, office_user):
    login(client, "clerk")
    url = reverse("core:holiday_arrangement", args=[2027])
    client.post(url, {"text": LINES_2027, "action": "save"})
    corrected = LINES_2027.replace("2027-10-09 调休上班\n", "2027-09-26 调休上班\n")
    client.post(url, {"text": corrected, "notice_number": "更正", "action": "save"})

    assert is_working_day(date(2027, 10, 9))[0] is False  # a Saturday again
    assert is_working_day(date(2027, 9, 26))[0] is True
    assert HolidayArrangement.objects.get().history.count() == 2
    assert CalendarDay.history.filter(day=date(2027, 10, 9), history_type="-").exists()
    page = client.get(reverse("core:holiday_calendar")).content.decode()
    assert "已录入国务院当年安排" in page and "更正" in page


def test_district_users_and_strangers_cannot_enter_an_arrangement(client, district_member):
    url = reverse("core:holiday_arrangement", args=[2027])
    assert client.get(url).status_code == 302  # to the login page
    login(client, "district")
    assert client.get(url).status_code == 403
    assert client.post(url, {"text": LINES_2027, "action": "save"}).status_code == 403
    assert client.get(reverse("core:holiday_calendar")).status_code == 403
    assert not HolidayArrangement.objects.exists()


# The warning card and the command


def test_from_november_the_home_and_deadlines_pages_warn_about_next_year(client, office_user):
    # Sessions idle out after 30 minutes, so the user logs in again on each travelled-to day.
    with at(2026, 10, 31):
        login(client, "clerk")
        for name in ("core:home", "core:deadline_list"):
            page = client.get(reverse(name))
            assert page.status_code == 200
            assert "节假日安排待录入" not in page.content.decode()
    with at(2026, 11, 1):
        login(client, "clerk")
        for name in ("core:home", "core:deadline_list"):
            page = client.get(reverse(name)).content.decode()
            assert "节假日安排待录入" in page
            assert "2027年的节假日安排本系统尚未录入" in page
        client.post(
            reverse("core:holiday_arrangement", args=[2027]),
            {"text": LINES_2027, "action": "save"},
        )
        page = client.get(reverse("core:home"))
        assert page.status_code == 200
        assert "节假日安排待录入" not in page.content.decode()


def test_the_command_reports_which_coming_years_are_provisional(office_user):
    out = StringIO()
    with at(2026, 11, 30):
        call_command("holiday_calendar", "--years", "3", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2026\t节假日库已收录\tchinesecalendar 1.11")
    assert lines[1] == f"2027\t暂按法定节日推算\t{NOTE}"
    assert lines[2] == f"2028\t暂按法定节日推算\t{NOTE}"
    assert lines[3] == "待录入国务院节假日安排的年度：2027"
    with at(2026, 11, 30), pytest.raises(SystemExit) as exit_:
        call_command("holiday_calendar", "--check", stdout=StringIO())
    assert exit_.value.code == 1

    from core.calendar_arrangement import enter_arrangement

    enter_arrangement(year=2027, text=LINES_2027, by=office_user)
    out = StringIO()
    with at(2026, 11, 30):
        call_command("holiday_calendar", "--check", stdout=out)
    assert "2027\t已录入国务院当年安排\t王测试于" in out.getvalue()
    assert "待录入" not in out.getvalue()


def test_the_calendar_page_names_the_library_by_what_it_holds_with_its_version_as_a_tooltip(
    client, office_user
):
    login(client, "clerk")
    html = client.get(reverse("core:holiday_calendar")).content.decode()
    text = visible_text(html)
    assert "本系统录入的国务院当年节假日安排；节假日库收录的国务院办公厅历年节假日安排；" in text
    assert "chinesecalendar" not in text
    assert (
        f'title="据 {deadlines.LIBRARY_SOURCE} 数据（收录国务院办公厅历年部分节假日安排的通知）"'
        in html
    )
