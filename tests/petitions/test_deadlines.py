"""The statutory clocks of a case, computed by the deadline engine with Chinese day counting."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from petitions import deadlines, services
from petitions.models import Status
from tests.petitions.factories import TODAY, accepted, leader_user, register, replied

pytestmark = pytest.mark.django_db


def test_acceptance_is_due_15_days_after_receipt_rolled_past_national_day(office_user, district):
    petition = register(by=office_user, district=district, received_on=date(2022, 9, 20)).petition
    clock = deadlines.current_clock(petition)
    # 9-20 + 15 days = 10-05, a National Day holiday; the next working day is the make-up
    # working Saturday 10-08.
    assert clock.kind == "信访受理期限"
    assert clock.due == date(2022, 10, 8)
    assert "自收到信访事项之日起15日内" in clock.deadline.explanation[0]
    assert any("国庆节调休上班日" in line for line in clock.deadline.explanation)


def test_the_reply_is_due_60_days_after_acceptance(office_user, district):
    petition = accepted(by=office_user, district=district, accepted_on=date(2022, 3, 1))
    clock = deadlines.current_clock(petition)
    # 3-01 + 60 days = 4-30, in the Labour Day holiday (4-30 to 5-04): due 5-05.
    assert (clock.kind, clock.due) == ("信访答复期限", date(2022, 5, 5))


def test_an_extension_adds_its_days_to_the_reply_period(office_user, district):
    leader = leader_user()
    petition = accepted(by=office_user, district=district, accepted_on=date(2022, 3, 1))
    services.extend_petition(
        petition=petition,
        by=leader,
        on=date(2022, 4, 20),
        days=30,
        reason="需现场复测面积",
        today=TODAY,
    )
    petition.refresh_from_db()
    deadline = deadlines.reply_deadline(petition)
    assert deadline.due == date(2022, 5, 30)  # 3-01 + 90 days, a Monday
    assert "经批准延长30日（延期理由：需现场复测面积），合计90日" in deadline.explanation[0]


def test_a_review_request_window_runs_30_days_from_the_reply(office_user, district):
    petition = replied(by=office_user, district=district, replied_on=date(2022, 4, 1))
    clock = deadlines.current_clock(petition)
    # 4-01 + 30 days = 5-01, Labour Day: the window stays open until 5-05.
    assert clock.kind == "请求复查期限"
    assert clock.due == date(2022, 5, 5)
    assert clock.office_must_act is False


def test_the_review_and_the_recheck_are_each_answered_within_30_days(office_user, district):
    petition = replied(by=office_user, district=district, replied_on=date(2022, 4, 1))
    services.request_review(petition=petition, by=office_user, on=date(2022, 4, 20), today=TODAY)
    petition.refresh_from_db()
    assert deadlines.current_clock(petition).due == date(2022, 5, 20)  # a Friday
    services.record_review(
        petition=petition, by=office_user, on=date(2022, 5, 10), outcome="upheld", today=TODAY
    )
    petition.refresh_from_db()
    assert deadlines.current_clock(petition).kind == "请求复核期限"
    assert deadlines.current_clock(petition).due == date(2022, 6, 9)
    services.request_recheck(
        petition=petition,
        by=office_user,
        on=date(2022, 6, 1),
        body="邵阳市人民政府",
        today=TODAY,
    )
    petition.refresh_from_db()
    clock = deadlines.current_clock(petition)
    # 6-01 + 30 days = 7-01, a Friday.
    assert (clock.kind, clock.due) == ("复核答复期限", date(2022, 7, 1))


def test_lengths_are_settings(office_user, district, settings):
    settings.PETITION_REPLY_DAYS = 30
    petition = accepted(by=office_user, district=district, accepted_on=date(2022, 3, 1))
    assert deadlines.reply_deadline(petition).due == date(2022, 3, 31)


def test_a_decided_or_closed_case_has_no_running_clock(office_user, district):
    petition = register(by=office_user, district=district).petition
    services.decline_petition(
        petition=petition,
        by=office_user,
        on=date(2022, 3, 5),
        reason="不属于本机关职责范围",
        today=TODAY,
    )
    petition.refresh_from_db()
    assert petition.status == Status.NOT_ACCEPTED
    assert deadlines.current_clock(petition) is None


def test_an_extension_is_refused_once_the_reply_period_has_run_out(office_user, district):
    petition = accepted(by=office_user, district=district, accepted_on=date(2022, 3, 1))
    with pytest.raises(ValidationError, match="已于2022-05-05届满"):
        services.extend_petition(
            petition=petition,
            by=leader_user(),
            on=date(2022, 5, 6),
            days=10,
            reason="复杂",
            today=TODAY,
        )


def test_a_review_request_after_its_window_is_refused(office_user, district):
    petition = replied(by=office_user, district=district, replied_on=date(2022, 4, 1))
    late = date(2022, 5, 5) + timedelta(days=1)
    with pytest.raises(ValidationError, match="请求复查的期限已于2022-05-05届满"):
        services.request_review(petition=petition, by=office_user, on=late, today=TODAY)


def test_replied_on_time_compares_the_reply_with_its_deadline(office_user, district):
    on_time = replied(
        by=office_user, district=district, accepted_on=date(2022, 3, 1), replied_on=date(2022, 5, 5)
    )
    late = replied(
        by=office_user, district=district, accepted_on=date(2022, 3, 1), replied_on=date(2022, 5, 6)
    )
    assert deadlines.replied_on_time(on_time) is True
    assert deadlines.replied_on_time(late) is False
