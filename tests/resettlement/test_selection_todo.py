"""A published order with its selection day today or within the week is on the to-do list of
业务科 and the project's district office, not of another district or section."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Section
from tests.auth import login
from tests.factories import district_user, staff
from tests.resettlement.selection_helpers import published_round, swap_project

pytestmark = pytest.mark.django_db


def todo_page(client, username):
    login(client, username)
    text = client.get(reverse("core:todo_list")).content.decode()
    client.logout()
    return text


def test_a_selection_day_within_the_week_is_on_the_desk_staffs_list(
    client, district, other_district
):
    project = swap_project(district)
    clerk = staff(Section.OPERATIONS, username="desk", name="叫号员")
    today = timezone.localdate()
    selection_round = published_round(project, clerk, selection_on=today + timedelta(days=7))
    district_user(district, username="district-desk")
    district_user(other_district, username="elsewhere")
    staff(Section.FINANCE, username="finance-clerk")
    url = reverse("resettlement:selection_round", args=[selection_round.pk])

    for username in ("desk", "district-desk"):
        text = todo_page(client, username)
        assert "即将选房" in text and url in text
    for username in ("elsewhere", "finance-clerk"):
        assert url not in todo_page(client, username)

    selection_round.selection_on = today + timedelta(days=8)
    selection_round.save(update_fields=["selection_on"])
    assert url not in todo_page(client, "desk")

    selection_round.selection_on = today
    selection_round.save(update_fields=["selection_on"])
    assert "今日选房" in todo_page(client, "desk")
