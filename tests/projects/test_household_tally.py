"""The households' tally (HouseholdTally) that the dashboard's figures add up: PostgreSQL's
triggers keep it equal to the households, grouped by project, year registered and year signed,
whatever writes them: a save, bulk_create, update(), delete(), a move to another project."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, ExtractYear

from projects import figures, imports
from projects.models import Household, HouseholdTally
from tests.factories import HouseholdFactory, ProjectFactory

pytestmark = pytest.mark.django_db  # on PostgreSQL, whose triggers keep the tally


def _tally() -> dict[tuple, tuple]:
    return {
        (row.project_id, row.registered_year, row.signed_year): (row.households, row.area)
        for row in HouseholdTally.objects.all()
    }


def _counted() -> dict[tuple, tuple]:
    """The same groups counted from the households themselves."""
    rows = (
        Household.objects.annotate(
            registered=ExtractYear("registered_on"), signed=Coalesce(ExtractYear("signed_on"), 0)
        )
        .values("project_id", "registered", "signed")
        .annotate(households=Count("*"), area=Sum("area"))
        .order_by()
    )
    return {
        (row["project_id"], row["registered"], row["signed"]): (row["households"], row["area"])
        for row in rows
    }


def test_the_tally_follows_every_kind_of_write(district):
    first, second = ProjectFactory(district=district), ProjectFactory(district=district)
    saved = HouseholdFactory(project=first, area="100.00", registered_on=date(2021, 5, 1))
    Household.objects.bulk_create(
        HouseholdFactory.build(project=second, area="50.25", registered_on=date(2022, 1, 1))
        for _ in range(3)
    )
    assert _tally() == _counted()
    assert _tally()[(second.pk, 2022, 0)] == (3, Decimal("150.75"))

    saved.signed_on, saved.method = date(2022, 6, 1), "monetary"
    saved.save(update_fields=["signed_on", "method"])
    assert (
        _tally()
        == _counted()
        == {
            (first.pk, 2021, 2022): (1, Decimal("100.00")),
            (second.pk, 2022, 0): (3, Decimal("150.75")),
        }
    )

    Household.objects.filter(project=second).update(area=Decimal("60.00"))
    Household.objects.filter(project=second).update(phone="13900000000")  # moves nothing
    moved = Household.objects.filter(project=second).first()
    moved.project, moved.registered_on = first, date(2020, 3, 1)
    moved.save()
    assert _tally() == _counted()
    assert _tally()[(second.pk, 2022, 0)] == (2, Decimal("120.00"))
    assert _tally()[(first.pk, 2020, 0)] == (1, Decimal("60.00"))

    Household.objects.filter(project=second).delete()
    saved.delete()
    # A group left without households goes.
    assert _tally() == _counted() == {(first.pk, 2020, 0): (1, Decimal("60.00"))}


def test_the_years_figures_read_from_the_tally_match_the_households(district, office_user):
    project = ProjectFactory(district=district, started_on=date(2021, 1, 1))
    Household.objects.bulk_create(
        [
            *HouseholdFactory.build_batch(2, project=project, registered_on=date(2021, 4, 1)),
            *HouseholdFactory.build_batch(
                3,
                project=project,
                registered_on=date(2022, 12, 31),
                signed_on=date(2022, 12, 31),
                method="monetary",
            ),
            *HouseholdFactory.build_batch(
                1,
                project=project,
                registered_on=date(2022, 2, 1),
                signed_on=date(2023, 1, 1),
                method="monetary",
            ),
            *HouseholdFactory.build_batch(4, project=project, registered_on=date(2023, 1, 1)),
        ]
    )
    Household.objects.filter(project=project).update(area=Decimal("10.50"))

    (row,) = figures.project_progress(2022, user=office_user)

    # Registered by the end of 2022: 2 + 3 + 1; signed by then: the 3 of 31 December.
    assert (row.households, row.signed) == (6, 3)
    assert (row.area, row.signed_area) == (Decimal("63.00"), Decimal("31.50"))


@pytest.mark.django_db(transaction=True)
def test_the_tally_survives_the_test_runners_flush(district):
    """A transactional test ends with TRUNCATE of every table in one statement, which the
    households' TRUNCATE trigger must not refuse; the tally is emptied with them."""
    HouseholdFactory(project=ProjectFactory(district=district), registered_on=date(2022, 1, 1))
    assert _tally() == _counted()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE projects_household, projects_householdtally CASCADE")
    assert _tally() == {}


def test_households_imported_with_copy_are_in_the_tally(district):
    """The import writes with PostgreSQL's COPY, which fires the insert trigger too."""
    project = ProjectFactory(district=district)
    records = [
        {
            "code": household.code,
            "head_name": household.head_name,
            "id_number": household.id_number,
            "phone": household.phone,
            "address": household.address,
            "use": household.use,
            "area": "75.50",
        }
        for household in HouseholdFactory.build_batch(4, project=project)
    ]

    with transaction.atomic():
        assert imports.save_households(project=project, records=records, by=None) == 4

    assert _tally() == _counted()
    assert sum(households for households, _area in _tally().values()) == 4
