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
    staff(Section.LEADER, username="2147480000", name="乙")  # the first marker's own digits

    @CompiledValues
    def named(username: str, low: int):
        return User.objects.filter(username=username, pk__gte=low).values("name")

    assert named("clerk-7", first.pk) == [{"name": "甲"}]
    assert named("2147480000", first.pk) == [{"name": "乙"}]
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
