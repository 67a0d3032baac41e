"""Year-end figures: a year's report counts what was registered, signed … by 31 December, and a
closed year keeps the figures stored when a leader closed it until a leader reopens it."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from budget import services
from budget.models import AnnualReport, SpendingKind, YearClosing
from core.roles import Section
from projects.models import Household
from tests.auth import login
from tests.budget.conftest import line
from tests.factories import HouseholdFactory, ProjectFactory, resident_id, staff
from tests.projects.test_households import household_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_2022(district, budget_year, finance):
    budget_year.report_date = date(2023, 4, 7)
    budget_year.save(update_fields=["report_date"])
    line(budget_year, finance, kind=SpendingKind.BASIC, amounts=("0", "10", "10", "0"))
    project = ProjectFactory(district=district, name="六岭棚改", started_on=date(2022, 3, 1))
    for number in range(3):
        HouseholdFactory(
            project=project,
            area="100.00",
            registered_on=date(2022, 4, 1),
            signed_on=date(2022, 9, 1) if number == 0 else None,
            method=Household.Method.MONETARY if number == 0 else "",
        )
    return project


@pytest.fixture
def leader(db):
    return staff(Section.LEADER, username="leader", name="周领导")


def report_text(budget_year) -> str:
    """The text of a freshly built report of the year, without its whitespace."""
    run = AnnualReport.objects.create(budget_year=budget_year)
    run = services.build_report(run_id=run.pk, today=date(2023, 4, 7))
    with run.pdf.open("rb") as handle:
        pages = PdfReader(BytesIO(handle.read())).pages
        return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def households_of(text: str) -> str:
    """The project's row of the signing table: name, district, households, signed, rate."""
    return re.search(r"六岭棚改双清区\d+\d\d?\.\d%", text).group(0)


def add_household(client, project, number: int, registered_on: str) -> None:
    response = client.post(
        reverse("projects:household_create", args=[project.pk]),
        household_data(
            code=f"L-{number}", id_number=resident_id(100 + number), registered_on=registered_on
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def switch(client, username: str) -> None:
    client.logout()
    login(client, username)


def test_a_household_registered_after_the_year_leaves_its_report_unchanged(
    client, budget_year, project_2022, office_user
):
    before = report_text(budget_year)
    assert households_of(before) == "六岭棚改双清区3133.3%"
    login(client, "clerk")
    add_household(client, project_2022, 1, "2026-03-01")
    assert Household.objects.filter(project=project_2022).count() == 4
    assert report_text(budget_year) == before


def test_a_late_entered_household_of_the_year_counts_until_the_year_is_closed(
    client, budget_year, project_2022, office_user, leader
):
    login(client, "clerk")
    add_household(client, project_2022, 1, "2022-12-31")  # registered on the year's last day
    assert households_of(report_text(budget_year)) == "六岭棚改双清区4125.0%"

    switch(client, "leader")
    client.post(reverse("budget:year_close", args=[2022]))
    closing = YearClosing.objects.get()
    assert (closing.action, closing.by) == ("close", leader)
    closed = report_text(budget_year)
    assert households_of(closed) == "六岭棚改双清区4125.0%"

    switch(client, "clerk")
    add_household(client, project_2022, 2, "2022-06-01")
    assert report_text(budget_year) == closed  # frozen with the year
    page = client.get(reverse("budget:year_detail", args=[2022])).content.decode()
    assert "本年度已于" in page and "关账" in page
    assert "重新开账</button>" not in page  # only a leader may reopen

    switch(client, "leader")
    refused = client.post(reverse("budget:year_reopen", args=[2022]), {"reason": ""}, follow=True)
    assert "重新开账的理由" in refused.content.decode()
    client.post(
        reverse("budget:year_reopen", args=[2022]), {"reason": "补录2022年登记的被征收户。"}
    )
    reopening = YearClosing.objects.latest_for(budget_year)
    assert (reopening.action, reopening.reason) == ("reopen", "补录2022年登记的被征收户。")
    assert households_of(report_text(budget_year)) == "六岭棚改双清区5120.0%"


def test_only_a_leader_closes_a_year_and_a_closed_years_figures_cannot_change(
    client, budget_year, project_2022, finance, leader
):
    login(client, "finance")
    assert client.post(reverse("budget:year_close", args=[2022])).status_code == 403
    assert not YearClosing.objects.exists()

    services.close_year(budget_year=budget_year, by=leader)
    page = client.post(
        reverse("budget:line_edit", args=[2022, "general", "basic"]),
        {"opening": "0", "income": "200000", "expenditure": "200000", "closing": "0"},
    ).content.decode()
    assert "2022年度已关账，数据不能再修改" in page
    assert budget_year.lines.get().income == 100000
