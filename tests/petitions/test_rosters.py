"""Duty rosters: office staff arrange who is on duty when; printable and exported to .xlsx."""

from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.roles import Section
from petitions import services
from petitions.models import DutyRoster, DutyShift
from tests.auth import login
from tests.factories import staff
from tests.petitions.factories import leader_user

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 8, minute: int = 30) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def roster(office_user):
    return services.create_roster(
        by=office_user,
        title="国庆期间24小时值班表",
        kind=DutyRoster.Kind.SPECIAL,
        starts_on=date(2022, 10, 1),
        ends_on=date(2022, 10, 3),
        is_round_the_clock=True,
        phone="0739-1234567",
        note="值班人员不得离岗。",
    )


@pytest.fixture
def leader(db):
    return leader_user(phone="13907390001")


def test_office_staff_arrange_round_the_clock_duty(roster, office_user, leader):
    start = at(date(2022, 10, 1))
    services.add_shift(
        roster=roster,
        by=office_user,
        person=leader,
        role=DutyShift.Role.LEADER,
        starts_at=start,
        ends_at=start + timedelta(days=1),
    )
    services.add_shift(
        roster=roster,
        by=office_user,
        person=office_user,
        role=DutyShift.Role.STAFF,
        starts_at=start,
        ends_at=start + timedelta(days=1),
    )
    assert roster.shifts.count() == 2


def test_a_person_is_not_on_duty_twice_at_once(roster, office_user, leader):
    start = at(date(2022, 10, 1))
    services.add_shift(
        roster=roster,
        by=office_user,
        person=leader,
        role=DutyShift.Role.LEADER,
        starts_at=start,
        ends_at=start + timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="已有值班安排"):
        services.add_shift(
            roster=roster,
            by=office_user,
            person=leader,
            role=DutyShift.Role.STAFF,
            starts_at=start + timedelta(hours=12),
            ends_at=start + timedelta(days=1, hours=12),
        )


def test_shifts_start_within_the_roster_and_end_after_they_start(roster, office_user, leader):
    with pytest.raises(ValidationError, match="起止日期内"):
        services.add_shift(
            roster=roster,
            by=office_user,
            person=leader,
            role=DutyShift.Role.LEADER,
            starts_at=at(date(2022, 10, 5)),
            ends_at=at(date(2022, 10, 6)),
        )
    with pytest.raises(ValidationError, match="结束时间须晚于开始时间"):
        services.add_shift(
            roster=roster,
            by=office_user,
            person=leader,
            role=DutyShift.Role.LEADER,
            starts_at=at(date(2022, 10, 2)),
            ends_at=at(date(2022, 10, 2)),
        )


def test_district_users_are_not_put_on_the_offices_duty(roster, office_user, district_member):
    with pytest.raises(ValidationError, match="市征收办在职工作人员"):
        services.add_shift(
            roster=roster,
            by=office_user,
            person=district_member,
            role=DutyShift.Role.STAFF,
            starts_at=at(date(2022, 10, 1)),
            ends_at=at(date(2022, 10, 2)),
        )


def test_the_roster_page_adds_shifts_and_prints(client, roster, office_user, leader):
    login(client, "clerk")
    response = client.post(
        reverse("petitions:shift_add", args=[roster.pk]),
        {
            "person": leader.pk,
            "role": "leader",
            "starts_at": "2022-10-01T08:30",
            "ends_at": "2022-10-02T08:30",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "已添加值班安排" in html
    assert "国庆期间24小时值班表" in html
    assert "（24小时值班）" in html
    assert "周领导" in html and "13907390001" in html
    assert "10月1日 08:30 — 10月2日 08:30" in html


def test_the_roster_exports_to_a_workbook(client, roster, office_user, leader):
    start = at(date(2022, 10, 1))
    services.add_shift(
        roster=roster,
        by=office_user,
        person=leader,
        role=DutyShift.Role.LEADER,
        starts_at=start,
        ends_at=start + timedelta(days=1),
    )
    login(client, "clerk")
    response = client.get(reverse("petitions:roster_export", args=[roster.pk]))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "国庆期间24小时值班表"
    assert "2022年10月1日至2022年10月3日（24小时值班）" in rows[1][0]
    assert rows[2] == ("日期", "星期", "开始时间", "结束时间", "职责", "值班人", "联系电话")
    assert rows[3][0] == datetime(2022, 10, 1)
    assert rows[3][1:] == (
        "星期六",
        datetime(2022, 10, 1, 8, 30),
        datetime(2022, 10, 2, 8, 30),
        "带班领导",
        "周领导",
        "13907390001",
    )


def test_rosters_are_for_office_staff_only(client, roster, district_member, outsider):
    urls = [
        reverse("petitions:roster_list"),
        reverse("petitions:roster_create"),
        reverse("petitions:roster_detail", args=[roster.pk]),
        reverse("petitions:roster_edit", args=[roster.pk]),
        reverse("petitions:roster_export", args=[roster.pk]),
    ]
    for url in urls:
        assert client.get(url)["Location"].startswith(reverse("login"))
    login(client, "outsider")
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(reverse("petitions:shift_add", args=[roster.pk])).status_code == 403


def test_staff_create_a_roster_from_the_form(client, office_user):
    staff(Section.SECRETARIAT, username="secretary")
    login(client, "clerk")
    response = client.post(
        reverse("petitions:roster_create"),
        {
            "title": "2023年春节值班表",
            "kind": "ordinary",
            "starts_on": "2023-01-21",
            "ends_on": "2023-01-20",
            "phone": "",
            "note": "",
        },
    )
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not DutyRoster.objects.exists()
