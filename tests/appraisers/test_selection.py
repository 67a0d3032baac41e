from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from appraisers import draws, services
from appraisers.models import FirmSelection, SelectionCandidate, Vote
from projects.models import Notice, Stage
from tests.appraisers.factories import FirmFactory
from tests.auth import login
from tests.factories import (
    HouseholdFactory,
    ProjectFactory,
    put_at_stage,
    sign_off_and_publish,
    signed_off,
)

pytestmark = pytest.mark.django_db
DAY = date(2022, 6, 1)
DRAWN_AT = datetime(2022, 6, 8, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def open_(project, firms, staff):
    return services.open_selection(project=project, by=staff, firms=firms, opened_on=DAY)


def vote(selection, staff, household, firm):
    return services.record_vote(selection=selection, by=staff, household=household, firm=firm)


# Candidates


def test_candidates_are_published_in_ascending_credit_code_order(project, firms, office_user):
    selection = open_(project, firms, office_user)
    names = [c.firm.name for c in services.candidates_of(selection)]
    assert names == ["甲评估", "乙评估", "丙评估"]
    assert [c.position for c in services.candidates_of(selection)] == [1, 2, 3]


def test_an_ineligible_firm_cannot_be_a_candidate(project, firms, office_user):
    expired = FirmFactory(name="过期评估", qualification_expires_on=date(2022, 5, 31))
    with pytest.raises(ValidationError) as error:
        open_(project, [*firms, expired], office_user)
    assert "过期评估：资质证书已于2022年5月31日过期" in error.value.messages[0]
    assert not FirmSelection.objects.exists()


def test_a_selection_needs_three_candidates_by_default(project, firms, office_user, settings):
    with pytest.raises(ValidationError) as error:
        open_(project, firms[:2], office_user)
    assert "至少需要公布3家" in error.value.messages[0]
    settings.APPRAISER_MIN_CANDIDATES = 2
    assert open_(project, firms[:2], office_user).candidates.count() == 2


def test_district_users_cannot_open_a_selection(project, firms, district_member):
    with pytest.raises(PermissionDenied):
        open_(project, firms, district_member)


def test_candidates_can_be_published_again_until_voting_starts(
    project, firms, households, office_user
):
    selection = open_(project, firms, office_user)
    fourth = FirmFactory(name="丁评估")
    open_(project, [*firms[1:], fourth], office_user)
    assert set(selection.candidates.values_list("firm__name", flat=True)) == {
        "甲评估",
        "乙评估",
        "丁评估",
    }
    vote(selection, office_user, households[0], fourth)
    with pytest.raises(ValidationError):
        open_(project, firms, office_user)


# Negotiation


def test_negotiation_needs_more_than_half_of_the_households(
    project, firms, households, office_user
):
    selection = open_(project, firms, office_user)
    with pytest.raises(ValidationError) as error:
        services.record_negotiation(
            selection=selection, by=office_user, firm=firms[1], agreed_households=2, decided_on=DAY
        )
    assert "协商选定需超过50%的被征收户同意（共5户，同意2户）" in error.value.messages[0]
    services.record_negotiation(
        selection=selection, by=office_user, firm=firms[1], agreed_households=3, decided_on=DAY
    )
    selection.refresh_from_db()
    assert (selection.method, selection.winner, selection.agreed_households) == (
        FirmSelection.Method.NEGOTIATION,
        firms[1],
        3,
    )


def test_a_negotiated_firm_must_be_a_candidate(project, firms, households, office_user):
    selection = open_(project, firms, office_user)
    stranger = FirmFactory()
    with pytest.raises(ValidationError) as error:
        services.record_negotiation(
            selection=selection, by=office_user, firm=stranger, agreed_households=5
        )
    assert "不是本项目公布的候选机构" in error.value.messages[0]


# Majority vote


def test_each_household_votes_once(project, firms, households, office_user):
    selection = open_(project, firms, office_user)
    vote(selection, office_user, households[0], firms[0])
    with pytest.raises(ValidationError) as error:
        vote(selection, office_user, households[0], firms[1])
    assert "每户只能投一票" in error.value.messages[0]
    assert Vote.objects.get().firm == firms[0]


def test_the_database_also_holds_one_vote_per_household(project, firms, households, office_user):
    from django.db import IntegrityError, transaction

    selection = open_(project, firms, office_user)
    vote(selection, office_user, households[0], firms[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(selection=selection, household=households[0], firm=firms[1])


def test_a_household_of_another_project_cannot_vote(project, firms, households, office_user):
    selection = open_(project, firms, office_user)
    stranger = HouseholdFactory(project=ProjectFactory(district=project.district))
    with pytest.raises(ValidationError) as error:
        vote(selection, office_user, stranger, firms[0])
    assert "该户不属于本项目" in error.value.messages[0]


def test_more_than_half_of_the_households_wins_the_vote(project, firms, households, office_user):
    selection = open_(project, firms, office_user)
    for household in households[:3]:
        vote(selection, office_user, household, firms[2])
    vote(selection, office_user, households[3], firms[0])
    result = services.close_vote(selection=selection, by=office_user, today=DAY)
    assert result.winner == firms[2]
    assert (result.household_count, result.votes_cast, result.needed) == (5, 4, 3)
    selection.refresh_from_db()
    assert (selection.method, selection.winner) == (FirmSelection.Method.VOTE, firms[2])


def test_half_is_not_a_majority_even_when_it_is_most_of_the_votes_cast(project, firms, office_user):
    households = [HouseholdFactory(project=project) for _ in range(6)]
    selection = open_(project, firms, office_user)
    for household in households[:3]:
        vote(selection, office_user, household, firms[0])
    vote(selection, office_user, households[3], firms[1])
    result = services.close_vote(selection=selection, by=office_user, today=DAY)
    # 3 of 4 votes cast, but only 3 of 6 households: not more than half.
    assert result.winner is None
    selection.refresh_from_db()
    assert selection.vote_failed
    assert not selection.is_decided


def test_a_tie_has_no_majority_and_the_draw_is_offered(client, project, firms, office_user):
    households = [HouseholdFactory(project=project) for _ in range(4)]
    selection = open_(project, firms, office_user)
    for household, firm in zip(households, [firms[0], firms[0], firms[1], firms[1]], strict=True):
        vote(selection, office_user, household, firm)
    result = services.close_vote(selection=selection, by=office_user, today=DAY)
    assert result.winner is None
    assert result.is_tie
    login(client, "clerk")
    html = client.get(reverse("appraisers:selection_detail", args=[project.pk])).content.decode()
    assert "没有机构获得超过半数被征收户的投票" in html
    assert "得票最多的机构票数相同" in html
    assert "开始摇号" in html
    with pytest.raises(ValidationError):
        vote(selection, office_user, HouseholdFactory(project=project), firms[0])


def test_the_vote_result_is_published_as_a_notice(project, firms, households, office_user):
    selection = open_(project, firms, office_user)
    for household in households[:3]:
        vote(selection, office_user, household, firms[1])
    services.close_vote(selection=selection, by=office_user, today=DAY)
    selection.refresh_from_db()
    notice = selection.notice
    assert notice.kind == Notice.Kind.OTHER
    assert notice.title == "六岭棚改评估机构选定结果公告"
    # A leader signs the result notice off; 业务科 then publishes it (core.signoffs "notice").
    assert not notice.is_published
    sign_off_and_publish(notice, on=DAY)
    assert notice.published_on == DAY
    assert "甲评估：3票" in notice.body
    assert "收回有效选票3票" in notice.body


# Random draw


def draw(selection, staff, monkeypatch, seed):
    monkeypatch.setattr(draws, "new_seed", lambda: seed)
    return services.run_draw(
        selection=selection, by=staff, witnesses="被征收人代表甲、纪检干部乙", now=DRAWN_AT
    )


def test_the_draw_is_reproducible_from_its_seed(project, firms, households, office_user):
    selection = open_(project, firms, office_user)
    selection = services.run_draw(
        selection=selection, by=office_user, witnesses="见证人甲", notary="邵阳市公证处"
    )
    codes = sorted(firm.credit_code for firm in firms)
    assert selection.draw_candidates == codes
    assert len(selection.seed) == 32
    expected = codes[draws.winner_index(selection.seed, codes)]
    assert selection.winner.credit_code == expected
    record = services.draw_record(selection)
    assert record.verifies()
    assert record.winner_code == expected
    assert record.codes == codes


def test_the_draw_follows_the_documented_algorithm():
    import hashlib

    codes = ["91430500MA4A00001X", "91430500MA4B00002X", "91430500MA4C00003X"]
    seed = "00112233445566778899aabbccddeeff"
    text = seed + "\n" + "\n".join(codes)
    expected = int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 3
    assert draws.winner_index(seed, codes) == expected


def test_the_draw_does_not_depend_on_database_order(office_user, firms, monkeypatch, district):
    seed = "5eed" * 8
    first = put_at_stage(ProjectFactory(district=district), Stage.DECISION)
    second = put_at_stage(ProjectFactory(district=district), Stage.DECISION)
    one = open_(first, firms, office_user)
    other = open_(second, list(reversed(firms)), office_user)
    # Shuffle the rows' insertion order: the candidates of `other` are re-created backwards.
    candidates = list(other.candidates.order_by("-position").values_list("firm", "position"))
    other.candidates.all().delete()
    SelectionCandidate.objects.bulk_create(
        SelectionCandidate(selection=other, firm_id=firm, position=position)
        for firm, position in candidates
    )
    winners = {draw(s, office_user, monkeypatch, seed).winner for s in (one, other)}
    assert len(winners) == 1


def test_different_seeds_reach_different_firms():
    codes = ["A", "B", "C"]
    assert {draws.winner_index(f"{n:032x}", codes) for n in range(50)} == {0, 1, 2}


def test_the_draw_records_seed_witnesses_time_and_publishes_the_notice(
    project, firms, households, office_user, monkeypatch
):
    selection = draw(open_(project, firms, office_user), office_user, monkeypatch, "ab" * 16)
    selection.refresh_from_db()
    assert selection.method == FirmSelection.Method.DRAW
    assert selection.drawn_at == DRAWN_AT
    assert selection.witnesses == "被征收人代表甲、纪检干部乙"
    assert selection.decided_on == date(2022, 6, 8)
    body = selection.notice.body
    assert "随机种子：" + "ab" * 16 in body
    assert "2022-06-08 09:30:00" in body
    assert "hashlib.sha256" in body
    assert not selection.notice.is_published
    sign_off_and_publish(selection.notice, on=date(2022, 6, 8))
    assert selection.notice.published_on == date(2022, 6, 8)


def test_a_draw_needs_witnesses(project, firms, office_user):
    selection = open_(project, firms, office_user)
    with pytest.raises(ValidationError) as error:
        services.run_draw(selection=selection, by=office_user, witnesses="  ")
    assert "请填写见证人" in error.value.messages[0]


def test_a_draw_refuses_when_a_candidate_is_no_longer_eligible(project, firms, office_user):
    selection = open_(project, firms, office_user)
    firms[1].qualification_expires_on = date(2022, 6, 2)
    firms[1].save()
    with pytest.raises(ValidationError) as error:
        services.run_draw(selection=selection, by=office_user, witnesses="甲", now=DRAWN_AT)
    assert "资质证书已于2022年6月2日过期" in error.value.messages[0]


def test_a_decided_selection_cannot_be_decided_again(project, firms, households, office_user):
    selection = open_(project, firms, office_user)
    services.run_draw(selection=selection, by=office_user, witnesses="甲")
    with pytest.raises(ValidationError) as error:
        services.run_draw(selection=selection, by=office_user, witnesses="甲")
    assert "评估机构已经选定" in error.value.messages[0]


# Commission


def test_the_commission_is_recorded_once_after_the_decision(
    project, firms, households, office_user
):
    selection = open_(project, firms, office_user)
    with pytest.raises(ValidationError):
        services.record_commission(
            selection=selection,
            by=office_user,
            contract_number="WT-1",
            signed_on=DAY,
            fee=Decimal("1"),
        )
    services.record_negotiation(
        selection=selection, by=office_user, firm=firms[0], agreed_households=5, decided_on=DAY
    )
    commission = services.record_commission(
        selection=selection,
        by=office_user,
        contract_number="WT-2022-001",
        signed_on=date(2022, 6, 3),
        fee=Decimal("86000.50"),
    )
    assert (commission.firm, commission.fee) == (firms[0], Decimal("86000.50"))
    with pytest.raises(ValidationError):
        services.record_commission(
            selection=selection,
            by=office_user,
            contract_number="WT-2022-002",
            signed_on=DAY,
            fee=Decimal("1"),
        )


# Pages


def url(name, project):
    return reverse(f"appraisers:{name}", args=[project.pk])


def test_staff_open_a_selection_from_the_page(client, project, firms, office_user):
    login(client, "clerk")
    form = client.get(url("selection_open", project)).content.decode()
    assert "甲评估" in form
    response = client.post(
        url("selection_open", project),
        {"firms": [f.pk for f in firms], "opened_on": "2022-06-01"},
    )
    assert response["Location"] == url("selection_detail", project)
    assert FirmSelection.objects.get().candidates.count() == 3


def test_staff_record_votes_and_tally_them_on_the_page(
    client, project, firms, households, office_user
):
    open_(project, firms, office_user)
    login(client, "clerk")
    for household in households[:3]:
        client.post(
            url("vote_record", project), {"household_code": household.code, "firm": firms[1].pk}
        )
    again = client.post(
        url("vote_record", project),
        {"household_code": households[0].code, "firm": firms[0].pk},
        follow=True,
    )
    assert "每户只能投一票" in again.content.decode()
    unknown = client.post(
        url("vote_record", project), {"household_code": "Z-999", "firm": firms[0].pk}, follow=True
    )
    assert "本项目没有户号为Z-999的被征收户" in unknown.content.decode()
    response = client.post(url("vote_close", project), follow=True)
    html = response.content.decode()
    assert "甲评估得票超过半数" in html
    assert "评估机构选定结果公告" in html


def test_staff_run_the_draw_from_the_page(client, project, firms, households, office_user):
    open_(project, firms, office_user)
    login(client, "clerk")
    response = client.post(
        url("selection_draw", project), {"witnesses": "代表甲", "notary": ""}, follow=True
    )
    html = response.content.decode()
    selection = FirmSelection.objects.get()
    assert f"随机确定完成：{selection.winner.name}" in html
    assert selection.seed in html
    assert "按公开方法复算，结果一致" in html


def test_the_district_sees_the_selection_but_cannot_act(
    client, project, firms, households, office_user, district_member
):
    open_(project, firms, office_user)
    login(client, "district")
    response = client.get(url("selection_detail", project))
    assert response.status_code == 200
    assert "开始摇号" not in response.content.decode()
    assert client.post(url("selection_draw", project), {"witnesses": "甲"}).status_code == 403
    assert client.get(url("selection_open", project)).status_code == 403


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("selection_detail", "get"),
        ("selection_open", "get"),
        ("selection_draw", "post"),
        ("vote_record", "post"),
        ("vote_close", "post"),
        ("selection_negotiate", "post"),
        ("commission_record", "post"),
    ],
)
def test_another_districts_user_gets_404(
    client, project, firms, office_user, outsider, name, method
):
    open_(project, firms, office_user)
    login(client, "outsider")
    assert getattr(client, method)(url(name, project)).status_code == 404


@pytest.mark.parametrize("name", ["selection_detail", "selection_open"])
def test_anonymous_visitors_are_sent_to_log_in_from_selections(client, project, name):
    response = client.get(url(name, project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_result_notice_waits_for_a_leaders_sign_off_shown_on_the_selection_page(
    client, project, firms, households, office_user
):
    selection = open_(project, firms, office_user)
    for household in households[:3]:
        vote(selection, office_user, household, firms[1])
    login(client, "clerk")
    response = client.post(url("vote_close", project), follow=True)
    html = response.content.decode()
    assert "选定结果公告待领导签发后发布" in html
    assert "领导签发（领导）" in html and "责任科室发布（业务科）" in html
    selection.refresh_from_db()
    notice = selection.notice
    assert not notice.is_published
    # Nobody publishes it before the leader's sign-off: not even the section that drafted it.
    publish = reverse("projects:notice_publish", args=[notice.pk])
    assert client.post(publish, {"published_on": "2022-06-01"}).status_code == 403
    signed_off(notice)
    response = client.post(publish, {"published_on": "2022-06-01"}, follow=True)
    assert "公告已发布。" in response.content.decode()
    html = client.get(url("selection_detail", project)).content.decode()
    assert "发布于 2022-06-01" in html
