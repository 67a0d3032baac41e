"""The state machine of a case: what each step needs, what it records, what it refuses."""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from petitions import services
from petitions.models import Channel, Petition, PetitionStep, Status
from tests.factories import HouseholdFactory, district_user
from tests.petitions.factories import (
    TODAY,
    accepted,
    leader_user,
    petitioner,
    register,
    replied,
)

pytestmark = pytest.mark.django_db


def test_a_reply_before_acceptance_is_refused(office_user, district):
    petition = register(by=office_user, district=district).petition
    with pytest.raises(ValidationError, match="尚未受理，不能答复"):
        services.reply_to_petition(
            petition=petition,
            by=office_user,
            on=date(2022, 3, 5),
            number="1号",
            findings="略",
            opinion="略",
            review_body="市住建局",
            today=TODAY,
        )
    petition.refresh_from_db()
    assert petition.status == Status.REGISTERED
    assert petition.replied_on is None


def test_the_database_refuses_a_reply_date_without_acceptance(office_user, district):
    petition = register(by=office_user, district=district).petition
    with pytest.raises(IntegrityError), transaction.atomic():
        Petition.objects.filter(pk=petition.pk).update(replied_on=date(2022, 3, 9))


def test_the_reply_period_is_extended_only_once(office_user, district):
    leader = leader_user()
    petition = accepted(by=office_user, district=district)
    services.extend_petition(
        petition=petition, by=leader, on=date(2022, 4, 1), days=20, reason="情况复杂", today=TODAY
    )
    with pytest.raises(ValidationError, match="只能延长一次"):
        services.extend_petition(
            petition=petition, by=leader, on=date(2022, 4, 2), days=10, reason="再延", today=TODAY
        )
    petition.refresh_from_db()
    assert petition.extension_days == 20


def test_an_extension_needs_a_leader_a_reason_and_at_most_30_days(office_user, district):
    petition = accepted(by=office_user, district=district)
    with pytest.raises(PermissionDenied):
        services.extend_petition(
            petition=petition,
            by=office_user,
            on=date(2022, 4, 1),
            days=10,
            reason="复杂",
            today=TODAY,
        )
    leader = leader_user()
    with pytest.raises(ValidationError, match="1至30日"):
        services.extend_petition(
            petition=petition, by=leader, on=date(2022, 4, 1), days=31, reason="复杂", today=TODAY
        )
    with pytest.raises(ValidationError, match="延期理由"):
        services.extend_petition(
            petition=petition, by=leader, on=date(2022, 4, 1), days=10, reason=" ", today=TODAY
        )


def test_every_step_is_recorded_with_who_when_and_the_document(office_user, district):
    petition = register(by=office_user, district=district).petition
    scan = SimpleUploadedFile("受理告知书.pdf", b"%PDF-1.4 notice", "application/pdf")
    services.accept_petition(
        petition=petition,
        by=office_user,
        on=date(2022, 3, 3),
        file=scan,
        number="邵征信受〔2022〕1号",
        today=TODAY,
    )
    step = petition.steps.get(kind=PetitionStep.Kind.ACCEPTED)
    assert (step.by, step.on) == (office_user, date(2022, 3, 3))
    assert step.at is not None
    assert step.document.number == "邵征信受〔2022〕1号"
    assert step.document.kind == "decision"
    assert step.document.file.read() == b"%PDF-1.4 notice"
    kinds = list(petition.steps.values_list("kind", flat=True))
    assert kinds == ["registered", "accepted"]
    assert petition.history.count() == 2  # registration, acceptance


def test_a_case_runs_through_reply_review_and_recheck_to_its_end(office_user, district):
    petition = replied(by=office_user, district=district, replied_on=date(2022, 4, 1))
    services.request_review(petition=petition, by=office_user, on=date(2022, 4, 10), today=TODAY)
    services.record_review(
        petition=petition, by=office_user, on=date(2022, 5, 1), outcome="upheld", today=TODAY
    )
    services.request_recheck(
        petition=petition, by=office_user, on=date(2022, 5, 10), body="邵阳市人民政府", today=TODAY
    )
    services.record_recheck(
        petition=petition, by=office_user, on=date(2022, 6, 1), outcome="upheld", today=TODAY
    )
    services.close_petition(petition=petition, by=office_user, on=date(2022, 6, 2), today=TODAY)
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED
    assert petition.is_final
    assert petition.review_body == "邵阳市住房和城乡建设局"
    assert list(petition.steps.values_list("kind", flat=True)) == [
        "registered",
        "accepted",
        "replied",
        "review_requested",
        "reviewed",
        "recheck_requested",
        "rechecked",
        "closed",
    ]


def test_after_the_recheck_the_same_request_is_not_taken_again(office_user, district):
    original = replied(by=office_user, district=district, replied_on=date(2022, 4, 1))
    services.request_review(petition=original, by=office_user, on=date(2022, 4, 10), today=TODAY)
    services.record_review(
        petition=original, by=office_user, on=date(2022, 5, 1), outcome="upheld", today=TODAY
    )
    services.request_recheck(
        petition=original, by=office_user, on=date(2022, 5, 2), body="市政府", today=TODAY
    )
    services.record_recheck(
        petition=original, by=office_user, on=date(2022, 5, 20), outcome="upheld", today=TODAY
    )
    original.refresh_from_db()
    again = register(
        by=office_user, district=district, received_on=date(2022, 7, 1), repeat_of=original
    ).petition
    with pytest.raises(ValidationError, match="不再受理"):
        services.accept_petition(petition=again, by=office_user, on=date(2022, 7, 2), today=TODAY)
    services.decline_petition(
        petition=again, by=office_user, on=date(2022, 7, 2), reason="已经复核终结", today=TODAY
    )
    again.refresh_from_db()
    assert again.status == Status.NOT_ACCEPTED


def test_a_review_is_answered_only_after_it_was_asked_for(office_user, district):
    petition = replied(by=office_user, district=district)
    with pytest.raises(ValidationError, match="没有待办的复查请求"):
        services.record_review(
            petition=petition, by=office_user, on=date(2022, 5, 1), outcome="upheld", today=TODAY
        )


def test_a_case_cannot_be_closed_before_it_is_answered(office_user, district):
    petition = accepted(by=office_user, district=district)
    with pytest.raises(ValidationError, match="不能结案"):
        services.close_petition(petition=petition, by=office_user, on=date(2022, 4, 1), today=TODAY)


def test_a_review_request_in_time_reopens_a_closed_case(office_user, district):
    petition = replied(by=office_user, district=district, replied_on=date(2022, 4, 1))
    services.close_petition(petition=petition, by=office_user, on=date(2022, 4, 2), today=TODAY)
    services.request_review(petition=petition, by=office_user, on=date(2022, 4, 20), today=TODAY)
    petition.refresh_from_db()
    assert petition.status == Status.REVIEW_REQUESTED
    assert petition.closed_on is None


def test_steps_cannot_be_dated_in_the_future_or_before_the_previous_step(office_user, district):
    petition = register(by=office_user, district=district, received_on=date(2022, 3, 1)).petition
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.accept_petition(
            petition=petition, by=office_user, on=date(2023, 1, 1), today=TODAY
        )
    with pytest.raises(ValidationError, match="不能早于收到日期"):
        services.accept_petition(
            petition=petition, by=office_user, on=date(2022, 2, 1), today=TODAY
        )


def test_a_complaint_for_the_courts_is_diverted_and_recorded(office_user, district):
    petition = accepted(by=office_user, district=district)
    services.divert_petition(
        petition=petition,
        by=office_user,
        on=date(2022, 3, 10),
        route="litigation",
        note="对补偿决定不服，告知其依法提起行政诉讼",
        today=TODAY,
    )
    petition.refresh_from_db()
    assert (petition.status, petition.diverted_to) == (Status.DIVERTED, "litigation")
    assert petition.closed_on == date(2022, 3, 10)
    assert petition.steps.filter(kind="diverted", note__contains="行政诉讼").exists()


def test_a_transferred_case_names_the_receiving_body_and_can_be_closed(office_user, district):
    petition = register(by=office_user, district=district).petition
    services.transfer_petition(
        petition=petition,
        by=office_user,
        on=date(2022, 3, 4),
        to_body="双清区人民政府",
        today=TODAY,
    )
    services.close_petition(petition=petition, by=office_user, on=date(2022, 3, 20), today=TODAY)
    petition.refresh_from_db()
    assert petition.transferred_to == "双清区人民政府"
    assert petition.status == Status.CLOSED


def test_a_referred_case_is_reported_on_to_the_referring_body(office_user, district):
    petition = accepted(
        by=office_user, district=district, channel=Channel.REFERRED, referred_by="省巡视组"
    )
    services.report_to_referrer(
        petition=petition, by=office_user, on=date(2022, 3, 20), note="调查情况汇报", today=TODAY
    )
    petition.refresh_from_db()
    assert petition.reported_on == date(2022, 3, 20)


def test_a_referral_must_name_the_referring_body(office_user, district):
    with pytest.raises(ValidationError, match="交办机关"):
        register(by=office_user, district=district, channel=Channel.REFERRED, referred_by="")


def test_only_referred_cases_are_reported_on(office_user, district):
    petition = accepted(by=office_user, district=district)
    with pytest.raises(ValidationError, match="上级交办"):
        services.report_to_referrer(
            petition=petition, by=office_user, on=date(2022, 3, 20), note="汇报", today=TODAY
        )


def test_a_legacy_case_is_tracked_until_resolved_and_then_closed(office_user, district):
    petition = replied(
        by=office_user,
        district=district,
        received_on=date(2012, 5, 4),
        accepted_on=date(2012, 5, 10),
        replied_on=date(2012, 6, 20),
    )
    services.flag_legacy(
        petition=petition, by=office_user, on=date(2022, 1, 5), note="多年反复上访", today=TODAY
    )
    services.resolve_legacy(
        petition=petition,
        by=office_user,
        on=date(2022, 9, 1),
        resolution="签订化解协议",
        today=TODAY,
    )
    petition.refresh_from_db()
    assert petition.is_legacy_resolved
    assert (petition.status, petition.closed_on) == (Status.CLOSED, date(2022, 9, 1))
    with pytest.raises(ValidationError, match="已经化解"):
        services.resolve_legacy(
            petition=petition, by=office_user, on=date(2022, 9, 2), resolution="再次", today=TODAY
        )


def test_a_case_takes_its_projects_district(office_user, district, other_district, project):
    petition = register(by=office_user, project=project).petition
    assert petition.district == district
    with pytest.raises(ValidationError, match="应与涉及项目的区县一致"):
        register(by=office_user, project=project, district=other_district)


def test_a_household_must_belong_to_the_project(office_user, project, other_project):
    household = HouseholdFactory(project=other_project)
    with pytest.raises(ValidationError, match="不属于所选项目"):
        register(by=office_user, project=project, household=household)


def test_people_count_covers_the_registered_petitioners(office_user, district):
    with pytest.raises(ValidationError, match="信访人数不能少于"):
        register(
            by=office_user,
            district=district,
            people_count=1,
            petitioners=[petitioner(1), petitioner(2)],
        )
    collective = register(
        by=office_user,
        district=district,
        people_count=8,
        petitioners=[petitioner(1, is_representative=True), petitioner(2)],
    ).petition
    assert collective.is_collective


def test_references_are_numbered_per_year_and_codes_are_kept_only_hashed(office_user, district):
    first = register(by=office_user, district=district, received_on=date(2022, 1, 5))
    second = register(by=office_user, district=district, received_on=date(2022, 2, 5))
    other_year = register(by=office_user, district=district, received_on=date(2021, 12, 5))
    assert first.petition.reference == "XF2022-0001"
    assert second.petition.reference == "XF2022-0002"
    assert other_year.petition.reference == "XF2021-0001"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", first.code), first.code
    assert not first.petition.has_short_code
    assert first.code not in first.petition.lookup_digest
    assert services.code_matches(first.petition, first.code)
    assert not services.code_matches(second.petition, first.code)


def test_a_code_is_read_as_printed_whatever_the_case_hyphen_or_misread_letters(
    office_user, district
):
    registration = register(by=office_user, district=district)
    typed = registration.code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert services.code_matches(registration.petition, typed)


def test_codes_are_not_sequential_and_are_long(office_user, district):
    codes = {register(by=office_user, district=district).code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(code.replace("-", "")) == 10 for code in codes)


def test_a_new_code_replaces_the_old_one(office_user, district):
    registration = register(by=office_user, district=district)
    new = services.reset_lookup_code(petition=registration.petition, by=office_user)
    petition = Petition.objects.get(pk=registration.petition.pk)
    assert services.code_matches(petition, new)
    assert not services.code_matches(petition, registration.code) or new == registration.code


def test_district_users_cannot_register_or_handle_cases(district, district_member):
    with pytest.raises(PermissionDenied):
        register(by=district_member, district=district)


def test_cases_are_assigned_to_office_staff_or_users_of_their_district(
    office_user, district, other_district, district_member
):
    petition = register(by=office_user, district=district).petition
    services.assign_petition(petition=petition, by=office_user, assignee=district_member)
    petition.refresh_from_db()
    assert petition.assignee == district_member
    assert petition.steps.filter(kind="assigned", by=office_user).exists()
    stranger = district_user(other_district, username="stranger")
    with pytest.raises(ValidationError, match="承办人应为"):
        services.assign_petition(petition=petition, by=office_user, assignee=stranger)
