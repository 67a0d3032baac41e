"""The year's petition figures, computed from the reception log and the cases."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core import demo as core_demo
from core import due
from petitions import demo, figures, services
from petitions.models import Petition, Petitioner, Status, Visit
from projects import demo as projects_demo
from tests.petitions.factories import TODAY, leader_user, register, replied, visit

pytestmark = pytest.mark.django_db


def test_visitor_times_add_up_people_and_people_are_counted_once(office_user, district):
    visit(
        by=office_user,
        district=district,
        people_count=1,
        visitor_name="甲",
        visitor_phone="13900000001",
    )
    visit(
        by=office_user,
        district=district,
        people_count=1,
        visitor_name="甲",
        visitor_phone="13900000001",
    )
    visit(by=office_user, district=district, people_count=6, visitor_name="乙")
    visit(by=office_user, district=district, visited_on=date(2021, 5, 1), visitor_name="丙")
    numbers = figures.visit_figures(2022)
    # 3 visits, 8 visitor-times; 甲 twice is one person, 乙 brought 5 unnamed people.
    assert (numbers.visits, numbers.visitor_times, numbers.people) == (3, 8, 7)
    assert numbers.collective_visits == 1


def test_closed_on_time_counts_the_extension(office_user, district):
    replied(
        by=office_user, district=district, accepted_on=date(2022, 3, 1), replied_on=date(2022, 5, 5)
    )
    replied(
        by=office_user, district=district, accepted_on=date(2022, 3, 1), replied_on=date(2022, 5, 6)
    )
    extended = register(by=office_user, district=district).petition
    services.accept_petition(petition=extended, by=office_user, on=date(2022, 3, 1), today=TODAY)
    services.extend_petition(
        petition=extended,
        by=leader_user(),
        on=date(2022, 4, 1),
        days=30,
        reason="复杂",
        today=TODAY,
    )
    services.reply_to_petition(
        petition=extended,
        by=office_user,
        on=date(2022, 5, 20),
        number="3号",
        findings="略",
        opinion="略",
        review_body="市住建局",
        today=TODAY,
    )
    on_time = figures.closed_on_time(2022)
    assert (on_time.replied, on_time.on_time, on_time.late) == (3, 2, 1)
    assert str(on_time.rate) == "66.7"


def test_district_users_get_their_districts_figures(
    office_user, district_member, outsider, district
):
    register(by=office_user, district=district)
    visit(by=office_user, district=district, people_count=2)
    assert figures.year_figures(2022, user=district_member).received == 1
    assert figures.year_figures(2022, user=district_member).visits.visitor_times == 2
    assert figures.year_figures(2022, user=outsider).received == 0
    assert figures.year_figures(2022, user=outsider).visits.visitor_times == 0


def test_the_home_page_count_is_what_falls_due_within_a_week(office_user, district):
    register(by=office_user, district=district, received_on=date(2022, 3, 1))  # due 3-16
    register(by=office_user, district=district, received_on=date(2022, 3, 20))  # due 4-06
    assert figures.open_due_count(office_user, date(2022, 3, 10)) == 1
    assert figures.open_due_count(office_user, date(2022, 3, 31)) == 2
    assert figures.open_due_count(office_user, date(2022, 2, 1)) == 0


def test_the_cards_count_a_week_of_cases_and_30_days_of_every_clock(office_user, district):
    register(by=office_user, district=district, received_on=date(2022, 3, 1))  # due 3-16
    register(by=office_user, district=district, received_on=date(2022, 3, 20))  # due 4-06

    def cards(day: date) -> dict:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
        with time_machine.travel(noon, tick=False):
            panels = due.card_panels(year=day.year, user=office_user)
        return {panel.title: (panel.value, panel.tone) for panel in panels}

    assert cards(date(2022, 3, 10)) == {
        "已逾期事项": (0, ""),
        "即将到期事项": (2, ""),  # both by 4-09
        "信访件到期提醒": (1, "warn"),  # only the first by 3-17
    }
    assert cards(date(2022, 3, 20)) == {
        "已逾期事项": (1, "alert"),
        "即将到期事项": (1, ""),
        "信访件到期提醒": (1, "alert"),  # the overdue one; the other is due after 3-27
    }


def test_the_demo_reproduces_the_offices_2022_petition_work(django_assert_max_num_queries):
    core_demo.load()
    projects_demo.load()
    assert demo.load() is True

    year = figures.year_figures(2022)
    assert year.visits.visitor_times == 53  # the seed's "50多人次"
    assert (year.visits.visits, year.visits.people, year.visits.collective_visits) == (30, 37, 2)
    assert year.received == 12
    by_status = dict(year.by_status)
    assert (by_status[Status.CLOSED], by_status[Status.REPLIED]) == (8, 2)
    assert (by_status[Status.DIVERTED], by_status[Status.NOT_ACCEPTED]) == (1, 1)
    assert (year.on_time.replied, year.on_time.on_time) == (9, 8)
    assert year.legacy_resolved == 2 and year.legacy_open == 0
    referred = Petition.objects.get(referred_by="省巡视组")
    assert referred.reported_on is not None
    assert referred.documents.filter(kind="report").count() == 1
    assert referred.project.name == "六岭棚改"
    roster = demo.DutyRoster.objects.get(title=demo.ROSTER_TITLE)
    assert (roster.starts_on, roster.ends_on, roster.is_round_the_clock) == (
        date(2022, 10, 15),
        date(2022, 10, 23),
        True,
    )
    assert roster.shifts.filter(role="leader", person__username="leader").count() == 9
    names = set(Petitioner.objects.values_list("name", flat=True))
    names |= set(Visit.objects.values_list("visitor_name", flat=True))
    assert not names & demo.FORBIDDEN_NAMES

    with django_assert_max_num_queries(1):
        assert demo.load() is False
    assert figures.year_figures(2022) == year


def test_the_demo_needs_the_core_demo_first():
    assert demo.load() is False
    assert not Petition.objects.exists()


def test_the_count_follows_a_deadline_rolled_past_the_national_day(office_user, district):
    # Received 9-20: 15 days end on 10-05, in the holiday; the deadline is 10-08.
    register(by=office_user, district=district, received_on=date(2022, 9, 20))
    assert figures.open_due_count(office_user, date(2022, 9, 30)) == 0  # window ends 10-07
    assert figures.open_due_count(office_user, date(2022, 10, 1)) == 1  # window ends 10-08
