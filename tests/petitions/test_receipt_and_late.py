"""Petition clocks count calendar days under the 信访工作条例 (each test names its article);
the petitioner's review windows run from the day the answer was received (送达); steps taken
after their deadline are allowed, recorded as late with the days, shown and counted.

Every date is worked out by hand in the comment above it.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.deadlines import Unit
from petitions import deadlines, figures
from petitions.models import Petition
from tests.auth import login
from tests.petitions.factories import register

pytestmark = pytest.mark.django_db


# One test per clock, naming its article


def test_acceptance_counts_fifteen_calendar_days_under_article_25():
    # 2023-09-20 + 15 = Thursday 10-05, inside the Mid-autumn and National Day holiday (09-29 to
    # 10-06); Saturday 10-07 was a make-up working day.
    deadline = deadlines.accept_deadline(Petition(received_on=date(2023, 9, 20)))
    assert deadline.due == date(2023, 10, 7)
    assert deadline.unit == Unit.DAYS
    assert "依据《信访工作条例》第二十五条" in deadline.explanation[1]


def test_the_reply_counts_sixty_calendar_days_under_article_32():
    # 2024-12-02 + 60: 29 days to 12-31, 31 more to Friday 2025-01-31, inside the Spring
    # Festival holiday (01-28 to 02-04): Wednesday 2025-02-05.
    deadline = deadlines.reply_deadline(Petition(accepted_on=date(2024, 12, 2)))
    assert deadline.due == date(2025, 2, 5)
    assert "依据《信访工作条例》第三十二条" in deadline.explanation[1]


def test_the_review_request_counts_thirty_days_from_receipt_under_article_35_in_2027():
    # Received Wednesday 2027-01-06: + 30 = Friday 2027-02-05, 除夕; by the statutory holidays
    # (02-05 to 02-08, make-up days 02-09 and 02-10) the window ends on Thursday 02-11,
    # provisionally.
    petition = Petition(replied_on=date(2027, 1, 4), reply_served_on=date(2027, 1, 6))
    deadline = deadlines.review_request_deadline(petition)
    assert deadline.due == date(2027, 2, 11)
    assert deadline.provisional
    assert deadline.explanation[0] == "信访人于2027年1月6日收到信访处理意见书（已登记送达日期）"
    assert "依据《信访工作条例》第三十五条" in deadline.explanation[2]


def test_the_review_answer_counts_thirty_calendar_days_under_article_35():
    # Requested Saturday 2023-12-02: + 30 = Monday 2024-01-01, 元旦: Tuesday 01-02.
    deadline = deadlines.review_deadline(Petition(review_requested_on=date(2023, 12, 2)))
    assert deadline.due == date(2024, 1, 2)
    assert "依据《信访工作条例》第三十五条" in deadline.explanation[1]


def test_the_recheck_request_counts_thirty_days_from_receipt_under_article_36():
    # Review opinion received Saturday 2025-04-05: + 30 = Monday 05-05, the last day of the
    # Labour Day holiday (05-01 to 05-05): Tuesday 05-06.
    petition = Petition(reviewed_on=date(2025, 4, 1), review_served_on=date(2025, 4, 5))
    deadline = deadlines.recheck_request_deadline(petition)
    assert deadline.due == date(2025, 5, 6)
    assert "依据《信访工作条例》第三十六条" in deadline.explanation[2]


def test_the_recheck_answer_counts_thirty_calendar_days_under_article_36():
    # Requested Friday 2023-12-22: + 30 = Sunday 2024-01-21: Monday 01-22.
    deadline = deadlines.recheck_deadline(Petition(recheck_requested_on=date(2023, 12, 22)))
    assert deadline.due == date(2024, 1, 22)
    assert "依据《信访工作条例》第三十六条" in deadline.explanation[1]


def test_without_a_receipt_date_the_window_runs_from_the_assumed_day_and_says_so():
    # No 送达日期: the reply's own date 2023-03-01 is assumed; + 30 = Friday 03-31.
    petition = Petition(replied_on=date(2023, 3, 1))
    deadline = deadlines.review_request_deadline(petition)
    assert deadline.due == date(2023, 3, 31)
    assert "暂以其出具日期2023年3月1日作为信访人收到之日（推定）" in deadline.explanation[0]


# Through the case page


def step(client, petition, name, **fields):
    url = reverse("petitions:petition_step", args=[petition.pk, name])
    return client.post(url, {f"{name}-{key}": value for key, value in fields.items()}, follow=True)


def test_late_steps_are_taken_recorded_shown_and_counted(client, office_user, district):
    petition = register(
        by=office_user, district=district, received_on=date(2023, 9, 20), today=date(2023, 9, 20)
    ).petition
    login(client, "clerk")

    # Acceptance was due 2023-10-07 (above); accepted on Tuesday 10-10: 3 days late.
    page = step(client, petition, "accept", on="2023-10-10", note="").content.decode()
    assert "已受理" in page
    assert "逾期3日" in page
    # The reply was due 60 days after 10-10: Saturday 12-09, so Monday 12-11; given on Friday
    # 12-15: 4 days late.
    page = step(
        client,
        petition,
        "reply",
        on="2023-12-15",
        number="邵征信复〔2023〕9号",
        findings="经核实。",
        opinion="维持。",
        review_body="邵阳市住房和城乡建设局",
    ).content.decode()
    assert "逾期4日" in page
    assert "未登记：请求复查期限暂以答复日期作为收到之日（推定）" in page

    # The petitioner received the reply on 12-20: the review window runs from then, to
    # 2024-01-19 (a Friday), not from the reply's 12-15 (which would give 2024-01-15).
    page = step(client, petition, "served", on="2023-12-20", note="邮寄").content.decode()
    assert "已登记送达日期" in page
    petition.refresh_from_db()
    assert petition.reply_served_on == date(2023, 12, 20)
    assert deadlines.review_request_deadline(petition).due == date(2024, 1, 19)

    # Review requested 2024-01-05, due 30 days later: Sunday 2024-02-04, an official make-up
    # working day before the Spring Festival; the opinion came on Tuesday 02-06: 2 days late.
    step(client, petition, "request_review", on="2024-01-05", body="邵阳市住房和城乡建设局")
    page = step(client, petition, "review", on="2024-02-06", outcome="upheld").content.decode()
    assert "已登记复查意见" in page
    assert "逾期2日" in page

    petition.refresh_from_db()
    assert (petition.accept_late_days, petition.reply_late_days) == (3, 4)
    assert petition.review_late_days == 2

    in_2023 = figures.late_steps(2023, user=office_user)
    assert (in_2023.accept, in_2023.accept_days, in_2023.reply, in_2023.reply_days) == (1, 3, 1, 4)
    assert in_2023.review == 0
    assert figures.late_steps(2024, user=office_user).review_days == 2
    page = client.get(reverse("petitions:petition_figures"), {"year": 2023}).content.decode()
    assert "逾期受理1件（共3日），逾期答复1件（共4日），逾期复查0件（共0日）" in page


def test_a_receipt_date_before_the_reply_is_refused(client, office_user, district):
    petition = register(
        by=office_user, district=district, received_on=date(2023, 3, 1), today=date(2023, 3, 1)
    ).petition
    login(client, "clerk")
    step(client, petition, "accept", on="2023-03-02", note="")
    step(
        client,
        petition,
        "reply",
        on="2023-03-10",
        number="1号",
        findings="略",
        opinion="略",
        review_body="市住建局",
    )
    page = step(client, petition, "served", on="2023-03-09").content.decode()
    assert "日期不能早于答复日期" in page
    petition.refresh_from_db()
    assert petition.reply_served_on is None


def test_a_deadline_on_derived_holidays_is_badged_provisional_on_the_case_and_the_due_list(
    client, office_user, district
):
    # Received Thursday 2026-12-17: + 15 = Friday 2027-01-01, 元旦 by the statutory holidays
    # (2027 has no entered schedule); the weekend follows: Monday 2027-01-04, provisionally.
    petition = register(
        by=office_user, district=district, received_on=date(2026, 12, 17), today=date(2026, 12, 17)
    ).petition
    assert deadlines.accept_deadline(petition).due == date(2027, 1, 4)
    with time_machine.travel(datetime(2026, 12, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        login(client, "clerk")
        page = client.get(petition.get_absolute_url()).content.decode()
        assert "2027年1月4日" in page
        assert "暂按推算" in page
        due = client.get(reverse("petitions:petition_due")).content.decode()
        assert "2027-01-04" in due
        assert "暂按推算" in due

    # A deadline in a year with a known schedule carries no such badge.
    known = register(
        by=office_user, district=district, received_on=date(2026, 11, 2), today=date(2026, 11, 2)
    ).petition
    with time_machine.travel(datetime(2026, 11, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        login(client, "clerk")
        page = client.get(known.get_absolute_url()).content.decode()
        assert "2026年11月17日" in page
        assert "暂按推算" not in page


def test_the_receipt_and_the_public_look_up_mark_a_provisional_date(client, office_user, district):
    # Received Thursday 2026-12-17: the acceptance deadline, Monday 2027-01-04, rests on the
    # derived 元旦 of 2027 (see above), so the printed receipt and the petitioner's own look-up
    # say it is provisional.
    registration = register(
        by=office_user, district=district, received_on=date(2026, 12, 17), today=date(2026, 12, 17)
    )
    petition = registration.petition
    with time_machine.travel(datetime(2026, 12, 18, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        login(client, "clerk")
        receipt = client.get(reverse("petitions:petition_receipt", args=[petition.pk]))
        receipt = receipt.content.decode()
        assert "本机关将于2027年1月4日前告知是否受理" in receipt
        assert "暂按法定节日推算" in receipt
        client.logout()
        found = client.post(
            reverse("petitions:lookup"),
            {"reference": petition.reference, "code": registration.code},
            REMOTE_ADDR="10.9.9.9",
        ).content.decode()
        assert "2027年1月4日" in found
        assert "暂按推算" in found
