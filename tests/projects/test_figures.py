from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import panels as core_panels
from projects import figures, services
from projects.models import Notice, Project
from tests.factories import HouseholdFactory, ProjectFactory, sign_off_and_publish
from tests.projects.helpers import file_approvals

pytestmark = pytest.mark.django_db


def start(project: Project, on: date, by) -> Project:
    """Publish the project's 启动公告 on `on`, the way the office does (its approvals on file
    and verified first)."""
    file_approvals(project, district_user=by, staff=by)
    notice = services.draft_notice(
        project=project, by=by, kind=Notice.Kind.START, title="启动公告", body="启动公告正文"
    )
    sign_off_and_publish(notice, by=by, on=on)
    project.refresh_from_db()
    return project


def complete(project: Project, on: date) -> None:
    # Archiving goes through every stage guard; the figures only read the date it sets.
    Project.objects.filter(pk=project.pk).update(completed_on=on)


def households(project, count, area="100.00", signed_on=None):
    method = "monetary" if signed_on else ""
    return HouseholdFactory.create_batch(
        count, project=project, area=Decimal(area), signed_on=signed_on, method=method
    )


def test_project_started_on_the_last_day_of_the_year_is_new_that_year(district, office_user):
    project = start(ProjectFactory(district=district), date(2022, 12, 31), office_user)
    households(project, 2, area="50.25")

    in_2022 = figures.year_figures(2022, user=office_user)
    assert (in_2022.new.count, in_2022.new.households, in_2022.new.area) == (
        1,
        2,
        Decimal("100.50"),
    )
    assert in_2022.in_progress.count == 1
    in_2023 = figures.year_figures(2023, user=office_user)
    assert in_2023.new.count == 0
    assert in_2023.in_progress.count == 1


def test_project_started_on_new_years_day_is_not_in_the_year_before(district, office_user):
    start(ProjectFactory(district=district), date(2023, 1, 1), office_user)
    assert figures.year_figures(2022, user=office_user).in_progress.count == 0
    assert figures.year_figures(2023, user=office_user).new.count == 1


def test_project_completed_on_new_years_day_is_still_in_progress_that_year(district, office_user):
    project = start(ProjectFactory(district=district), date(2020, 5, 1), office_user)
    complete(project, date(2022, 1, 1))
    assert figures.year_figures(2022, user=office_user).in_progress.count == 1
    assert figures.year_figures(2023, user=office_user).in_progress.count == 0


def test_project_completed_on_the_last_day_of_the_year_before_is_not_in_progress(
    district, office_user
):
    project = start(ProjectFactory(district=district), date(2020, 5, 1), office_user)
    households(project, 3, signed_on=date(2021, 6, 1))
    complete(project, date(2021, 12, 31))

    in_2022 = figures.year_figures(2022, user=office_user)
    assert in_2022.in_progress == figures.Totals(count=0, households=0, area=Decimal("0.00"))
    assert in_2022.signed.households == 0
    assert in_2022.projects == []
    assert figures.year_figures(2021, user=office_user).in_progress.count == 1


def test_project_without_a_published_start_notice_is_not_counted(district, office_user):
    households(ProjectFactory(district=district), 4)
    result = figures.year_figures(2022, user=office_user)
    assert result.in_progress.count == 0
    assert result.in_progress.households == 0


def test_household_signed_on_new_years_day_of_next_year_is_not_counted(district, office_user):
    project = start(ProjectFactory(district=district), date(2021, 3, 1), office_user)
    households(project, 1, area="80.00", signed_on=date(2022, 12, 31))
    households(project, 1, area="90.00", signed_on=date(2023, 1, 1))
    households(project, 2, area="70.00")

    in_2022 = figures.year_figures(2022, user=office_user)
    assert in_2022.signed == figures.Signed(
        households=1, area=Decimal("80.00"), rate=Decimal("25.0")
    )
    in_2023 = figures.year_figures(2023, user=office_user)
    assert in_2023.signed.households == 2
    assert in_2023.signed.area == Decimal("170.00")
    assert in_2023.signed.rate == Decimal("50.0")


def test_new_projects_are_counted_among_those_in_progress(district, office_user):
    old = start(ProjectFactory(district=district, name="老项目"), date(2020, 1, 10), office_user)
    new = start(ProjectFactory(district=district, name="新项目"), date(2022, 3, 5), office_user)
    households(old, 3, area="100.00", signed_on=date(2022, 2, 1))
    households(old, 1, area="20.50")
    households(new, 2, area="60.00")

    result = figures.year_figures(2022, user=office_user)
    assert result.new == figures.Totals(count=1, households=2, area=Decimal("120.00"))
    assert result.in_progress == figures.Totals(count=2, households=6, area=Decimal("440.50"))
    assert result.signed == figures.Signed(
        households=3, area=Decimal("300.00"), rate=Decimal("50.0")
    )
    rows = {row.name: row for row in result.projects}
    assert (rows["老项目"].households, rows["老项目"].signed, rows["老项目"].rate) == (
        4,
        3,
        Decimal("75.0"),
    )
    assert (rows["新项目"].signed, rows["新项目"].rate) == (0, Decimal("0.0"))


def test_area_in_wan_uses_the_seeds_rounding():
    totals = figures.Totals(count=10, households=1497, area=Decimal("149500.00"))
    assert totals.area_wan == Decimal("14.95")
    assert figures.Signed(households=1, area=Decimal("101249.99"), rate=None).area_wan == Decimal(
        "10.12"
    )
    assert figures.Signed(households=1, area=Decimal("101250.00"), rate=None).area_wan == Decimal(
        "10.13"
    )


def test_signing_rate_has_one_decimal_rounded_half_up():
    assert figures.signing_rate(1006, 1497) == Decimal("67.2")
    assert figures.signing_rate(1, 16) == Decimal("6.3")  # 6.25
    assert figures.signing_rate(2, 3) == Decimal("66.7")
    assert figures.signing_rate(0, 5) == Decimal("0.0")
    assert figures.signing_rate(0, 0) is None


def test_district_user_figures_cover_their_district_only(
    district, other_district, office_user, district_member, outsider
):
    own = start(ProjectFactory(district=district, name="本区项目"), date(2022, 4, 1), office_user)
    other = start(
        ProjectFactory(district=other_district, name="外区项目"), date(2022, 4, 1), office_user
    )
    households(own, 2, signed_on=date(2022, 5, 1))
    households(other, 5)

    mine = figures.year_figures(2022, user=district_member)
    assert [row.name for row in mine.projects] == ["本区项目"]
    assert (mine.in_progress.count, mine.in_progress.households, mine.signed.households) == (
        1,
        2,
        2,
    )
    theirs = figures.year_figures(2022, user=outsider)
    assert [row.name for row in theirs.projects] == ["外区项目"]
    assert theirs.signed.households == 0
    everything = figures.year_figures(2022, user=office_user)
    assert everything.in_progress.households == 7


def test_anonymous_user_gets_no_figures(district, office_user):
    from django.contrib.auth.models import AnonymousUser

    households(start(ProjectFactory(district=district), date(2022, 1, 5), office_user), 2)
    result = figures.year_figures(2022, user=AnonymousUser())
    assert result.in_progress.count == 0
    assert result.projects == []


def _queries_for_year_figures(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        figures.year_figures(2022, user=user)
    return len(queries)


def test_year_figures_take_the_same_queries_for_few_and_many_households(
    district, office_user, django_assert_max_num_queries
):
    project = start(ProjectFactory(district=district), date(2022, 2, 1), office_user)
    households(project, 2)
    with django_assert_max_num_queries(2):
        figures.year_figures(2022, user=office_user)
    few = _queries_for_year_figures(office_user)

    for index in range(5):
        more = start(ProjectFactory(district=district), date(2021, 2, index + 1), office_user)
        households(more, 40, signed_on=date(2022, 3, 1))
    with django_assert_max_num_queries(2):
        figures.year_figures(2022, user=office_user)
    assert _queries_for_year_figures(office_user) == few


def test_years_with_projects_run_from_the_first_start_to_this_year(district, office_user):
    from django.utils import timezone

    this_year = timezone.localdate().year
    done = start(ProjectFactory(district=district), date(2015, 6, 1), office_user)
    complete(done, date(2016, 3, 1))
    start(ProjectFactory(district=district), date(2019, 6, 1), office_user)

    years = figures.years_with_projects(user=office_user)
    assert years == [*range(this_year, 2018, -1), 2016, 2015]


def test_panels_come_from_registered_providers_only(district_member, monkeypatch):
    monkeypatch.setattr(core_panels, "_PANEL_PROVIDERS", [])
    assert core_panels.panels_for(year=2022, user=district_member) == []

    def hazards(*, year, user):
        return [core_panels.Panel(title="未整改隐患", value=3, unit="处", tone="alert")]

    core_panels.panel_provider(hazards)
    core_panels.panel_provider(hazards)  # registering twice adds it once
    assert core_panels.panels_for(year=2022, user=district_member) == [
        core_panels.Panel(title="未整改隐患", value=3, unit="处", tone="alert")
    ]
