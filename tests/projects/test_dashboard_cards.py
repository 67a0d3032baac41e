"""The dashboard's cards of stored clocks (core.due.card_counts) and of hazards
(projects.panels.hazard_panels), read through the page, on their edges: today, the last day of
each card's window, the year's first and last days, the district scope. Both queries are
written once per process (core.compiled) and run as the EXECUTE of a prepared statement."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import due
from core.compiled import logged_sql
from core.deadlines import Unit
from core.models import DueDate
from petitions.clocks import KINDS as PETITION_KINDS
from projects import safety
from projects.models import Hazard
from projects.panels import hazard_panels
from tests.auth import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("projects:dashboard")
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2031, 3, 10)
OTHER_KIND = "tests.other"  # a kind no card but the every-kind one counts
PETITION_KIND = sorted(PETITION_KINDS)[0]

OVERDUE = "已逾期事项"
DUE_SOON = "即将到期事项"
PETITIONS = "信访件到期提醒"
HAZARDS = "安全隐患"

CARD = re.compile(
    r'<section class="dash-card[^"]*">\s*<h2>(?P<title>[^<]+)</h2>\s*'
    r'<p class="dash-figure">(?:<a [^>]*>)?<strong>(?P<value>\d+)</strong>'
    r'(?:[^<]*)(?:</a>)?</p>\s*(?:<p class="dash-detail">(?P<note>[^<]*)</p>)?'
)


@pytest.fixture(autouse=True)
def _windows(settings):
    """The windows these tests count on, whatever the environment sets."""
    settings.DEADLINES_LOOKAHEAD_DAYS = 30
    settings.PETITION_DUE_SOON_DAYS = 7


def cards(client, username: str, *, year: int | None = None, day: date = TODAY) -> dict:
    """Title → (value, note) of the dashboard's cards as `username` sees them on `day`."""
    moment = datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        client.logout()
        login(client, username)
        response = client.get(URL, {} if year is None else {"year": year})
    assert response.status_code == 200
    found = {
        match["title"]: (int(match["value"]), match["note"])
        for match in CARD.finditer(response.content.decode())
    }
    assert {OVERDUE, DUE_SOON, PETITIONS, HAZARDS} <= set(found)
    return found


def values(client, username: str, **kwargs) -> dict:
    found = cards(client, username, **kwargs)
    return {title: found[title][0] for title in (OVERDUE, DUE_SOON, PETITIONS, HAZARDS)}


def clock(due_on: date, district, *, kind: str = OTHER_KIND, **fields) -> DueDate:
    """A stored clock due on `due_on`, as core.due writes them."""
    started = due_on - timedelta(days=60)
    return DueDate.objects.create(
        source_type=ContentType.objects.get_for_model(DueDate),
        source_id=DueDate.objects.count() + 1,
        kind=kind,
        title="测试事项",
        url="/",
        district=district,
        started_on=started,
        due_on=due_on,
        length=60,
        unit=Unit.DAYS.value,
        counted_from=started,
        **fields,
    )


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_a_clock_due_today_is_due_not_overdue(client, office_user, district):
    clock(TODAY, district)
    clock(TODAY, district, kind=PETITION_KIND)
    assert values(client, "clerk") == {OVERDUE: 0, DUE_SOON: 2, PETITIONS: 1, HAZARDS: 0}

    clock(days(-1), district)
    clock(days(-1), district, kind=PETITION_KIND)
    found = cards(client, "clerk")
    assert found[OVERDUE][0] == 2
    assert found[DUE_SOON][0] == 2
    assert found[PETITIONS] == (2, "7日内到期或已逾期，其中逾期1件")


def test_each_cards_window_ends_on_its_last_day(client, office_user, district):
    clock(days(30), district)  # the every-kind card's last day
    clock(days(31), district)
    clock(days(7), district, kind=PETITION_KIND)  # the petitions card's last day
    clock(days(8), district, kind=PETITION_KIND)  # past the week, within the 30 days
    found = cards(client, "clerk")
    assert found[OVERDUE][0] == 0
    assert found[DUE_SOON] == (3, "今后30日内")
    assert found[PETITIONS][0] == 1

    # The day after, the last days move with today.
    assert values(client, "clerk", day=TODAY + timedelta(days=1))[DUE_SOON] == 4
    assert values(client, "clerk", day=TODAY + timedelta(days=1))[PETITIONS] == 2


def test_a_window_changed_in_the_settings_counts_its_new_days(
    client, settings, office_user, district
):
    """The windows are the query's shape: new windows get their own SQL, not the old counts."""
    clock(days(7), district, kind=PETITION_KIND)
    clock(days(8), district, kind=PETITION_KIND)
    clock(days(31), district)
    assert values(client, "clerk")[DUE_SOON] == 2
    assert values(client, "clerk")[PETITIONS] == 1

    settings.PETITION_DUE_SOON_DAYS = 8
    settings.DEADLINES_LOOKAHEAD_DAYS = 31
    found = cards(client, "clerk")
    assert found[DUE_SOON] == (3, "今后31日内")
    assert found[PETITIONS][0] == 2

    # Both cards on one window: the widest counts for both.
    settings.PETITION_DUE_SOON_DAYS = 31
    assert values(client, "clerk")[PETITIONS] == 2
    assert values(client, "clerk")[DUE_SOON] == 3


def test_a_clock_listed_from_a_later_day_or_past_its_last_day_is_not_counted(
    client, office_user, district
):
    clock(days(3), district, shown_from=days(1))
    clock(days(3), district, shown_until=days(-1))
    clock(days(3), district, shown_from=TODAY, shown_until=TODAY)  # listed today
    assert values(client, "clerk")[DUE_SOON] == 1


def test_a_district_user_counts_only_their_districts_clocks_and_hazards(
    client, office_user, district, other_district, district_member, outsider, project, other_project
):
    clock(days(-1), district)
    clock(days(2), district, kind=PETITION_KIND)
    clock(days(3), other_district)
    clock(days(-5), other_district, kind=PETITION_KIND)
    clock(days(4), other_district, kind=PETITION_KIND)
    inspection = safety.create_inspection(by=office_user, name="督查", started_on=date(2030, 6, 1))
    # Their rectification clocks fall due past the cards' windows.
    later = date(2032, 1, 1)
    hazard(inspection, project, office_user, due_on=later)
    hazard(inspection, other_project, office_user, due_on=later)
    hazard(inspection, other_project, office_user, due_on=later)

    assert values(client, "clerk", year=2030) == {
        OVERDUE: 2,
        DUE_SOON: 3,
        PETITIONS: 3,
        HAZARDS: 3,
    }
    assert values(client, "district", year=2030) == {
        OVERDUE: 1,
        DUE_SOON: 1,
        PETITIONS: 1,
        HAZARDS: 1,
    }
    assert values(client, "outsider", year=2030) == {
        OVERDUE: 1,
        DUE_SOON: 2,
        PETITIONS: 2,
        HAZARDS: 2,
    }


def test_a_user_who_sees_nothing_gets_zeros_without_a_query(district, project, office_user):
    """An inactive user (who cannot reach the page) sees no district: scope() is None."""
    clock(TODAY, district)
    inspection = safety.create_inspection(by=office_user, name="督查", started_on=TODAY)
    hazard(inspection, project, office_user)
    nobody = UserFactory(username="nobody", district=district, is_active=False)
    with CaptureQueriesContext(connection) as queries:
        counts = due.card_counts(nobody, today=TODAY)
        (panel,) = hazard_panels(year=TODAY.year, user=nobody)
    assert counts["core.deadlines"] == {"due": 0, "overdue": 0, "days": 30}
    assert counts["petitions.due"] == {"due": 0, "overdue": 0, "days": 7}
    assert (panel.value, panel.note) == (0, "本年度排查出0处")
    assert len(queries) == 0
    # The same user, active, counts them.
    nobody.is_active = True
    assert due.card_counts(nobody, today=TODAY)["core.deadlines"]["due"] == 2  # and the hazard's
    assert hazard_panels(year=TODAY.year, user=nobody)[0].value == 1


def hazard(inspection, project, by, *, due_on: date | None = None) -> Hazard:
    """An open hazard; its rectification clock (a stored clock too) falls due `due_on`, by
    default two weeks after the inspection started."""
    return safety.record_hazard(
        inspection=inspection,
        by=by,
        project=project,
        category=Hazard.Category.FENCING,
        place="六岭片区东侧",
        description="围挡缺失",
        responsible_unit="双清区征收办",
        measures="补设围挡",
        due_on=due_on or inspection.started_on + timedelta(days=14),
    )


def test_the_hazards_of_an_inspection_started_on_the_years_last_day_count_for_that_year(
    client, office_user, project
):
    last_day = safety.create_inspection(
        by=office_user, name="年末督查", started_on=date(2022, 12, 31)
    )
    first_day = safety.create_inspection(
        by=office_user, name="年初督查", started_on=date(2023, 1, 1)
    )
    hazard(last_day, project, office_user)
    rectified = hazard(last_day, project, office_user)
    safety.update_hazard(
        hazard=rectified, by=office_user, status="rectified", rectified_on=date(2023, 1, 5)
    )
    hazard(first_day, project, office_user)

    found = cards(client, "clerk", year=2022)
    assert found[HAZARDS] == (1, "本年度排查出2处")
    found = cards(client, "clerk", year=2023)
    assert found[HAZARDS] == (1, "本年度排查出1处")
    assert cards(client, "clerk", year=2021)[HAZARDS] == (0, "本年度排查出0处")


def _executed(queries, table: str) -> list[str]:
    """The queries of the log that read `table`, as they were sent."""
    return [query["sql"] for query in queries if f'FROM "{table}"' in logged_sql(query["sql"])]


def test_the_cards_are_the_execute_of_statements_written_once(client, office_user, district):
    clock(TODAY, district)
    moment = datetime(2031, 3, 10, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        login(client, "clerk")
        with CaptureQueriesContext(connection) as first:
            assert client.get(URL, {"year": 2030}).status_code == 200
        with CaptureQueriesContext(connection) as second:
            assert client.get(URL, {"year": 2031}).status_code == 200

    for table, arguments in [
        ("core_duedate", ["'2031-03-10'::date", "'2031-03-17'::date", "'2031-04-09'::date"]),
        ("projects_hazard", ["'2030-01-01'::date", "'2030-12-31'::date"]),
    ]:
        (sent,) = _executed(first, table)
        statement = re.match(r"EXECUTE (compiled_values_\d+)\(", sent)
        assert statement, sent
        for argument in arguments:
            assert argument in sent
        # The next request runs the same statement with its own values.
        (again,) = _executed(second, table)
        assert again.startswith(f"EXECUTE {statement[1]}(")

    (cards_sql,) = [logged_sql(sql) for sql in _executed(first, "core_duedate")]
    assert cards_sql.startswith('SELECT "core_duedate"."kind" AS "kind"')
    assert 'FILTER (WHERE "core_duedate"."due_on" < $' in cards_sql  # overdue: before today
    assert cards_sql.endswith("GROUP BY 1")
    (hazard_sql,) = [logged_sql(sql) for sql in _executed(first, "projects_hazard")]
    assert '"projects_inspection"."started_on" BETWEEN $' in hazard_sql
    assert "'2031-01-01'::date" in _executed(second, "projects_hazard")[0]
