"""projects.facts: the project page reads every fact of the gates' and stages' checks in one
query, and each answers what it answers alone; a service asking again sees what it wrote."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import facts
from projects.models import CompensationDecision, Project
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def _some_of_everything(project):
    HouseholdFactory(project=project, area=Decimal("80.50"))
    signed = HouseholdFactory(
        project=project, area=Decimal("60.25"), signed_on=date(2022, 6, 1), method="monetary"
    )
    decided = HouseholdFactory(project=project, area=Decimal("40.00"))
    CompensationDecision.objects.create(
        household=decided, number="决字1号", decided_on=date(2022, 8, 1), amount=1
    )
    return signed


def test_every_fact_read_at_once_answers_what_it_answers_alone(project):
    _some_of_everything(project)
    fresh = Project.objects.get(pk=project.pk)
    with CaptureQueriesContext(connection) as captured:
        together = facts.read_all(fresh)
    assert len(captured) == 1
    # All but the facts only a notice's checks ask (the page shows the project's actions).
    assert set(together) == facts.names() - {"households_unvalued", "selection_order_fixed"}
    plain = Project.objects.get(pk=project.pk)
    alone = {name: facts.value(plain, name) for name in together}
    assert together == alone
    assert facts.value(plain, "households_unvalued") == 3
    assert together["households"] == 3
    assert together["households_area"] == Decimal("180.75")
    assert together["households_signed"] == 1
    assert together["households_signed_area"] == Decimal("60.25")
    # Not signed, not moved out, no decision the court enforced: the unsigned and the decided.
    assert together["households_unsettled"] == 2
    assert together["compensation_decisions"] == together["compensation_decisions_open"] == 1
    assert together["fund_balance"] is None  # no fund opened
    assert together["households_unpaid"] == 0  # the signed one: nothing due, nothing paid


def test_a_project_with_nothing_on_file_counts_zero_and_sums_nothing(project):
    read = facts.read_all(Project.objects.get(pk=project.pk))
    assert read["households"] == read["hazards"] == read["subsidies_unpaid"] == 0
    assert read["households_area"] is None  # as Sum() over no row
    assert read["firm_selected"] is False


def test_what_the_page_read_is_kept_on_its_instance_and_nowhere_else(
    project, django_assert_num_queries
):
    page = Project.objects.get(pk=project.pk)
    facts.read_all(page)
    HouseholdFactory(project=project)
    with django_assert_num_queries(0):
        assert facts.value(page, "households") == 0  # the page's one read
    other = Project.objects.get(pk=project.pk)
    with django_assert_num_queries(1):
        assert facts.values(other, "households", "households_signed") == (1, 0)
    with django_assert_num_queries(1):  # nothing kept: a service asking again sees its write
        assert facts.value(other, "households") == 1
