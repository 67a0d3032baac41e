"""Each clock of a project counts the way its own law says, and its explanation cites that law.

Every date is worked out by hand in the comment above it (official schedules from the
chinesecalendar library up to 2026; 2027 from 全国年节及纪念日放假办法, provisional).
"""

from datetime import date

import pytest

from core.deadlines import Unit
from projects import legal
from projects.models import CompensationDecision, EnforcementWarning, Notice, Objection
from projects.services import posting_period

# The engine reads the staff holiday table first, even for these unsaved objects.
pytestmark = pytest.mark.django_db


def test_objection_answers_count_calendar_days_under_the_offices_rule():
    # No law makes the answer period working days: 10 calendar days from Friday 2024-09-27 end
    # on Monday 10-07, the last day of the National Day holiday (10-01 to 10-07), so Tuesday
    # 10-08. Working days would have given 10-16.
    deadline = legal.objection_answer_deadline(Objection(raised_on=date(2024, 9, 27)))
    assert deadline.due == date(2024, 10, 8)
    assert deadline.unit == Unit.DAYS
    assert "民法典》第二百零一条至第二百零三条" in deadline.explanation[0]


def test_reconsideration_counts_sixty_calendar_days_under_article_20():
    # 行政复议法 第二十条: 60 days from service on 2024-12-01: 30 to 12-31, 30 more to Thursday
    # 2025-01-30, inside the Spring Festival holiday (01-28 to 02-04): Wednesday 2025-02-05.
    deadline = legal.reconsideration_window(CompensationDecision(served_on=date(2024, 12, 1)))
    assert deadline.due == date(2025, 2, 5)
    assert deadline.unit == Unit.DAYS
    assert deadline.explanation[0].startswith("依据《中华人民共和国行政复议法》第二十条第一款")


def test_a_suit_after_a_reconsideration_counts_fifteen_calendar_days_under_article_45():
    # 行政诉讼法 第四十五条: 15 days from Friday 2023-01-06 end on Saturday 01-21, 除夕, inside the
    # Spring Festival holiday (01-21 to 01-27); Saturday 01-28 was a make-up working day.
    decision = CompensationDecision(
        served_on=date(2022, 11, 1), reconsideration_decided_on=date(2023, 1, 6)
    )
    deadline = legal.suit_window(decision)
    assert deadline.due == date(2023, 1, 28)
    assert "《中华人民共和国行政诉讼法》第四十五条" in deadline.explanation[0]


def test_a_suit_counts_six_months_under_article_46_provisionally_in_2027():
    # 行政诉讼法 第四十六条: six months from 2027-04-01 end on Friday 2027-10-01 (国庆节); by the
    # statutory holidays 10-01 to 10-03 and the make-up days 10-04 and 10-05 for the weekend, the
    # period ends on Wednesday 10-06, provisionally.
    deadline = legal.suit_window(CompensationDecision(served_on=date(2027, 4, 1)))
    assert deadline.due == date(2027, 10, 6)
    assert deadline.unit == Unit.MONTHS
    assert deadline.provisional
    assert "第四十六条第一款" in deadline.explanation[0]


def test_the_warning_counts_ten_working_days_under_article_69():
    # 行政强制法 第五十四条、第六十九条: 10 working days from Thursday 2027-01-28: 01-29 (1),
    # 02-01..02-04 (2-5), 春节 02-05..02-08 and its make-up days 02-09, 02-10 off, 02-11 (6),
    # 02-12 (7), 02-15 (8), 02-16 (9), 02-17 (10); provisional (2027).
    deadline = legal.warning_period(EnforcementWarning(served_on=date(2027, 1, 28)))
    assert deadline.due == date(2027, 2, 17)
    assert deadline.unit == Unit.WORKING_DAYS
    assert "第五十四条、第六十九条" in deadline.explanation[0]
    assert "按工作日计算" in deadline.explanation[0]


def test_the_court_application_counts_three_months_under_article_53():
    # Served 2023-04-03: six months end on 2023-10-03 (holiday to 10-06), so Saturday 10-07, a
    # make-up working day. 行政强制法 第五十三条: three months from then end on Sunday
    # 2024-01-07, so Monday 01-08.
    deadline = legal.application_window(CompensationDecision(served_on=date(2023, 4, 3)))
    assert deadline.due == date(2024, 1, 8)
    assert "《中华人民共和国行政强制法》第五十三条" in deadline.explanation[0]


def test_the_plan_comment_period_counts_thirty_calendar_days_under_article_10():
    # 条例 第十条: 30 days from Saturday 2024-09-07 end on Monday 10-07 (National Day holiday),
    # so Tuesday 10-08.
    deadline = posting_period(Notice.Kind.PLAN_COMMENT, date(2024, 9, 7), 30)
    assert deadline.due == date(2024, 10, 8)
    assert "《国有土地上房屋征收与补偿条例》第十条第二款" in deadline.explanation[0]


@pytest.mark.parametrize("kind", [Notice.Kind.FIRST_LIST, Notice.Kind.HARDSHIP])
def test_other_posting_periods_count_calendar_days_as_the_notice_states(kind):
    # 7 days from Friday 2025-01-24 end on Friday 01-31, inside the Spring Festival holiday
    # (01-28 to 02-04): Wednesday 02-05.
    deadline = posting_period(kind, date(2025, 1, 24), 7)
    assert deadline.due == date(2025, 2, 5)
    assert deadline.explanation[0].startswith("依据公告载明的公示期")
