import pytest
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from core.compiled import CompiledValues, logged_sql
from core.models import District, User
from core.roles import Section
from tests.factories import staff

pytestmark = pytest.mark.django_db


def test_the_sql_written_once_runs_with_each_calls_values_as_values_would():
    first = staff(Section.FINANCE, username="first", name="甲")
    second = staff(Section.LEADER, username="second", name="乙")

    @CompiledValues
    def users_between(low: int, high: int):
        return (
            User.objects.filter(pk__gte=low, pk__lte=high, is_active=True)
            .order_by("pk")
            .values("pk", "username", "name", "date_joined")
        )

    for low, high in [(first.pk, first.pk), (first.pk, second.pk), (second.pk + 1, second.pk + 9)]:
        expected = list(
            User.objects.filter(pk__gte=low, pk__lte=high, is_active=True)
            .order_by("pk")
            .values("pk", "username", "name", "date_joined")
        )
        assert users_between(low, high) == expected
    assert [row["name"] for row in users_between(first.pk, second.pk)] == ["甲", "乙"]


def test_a_parameter_that_does_not_reach_the_sql_as_itself_is_refused():
    @CompiledValues
    def districts_named_like(code: int):
        return District.objects.filter(code__contains=code).values("pk")

    with pytest.raises(ValueError, match="did not reach the SQL"):
        districts_named_like(1)


def test_columns_come_through_their_fields_converters(project):
    from projects.models import HouseholdImport

    errors = [{"row": 5, "column": "身份证号码", "message": "校验位不对"}]
    upload = HouseholdImport.objects.create(
        project=project, original_name="户表.xlsx", status="failed", errors=errors
    )

    @CompiledValues
    def import_errors(pk: int):
        return HouseholdImport.objects.filter(pk=pk).values("errors", "row_count")

    assert import_errors(upload.pk) == [{"errors": errors, "row_count": 0}]


def test_a_text_parameter_takes_the_place_of_its_markers_digits():
    first = staff(Section.FINANCE, username="clerk-7", name="甲")
    staff(Section.LEADER, username="30000", name="乙")  # the first marker's own digits

    @CompiledValues
    def named(username: str, low: int):
        return User.objects.filter(username=username, pk__gte=low).values("name")

    assert named("clerk-7", first.pk) == [{"name": "甲"}]
    assert named("30000", first.pk) == [{"name": "乙"}]
    assert named("clerk-7", first.pk + 1) == []
    assert named("nobody", first.pk) == []


def _prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_postgresql_plans_it_once_per_connection_and_each_call_executes_it():
    clerk = staff(Section.FINANCE, username="clerk-9", name="丙")

    @CompiledValues
    def named(username: str):
        return User.objects.filter(username=username).values("name")

    with CaptureQueriesContext(connection) as first:
        assert named("clerk-9") == [{"name": "丙"}]
    with CaptureQueriesContext(connection) as second:
        assert named("nobody") == []
    statement = named._statement
    assert statement in _prepared_statements()
    # Each call is one query, the EXECUTE of the statement with its values; the PREPARE is
    # the connection's setup, not a query of the request.
    assert [q["sql"] for q in first] == [f"EXECUTE {statement}('clerk-9')"]
    assert [q["sql"] for q in second] == [f"EXECUTE {statement}('nobody')"]
    # A query log's reader gets the statement's SQL back.
    assert logged_sql(second[0]["sql"]).startswith('SELECT "core_user"."name"')
    assert logged_sql(second[0]["sql"]).endswith('WHERE "core_user"."username" = $1')
    assert logged_sql("SELECT 1") == "SELECT 1"

    # A rolled-back transaction keeps it; a new connection prepares it again.
    with pytest.raises(RuntimeError), transaction.atomic():
        assert named("clerk-9") == [{"name": "丙"}]
        raise RuntimeError
    assert named("clerk-9") == [{"name": clerk.name}]
    connection.close()
    assert named("clerk-9") == [{"name": "丙"}]
    assert statement in _prepared_statements()


def test_a_literal_percent_sign_in_the_sql_survives_the_prepare():
    first = staff(Section.FINANCE, username="clerk-3", name="丁")

    @CompiledValues
    def with_percent(pk: int):
        return (
            User.objects.filter(pk=pk).annotate(share=RawSQL("'100%%'", ())).values("name", "share")
        )

    assert with_percent(first.pk) == [{"name": "丁", "share": "100%"}]


def test_dates_datetimes_and_small_integers_take_their_markers_places(project):
    from datetime import date, timedelta

    from django.utils import timezone

    from projects.models import HouseholdTally, Project
    from tests.factories import HouseholdFactory

    started = date(2022, 3, 1)
    Project.objects.filter(pk=project.pk).update(started_on=started)

    HouseholdFactory(
        project=project,
        registered_on=date(2022, 12, 31),
        signed_on=date(2023, 1, 1),
        method="monetary",
    )
    HouseholdFactory(project=project, registered_on=date(2023, 1, 1))

    @CompiledValues
    def registered_between(first: date, last: date, year: int):
        # registered_year is a small integer: a marker out of its range would drop it.
        return (
            HouseholdTally.objects.filter(
                project__started_on__range=(first, last), registered_year__lte=year
            )
            .order_by("registered_year")
            .values("registered_year", "signed_year", "households")
        )

    assert registered_between(started, started, 2022) == [
        {"registered_year": 2022, "signed_year": 2023, "households": 1}
    ]
    assert [row["registered_year"] for row in registered_between(started, started, 2023)] == [
        2022,
        2023,
    ]
    # The window's last day counts (a range is inclusive); a day after it does not.
    assert registered_between(started + timedelta(days=1), started, 2023) == []
    assert len(registered_between(started - timedelta(days=1), started, 2023)) == 2

    @CompiledValues
    def joined_before(moment):
        return User.objects.filter(date_joined__lt=moment).values("username")

    clerk = staff(Section.FINANCE, username="clerk-1", name="戊")
    assert joined_before(clerk.date_joined) == []
    assert joined_before(clerk.date_joined + timedelta(microseconds=1)) == [{"username": "clerk-1"}]
    assert joined_before(timezone.now() + timedelta(days=1)) == [{"username": "clerk-1"}]


def test_a_shape_picks_its_own_sql_and_a_value_that_changes_the_sql_is_refused():
    first = staff(Section.FINANCE, username="clerk-5", name="己")
    staff(Section.LEADER, username="clerk-6", name="庚")

    @CompiledValues
    def users(*pk: int, ordering: str):
        found = User.objects.filter(pk__in=pk) if pk else User.objects.all()
        return found.order_by(ordering).values("name")

    assert users(ordering="username") == [{"name": "己"}, {"name": "庚"}]
    assert users(ordering="-username") == [{"name": "庚"}, {"name": "己"}]
    assert users(first.pk, ordering="username") == [{"name": "己"}]
    assert len(users._compiled) == 3

    @CompiledValues
    def by_parity(number: int):
        # The value chooses the SQL: not a parameter of one query.
        found = User.objects.filter(pk=number) if number > 30_500 else User.objects.all()
        return found.values("name")

    with pytest.raises(ValueError, match="the SQL changes with the parameters"):
        by_parity(1)


def test_a_slice_reads_the_rows_a_sliced_queryset_reads_with_its_bounds_as_parameters():
    import functools

    from django.core.paginator import Paginator

    from core.compiled import CompiledRows

    first = min(staff(Section.FINANCE, username=f"page-{n}", name=f"人{n}").pk for n in range(7))

    @CompiledValues
    def users(low: int):
        return User.objects.filter(pk__gte=low).order_by("username").values("name")

    everyone = users(first)
    assert len(everyone) == 7
    for offset, limit in [(0, 3), (3, 3), (6, 3), (7, 3), (0, 0), (2, 100)]:
        assert users(first, limit=limit, offset=offset) == everyone[offset : offset + limit]
    assert users._compiled and len({c.statement for c in users._compiled.values()}) == 2

    paginator = Paginator(CompiledRows(7, functools.partial(users, first)), 3)
    assert [row["name"] for row in paginator.page(3).object_list] == ["人6"]
    assert paginator.num_pages == 3

    @CompiledValues
    def unordered(low: int):
        return User.objects.filter(pk__gte=low).order_by().values("name")

    with pytest.raises(ValueError, match="ordered, unsliced"):
        unordered(first, limit=3)
    with pytest.raises(ValueError, match="negative"):
        users(first, limit=-1)
