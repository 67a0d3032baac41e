"""core.db.postgresql: the per-request health check asks the server only when the
connection's socket says something happened."""

import tempfile
from datetime import date

import pytest
from django.db import close_old_connections, connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoDatabaseWrapper
from django.urls import reverse

from tests.factories import HouseholdFactory, ProjectFactory


def _protocol_messages(action) -> str:
    """What libpq sent and received on the connection while `action` ran (its trace)."""
    pgconn = connection.connection.pgconn
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        try:
            action()
        finally:
            pgconn.untrace()
        trace.seek(0)
        return trace.read()


def _assert_usable():
    assert connection.is_usable() is True


@pytest.mark.django_db(transaction=True)
def test_a_quiet_idle_connection_is_healthy_without_a_round_trip():
    connection.ensure_connection()
    assert type(connections["default"]).__module__ == "core.db.postgresql.base"
    assert _protocol_messages(_assert_usable) == ""
    # The trace does show a round trip: Django's own check sends its SELECT 1.
    assert "SELECT 1" in _protocol_messages(lambda: DjangoDatabaseWrapper.is_usable(connection))


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_replaced_before_the_next_page_reads(client, district):
    project = ProjectFactory(district=district, started_on=date(2022, 3, 1))
    household = HouseholdFactory(project=project, code="B-7")
    connection.ensure_connection()
    ended = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            # Waits (up to 10 s) until the backend has gone: its socket is closed by then.
            cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [ended])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()
    assert connection.is_usable() is False

    close_old_connections()  # what every request starts with: the check runs again
    answer = {"project": project.pk, "code": "B-7", "id_tail": household.id_number[-6:]}
    response = client.post(reverse("public:lookup"), answer)
    assert response.status_code == 302
    assert response["Location"] == reverse("public:lookup_result")
    assert connection.connection.info.backend_pid != ended


@pytest.mark.django_db(transaction=True)
def test_a_connection_inside_a_transaction_or_after_an_error_is_asked():
    connection.ensure_connection()
    connection.errors_occurred = True
    try:
        assert "SELECT 1" in _protocol_messages(connection.is_usable)
    finally:
        connection.errors_occurred = False
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 2")
        assert "SELECT 1" in _protocol_messages(connection.is_usable)
    finally:
        connection.rollback()
        connection.set_autocommit(True)
