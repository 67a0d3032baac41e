"""The early-signing clock (compensation.clocks): listed and counted while its project still has
an unsigned household, its title giving their number; once every household has signed, it is
neither listed nor counted, on the deadlines page as on the dashboard's cards. The clock is not
rewritten when a household signs: the condition is read with the rows."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from compensation.clocks import EARLY_SIGNING
from core import due
from petitions.clocks import KINDS as PETITION_KINDS
from projects.models import Household
from tests.auth import login
from tests.compensation.factories import approve_plan
from tests.factories import HouseholdFactory
from tests.petitions.factories import register

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2099, 1, 2)  # the incentive ends on 10 January: within the cards' 30 days
SIGNED = {"signed_on": date(2022, 6, 1), "method": Household.Method.MONETARY}


@pytest.fixture
def signing_project(project):
    approve_plan(project, early_signing_deadline=date(2099, 1, 10))
    HouseholdFactory(project=project)
    HouseholdFactory(project=project)
    project.stage = "signing"
    project.save(update_fields=["stage"])
    return project


def _read(user) -> dict:
    """What the deadlines page lists and what the dashboard's cards count, on TODAY."""
    until = date(2099, 1, 31)
    with time_machine.travel(datetime(2099, 1, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        cards = {panel.title: panel.value for panel in due.card_panels(year=2099, user=user)}
    return {
        "titles": [
            due.title(row)
            for row in due.listed(user, today=TODAY, until=until)
            if row.kind == EARLY_SIGNING
        ],
        "early signing titles": [
            due.title(row)
            for row in due.listed(user, today=TODAY, until=until, kinds=iter([EARLY_SIGNING]))
        ],
        "counted": due.shown(user, today=TODAY, until=until).count(),
        "petition rows": due.listed(user, today=TODAY, until=until, kinds=PETITION_KINDS).count(),
        "cards": cards,
    }


def test_the_early_signing_clock_counts_while_a_household_is_unsigned(
    signing_project, office_user, district
):
    register(by=office_user, district=district)  # a case of 2022: overdue by 2099
    assert _read(office_user) == {
        "titles": ["六岭棚改（尚有2户未签约）"],
        "early signing titles": ["六岭棚改（尚有2户未签约）"],
        "counted": 2,
        "petition rows": 1,
        "cards": {"已逾期事项": 1, "即将到期事项": 1, "信访件到期提醒": 1},
    }

    Household.objects.filter(pk=signing_project.households.first().pk).update(**SIGNED)
    assert _read(office_user)["titles"] == ["六岭棚改（尚有1户未签约）"]

    # Every household has signed: the incentive has nobody left to reach.
    Household.objects.filter(project=signing_project).update(**SIGNED)
    assert _read(office_user) == {
        "titles": [],
        "early signing titles": [],
        "counted": 1,
        "petition rows": 1,
        "cards": {"已逾期事项": 1, "即将到期事项": 0, "信访件到期提醒": 1},
    }


def test_a_district_user_counts_only_their_districts_clocks(
    signing_project, district_member, outsider
):
    assert _read(district_member)["cards"]["即将到期事项"] == 1
    assert _read(outsider)["cards"]["即将到期事项"] == 0
    assert _read(outsider)["titles"] == []


def test_the_liaisons_home_page_and_to_do_list_give_the_unsigned_households_number(
    client, project, office_user
):
    today = timezone.localdate()
    project.liaison = office_user
    project.save(update_fields=["liaison"])
    HouseholdFactory(project=project)
    HouseholdFactory(project=project)
    approve_plan(project, early_signing_deadline=today + timedelta(days=7))
    project.stage = "signing"
    project.save(update_fields=["stage"])
    call_command("recompute_due_dates", stdout=StringIO())
    login(client, "clerk")
    for name in ("core:home", "core:todo_list"):
        assert "六岭棚改（尚有2户未签约）" in client.get(reverse(name)).content.decode()
    Household.objects.filter(pk=project.households.first().pk).update(**SIGNED)
    for name in ("core:home", "core:todo_list"):
        assert "六岭棚改（尚有1户未签约）" in client.get(reverse(name)).content.decode()
