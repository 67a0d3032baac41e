"""core.sessions: one statement per session write, asynchronous commit outside a transaction."""

from datetime import date

import pytest
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.sessions import SessionStore
from tests.factories import HouseholdFactory, ProjectFactory


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_lookup_outside_a_transaction_writes_its_row_with_an_asynchronous_commit(
    client, district
):
    project = ProjectFactory(district=district, started_on=date(2022, 3, 1))
    household = HouseholdFactory(project=project, code="A-1")
    answer = {"project": project.pk, "code": "A-1", "id_tail": household.id_number[-6:]}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("public:lookup"), answer)
    assert response["Location"] == reverse("public:lookup_result")
    [insert] = _session_writes(queries)
    assert insert.startswith("INSERT") and "set_config('synchronous_commit', 'off', true)" in insert
    # The row is there, committed, and carries the look-up.
    assert Session.objects.filter(session_key=client.session.session_key).exists()
    assert household.code in client.get(reverse("public:lookup_result")).content.decode()
    # The setting was the statement's own: the connection is back to synchronous commits.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


@pytest.mark.django_db(transaction=True)
def test_a_changed_session_is_updated_in_one_statement_and_read_back():
    store = SessionStore()
    store["step"] = 1
    store.save()
    store["step"] = 2
    with CaptureQueriesContext(connection) as queries:
        store.save()
    [update] = _session_writes(queries)
    assert update.startswith("UPDATE") and "synchronous_commit" in update
    assert SessionStore(session_key=store.session_key).load() == {"step": 2}


@pytest.mark.django_db
def test_inside_a_transaction_a_session_write_commits_with_it():
    store = SessionStore()
    store["step"] = 1
    with CaptureQueriesContext(connection) as queries:
        store.save()
    [insert] = _session_writes(queries)
    assert "synchronous_commit" not in insert  # the enclosing transaction decides
    assert SessionStore(session_key=store.session_key).load() == {"step": 1}


def test_new_keys_are_32_characters_each_uniform_over_a_to_z_and_0_to_9():
    keys = [SessionStore()._get_new_session_key() for _ in range(3000)]
    assert len(set(keys)) == len(keys)
    assert {len(key) for key in keys} == {32}
    # Every character turns up in the first and in the last place (about 83 times each).
    for place in (0, 31):
        assert {key[place] for key in keys} == set(VALID_KEY_CHARS)
