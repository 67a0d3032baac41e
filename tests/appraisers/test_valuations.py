from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from appraisers import clocks, services
from appraisers.models import CreditEvent, CreditEventKind, Valuation
from core import clocks as core_clocks
from projects import gates
from projects import services as project_services
from projects.models import Notice, Stage
from tests.appraisers.factories import FirmFactory, ValuerFactory
from tests.appraisers.helpers import commissioned, value, value_project
from tests.auth import login
from tests.factories import HouseholdFactory, ProjectFactory, put_at_stage, sign_off_and_publish
from tests.html import row_cells
from tests.projects.helpers import advance_to

pytestmark = pytest.mark.django_db
# 国有土地上房屋征收评估办法 第二十条: a re-check may be asked for within 10 (calendar) days of
# receiving the report: from Friday 2022-09-30, day 10 is Monday 2022-10-10, a working day.
DELIVERED = date(2022, 9, 30)
RECHECK_DUE = date(2022, 10, 10)


@pytest.fixture
def commission(project, firms, households, office_user):
    return commissioned(project, firms, staff=office_user)


@pytest.fixture
def valuation(households, commission, district_member):
    return value(households[0], commission, by=district_member, delivered_on=DELIVERED)


def revision(commission, number="R-A-001-2", amount="540000.00"):
    return {
        "report_number": number,
        "appraised_value": Decimal(amount),
        "unit_price": Decimal("5400.00"),
        "reported_on": date(2022, 10, 14),
        "valuers": list(commission.firm.valuers.all()),
    }


def upheld_recheck(valuation, by):
    """A re-check asked for on 10 October 2022 and answered 维持 (unchanged) on 14 October."""
    recheck = services.request_recheck(
        valuation=valuation, by=by, requested_on=date(2022, 10, 10), reason="偏低"
    )
    return services.answer_recheck(
        recheck=recheck, by=by, answered_on=date(2022, 10, 14), answer="维持", changed=False
    )


# Recording


def test_a_valuation_needs_a_commissioned_firm(project, households, office_user):
    put_at_stage(project, Stage.APPRAISAL)
    with pytest.raises(ValidationError) as error:
        services.record_valuation(
            household=households[0],
            by=office_user,
            report_number="R-1",
            appraised_value=Decimal("1"),
            unit_price=Decimal("1"),
            valued_on=date(2022, 6, 1),
            reported_on=date(2022, 7, 1),
            valuers=[],
        )
    assert "尚未委托评估机构" in error.value.messages[0]


def test_a_valuation_is_signed_by_two_registered_valuers_of_the_commissioned_firm(
    households, commission, district_member
):
    own = list(commission.firm.valuers.all())
    stranger = ValuerFactory(firm=FirmFactory())
    fields = {
        "household": households[0],
        "by": district_member,
        "report_number": "R-1",
        "appraised_value": Decimal("480000.00"),
        "unit_price": Decimal("5200.00"),
        "valued_on": date(2022, 6, 1),
        "reported_on": date(2022, 7, 1),
    }
    with pytest.raises(ValidationError) as error:
        services.record_valuation(valuers=own[:1], **fields)
    assert "至少2名注册房地产估价师" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.record_valuation(valuers=[own[0], stranger], **fields)
    assert stranger.name in error.value.messages[0]
    valuation = services.record_valuation(valuers=own, **fields)
    assert set(valuation.valuers.all()) == set(own)
    assert valuation.firm == commission.firm
    assert valuation.history.latest().valuers.count() == 2


def test_a_second_original_valuation_of_the_same_household_is_refused(
    households, commission, office_user, valuation
):
    with pytest.raises(ValidationError) as error:
        value(households[0], commission, by=office_user, n=2)
    assert "评估结果的改变须经复核或专家鉴定" in error.value.messages[0]


def test_current_valuation_is_what_the_compensation_app_reads(
    households, commission, office_user, valuation
):
    assert services.current_valuation(households[0]) == valuation
    assert services.current_valuation(households[1]) is None


def test_another_district_cannot_record_a_valuation(households, commission, outsider):
    with pytest.raises(PermissionDenied):
        value(households[0], commission, by=outsider)


# Re-check and expert review


def test_the_recheck_window_counts_ten_calendar_days(valuation):
    deadline = clocks.recheck_request_deadline(valuation)
    assert deadline.due == RECHECK_DUE
    assert deadline.explanation[0].startswith(
        "依据《国有土地上房屋征收评估办法》第二十条，本期限为10日，按自然日计算"
    )


def test_the_issue_example_a_report_received_2023_09_27_may_be_challenged_until_10_07(
    households, commission, district_member
):
    # 评估办法 第二十条, calendar days: 2023-09-27 + 10 = Saturday 2023-10-07, an official
    # make-up working day after the Mid-autumn and National Day holiday (09-29 to 10-06), so
    # it does not roll. Counting working days would have given 2023-10-17.
    valuation = value(households[1], commission, by=district_member, delivered_on=date(2023, 9, 27))
    deadline = clocks.recheck_request_deadline(valuation)
    assert deadline.due == date(2023, 10, 7)
    assert "2023年10月7日（星期六，国庆节调休上班日）是工作日，不需顺延" in deadline.explanation


def test_the_answer_review_request_and_decision_count_ten_calendar_days(valuation, district_member):
    # 第二十一条: the firm answers within 10 days of the request: 2022-10-10 + 10 = Thursday 10-20.
    recheck = services.request_recheck(
        valuation=valuation, by=district_member, requested_on=date(2022, 10, 10), reason="偏低"
    )
    answer = clocks.recheck_answer_deadline(recheck)
    assert answer.due == date(2022, 10, 20)
    assert "第二十一条" in answer.explanation[0]
    recheck = services.answer_recheck(
        recheck=recheck,
        by=district_member,
        answered_on=date(2022, 10, 14),
        answer="维持",
        changed=False,
    )
    # 第二十二条: a review may be asked for within 10 days of receiving the result: Friday
    # 10-14 + 10 = Monday 10-24.
    request = clocks.review_request_deadline(recheck)
    assert request.due == date(2022, 10, 24)
    assert "第二十二条" in request.explanation[0]
    # 第二十五条: the committee decides within 10 days: 10-20 + 10 = Sunday 10-30 → Monday 10-31.
    review = services.request_expert_review(
        recheck=recheck, by=district_member, requested_on=date(2022, 10, 20), reason="仍有异议"
    )
    decision = clocks.review_decision_deadline(review)
    assert decision.due == date(2022, 10, 31)
    assert "第二十五条" in decision.explanation[0]


def test_a_recheck_requested_after_ten_days_is_refused(valuation, district_member):
    with pytest.raises(ValidationError) as error:
        services.request_recheck(
            valuation=valuation,
            by=district_member,
            requested_on=RECHECK_DUE + timedelta(days=1),
            reason="面积有误",
        )
    assert "申请复核的期限已于2022年10月10日届满" in error.value.messages[0]
    services.request_recheck(
        valuation=valuation, by=district_member, requested_on=RECHECK_DUE, reason="面积有误"
    )


def test_a_recheck_needs_the_report_delivered_first(households, commission, district_member):
    valuation = value(households[1], commission, by=district_member)
    with pytest.raises(ValidationError) as error:
        services.request_recheck(
            valuation=valuation, by=district_member, requested_on=DELIVERED, reason="异议"
        )
    assert "请先录入送达日期" in error.value.messages[0]


def test_an_unchanged_recheck_keeps_the_valuation_and_the_firms_record(
    households, valuation, district_member
):
    recheck = services.request_recheck(
        valuation=valuation, by=district_member, requested_on=date(2022, 10, 10), reason="偏低"
    )
    services.answer_recheck(
        recheck=recheck,
        by=district_member,
        answered_on=date(2022, 10, 14),
        answer="经复核，维持原评估结果。",
        changed=False,
    )
    assert services.current_valuation(households[0]) == valuation
    assert not CreditEvent.objects.exists()


def test_a_changed_recheck_replaces_the_valuation_and_costs_the_firm_credit(
    households, commission, valuation, district_member
):
    recheck = services.request_recheck(
        valuation=valuation, by=district_member, requested_on=date(2022, 10, 10), reason="偏低"
    )
    services.answer_recheck(
        recheck=recheck,
        by=district_member,
        answered_on=date(2022, 10, 14),
        answer="装修部分漏评，重新出具报告。",
        changed=True,
        revision=revision(commission),
    )
    current = services.current_valuation(households[0])
    assert current.appraised_value == Decimal("540000.00")
    assert current.replaces == valuation
    assert current.source == Valuation.Source.RECHECK
    valuation.refresh_from_db()
    assert not valuation.is_current
    event = CreditEvent.objects.get()
    assert event.firm == commission.firm
    assert event.kind.code == CreditEventKind.VALUATION_CHANGED
    assert event.points == event.kind.points < 0
    assert event.valuation == current
    assert "原报告R-A-001-1评估价值500000.00元" in event.description


def test_a_changed_recheck_needs_the_new_report(valuation, district_member):
    recheck = services.request_recheck(
        valuation=valuation, by=district_member, requested_on=date(2022, 10, 10), reason="偏低"
    )
    with pytest.raises(ValidationError):
        services.answer_recheck(
            recheck=recheck,
            by=district_member,
            answered_on=date(2022, 10, 14),
            answer="改变",
            changed=True,
        )


def test_expert_review_within_ten_days_of_the_recheck_result_can_correct_the_report(
    households, commission, valuation, district_member
):
    recheck = upheld_recheck(valuation, district_member)
    # 14 October 2022 is a Friday: ten calendar days end on Monday 24 October.
    assert clocks.review_request_deadline(recheck).due == date(2022, 10, 24)
    with pytest.raises(ValidationError) as error:
        services.request_expert_review(
            recheck=recheck, by=district_member, requested_on=date(2022, 10, 31), reason="仍有异议"
        )
    assert "申请专家鉴定的期限已于2022年10月24日届满" in error.value.messages[0]
    review = services.request_expert_review(
        recheck=recheck, by=district_member, requested_on=date(2022, 10, 20), reason="仍有异议"
    )
    assert clocks.review_decision_deadline(review).due == date(2022, 10, 31)
    services.decide_expert_review(
        review=review,
        by=district_member,
        decided_on=date(2022, 11, 1),
        opinion="参数选取不当。",
        corrected=True,
        revision=revision(commission, number="R-A-001-3", amount="555000.00"),
    )
    current = services.current_valuation(households[0])
    assert (current.report_number, current.source) == ("R-A-001-3", Valuation.Source.REVIEW)
    assert current.replaces == valuation
    assert CreditEvent.objects.get().occurred_on == date(2022, 11, 1)


def test_expert_review_needs_an_answered_recheck(valuation, district_member):
    recheck = services.request_recheck(
        valuation=valuation, by=district_member, requested_on=date(2022, 10, 10), reason="偏低"
    )
    with pytest.raises(ValidationError) as error:
        services.request_expert_review(
            recheck=recheck, by=district_member, requested_on=date(2022, 10, 12), reason="异议"
        )
    assert "复核尚未答复" in error.value.messages[0]


# Clocks on the deadlines page


def test_the_clocks_are_registered_and_scoped_by_district(
    valuation, district_member, outsider, office_user
):
    services.request_recheck(
        valuation=valuation, by=district_member, requested_on=date(2022, 10, 10), reason="偏低"
    )
    kinds = [item.kind for item in core_clocks.due_items(office_user, until=date(2022, 12, 31))]
    assert "评估复核答复期限" in kinds
    mine = clocks.open_clocks(district_member, until=date(2022, 12, 31), today=date(2022, 10, 11))
    assert [(item.kind, item.due) for item in mine] == [("评估复核答复期限", date(2022, 10, 20))]
    assert mine[0].url == valuation.get_absolute_url()
    assert clocks.open_clocks(outsider, until=date(2022, 12, 31), today=date(2022, 10, 11)) == []


def test_a_request_window_shows_only_while_it_runs(valuation, office_user):
    until = date(2022, 12, 31)
    running = clocks.open_clocks(office_user, until=until, today=date(2022, 10, 9))
    assert [(item.kind, item.due) for item in running] == [("评估复核申请期限", RECHECK_DUE)]
    assert clocks.open_clocks(office_user, until=until, today=date(2022, 10, 11)) == []


def test_the_clock_source_reads_a_fixed_number_of_queries(
    households, commission, office_user, django_assert_max_num_queries
):
    for household in households:
        valuation = value(household, commission, by=office_user, delivered_on=DELIVERED)
        services.request_recheck(
            valuation=valuation, by=office_user, requested_on=date(2022, 10, 10), reason="异议"
        )
    with django_assert_max_num_queries(6):
        items = clocks.open_clocks(office_user, until=date(2022, 12, 31), today=date(2022, 10, 11))
    assert len(items) == 5


# Stage guard and the 二榜


def test_a_project_cannot_leave_appraisal_until_every_household_is_valued(
    firms, district_member, office_user
):
    project = ProjectFactory(district=district_member.district)
    today = advance_to(
        project,
        Stage.APPRAISAL,
        district_user=district_member,
        staff=office_user,
        start=date(2022, 1, 4),
    )
    HouseholdFactory(project=project)
    commission = commissioned(project, firms, staff=office_user)
    first = project.households.order_by("pk").first()
    value(first, commission, by=office_user)
    notice = project_services.draft_notice(
        project=project, by=office_user, kind=Notice.Kind.SECOND_LIST, title="二榜", body="正文"
    )
    assert gates.blockers(gates.notice_action(notice), project=project, today=today) == [
        "尚有1户没有分户评估报告，不能发布二榜公示。"
    ]
    with pytest.raises(ValidationError) as error:
        project_services.advance_stage(project=project, by=office_user, today=today)
    assert "尚有1户没有分户评估报告。" in error.value.messages
    value_project(project, staff=office_user)
    assert gates.blockers(gates.notice_action(notice), project=project, today=today) == []
    sign_off_and_publish(notice, by=office_user, on=today)
    stage = project_services.advance_stage(project=project, by=office_user, today=today)
    assert stage == Stage.SIGNING


def test_other_notices_are_not_held_back_by_valuations(project, office_user):
    notice = project_services.draft_notice(
        project=project, by=office_user, kind=Notice.Kind.OTHER, title="其他", body="正文"
    )
    assert gates.blockers(gates.notice_action(notice), project=project) == []


# Pages


def test_the_district_records_a_valuation_on_the_page(
    client, households, commission, district_member
):
    login(client, "district")
    household = households[1]
    url = reverse("appraisers:valuation_create", args=[household.pk])
    assert "签字估价师" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "report_number": "SY-2022-0002",
            "appraised_value": "612345.67",
            "unit_price": "6123.45",
            "valued_on": "2022-06-01",
            "reported_on": "2022-07-01",
            "delivered_on": "2022-07-05",
            "valuers": [v.pk for v in commission.firm.valuers.all()],
        },
    )
    valuation = Valuation.objects.get(household=household)
    assert response["Location"] == valuation.get_absolute_url()
    assert valuation.appraised_value == Decimal("612345.67")
    html = client.get(valuation.get_absolute_url()).content.decode()
    assert "申请复核期限" in html
    assert "期限计算方法" in html


def test_the_recheck_answer_page_changes_the_result(
    client, households, commission, valuation, district_member
):
    recheck = services.request_recheck(
        valuation=valuation, by=district_member, requested_on=date(2022, 10, 10), reason="偏低"
    )
    login(client, "district")
    url = reverse("appraisers:recheck_answer", args=[recheck.pk])
    incomplete = client.post(url, {"answered_on": "2022-10-14", "answer": "改变", "changed": "on"})
    assert "改变评估结果的，须填写此项" in incomplete.content.decode()
    response = client.post(
        url,
        {
            "answered_on": "2022-10-14",
            "answer": "改变",
            "changed": "on",
            "report_number": "R-NEW",
            "appraised_value": "520000",
            "unit_price": "5200",
            "reported_on": "2022-10-14",
            "valuers": [v.pk for v in commission.firm.valuers.all()],
        },
    )
    assert response.status_code == 302
    assert services.current_valuation(households[0]).report_number == "R-NEW"


def test_valuation_list_queries_do_not_grow_with_households(
    client, project, households, commission, office_user, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, "clerk")
    url = reverse("appraisers:valuation_list", args=[project.pk])
    value(households[0], commission, by=office_user)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for household in households[1:]:
        value(household, commission, by=office_user)
    for _ in range(5):
        HouseholdFactory(project=project)
    with django_assert_num_queries(len(few)):
        html = client.get(url).content.decode()
    assert "5 / 10 户" in html


def test_another_districts_user_gets_404_on_valuations(
    client, households, commission, valuation, outsider, district_member
):
    recheck = services.request_recheck(
        valuation=valuation, by=district_member, requested_on=date(2022, 10, 10), reason="偏低"
    )
    login(client, "outsider")
    project = households[0].project
    for url in [
        reverse("appraisers:valuation_list", args=[project.pk]),
        reverse("appraisers:valuation_create", args=[households[1].pk]),
        valuation.get_absolute_url(),
        reverse("appraisers:recheck_answer", args=[recheck.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("appraisers:valuation_delivery", args=[valuation.pk]),
        reverse("appraisers:recheck_request", args=[valuation.pk]),
        reverse("appraisers:review_request", args=[recheck.pk]),
    ]:
        assert client.post(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_log_in_from_valuations(client, valuation):
    for url in [
        reverse("appraisers:valuation_list", args=[valuation.household.project_id]),
        valuation.get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_valuation_list_shows_each_households_report_and_where_it_stands(
    client, project, households, commission, office_user, district_member
):
    answered = value(households[0], commission, by=district_member, delivered_on=DELIVERED)
    asked = value(households[1], commission, by=district_member, delivered_on=DELIVERED)
    value(households[2], commission, by=district_member, delivered_on=DELIVERED)
    value(households[3], commission, by=district_member, amount="1234567.80")
    upheld_recheck(answered, district_member)
    services.request_recheck(
        valuation=asked, by=district_member, requested_on=date(2022, 10, 10), reason="偏低"
    )
    reviewed = value(
        HouseholdFactory(project=project, code="A-006"),
        commission,
        by=district_member,
        delivered_on=DELIVERED,
    )
    recheck = upheld_recheck(reviewed, district_member)
    services.request_expert_review(
        recheck=recheck, by=district_member, requested_on=date(2022, 10, 20), reason="仍有异议"
    )
    login(client, "clerk")

    html = client.get(reverse("appraisers:valuation_list", args=[project.pk])).content.decode()

    area = f"{Decimal(households[0].area):,.2f}"
    head = households[0].head_name
    assert row_cells(html, "A-001") == [
        "A-001",
        head,
        area,
        "R-A-001-1",
        "5,000.00",
        "500,000.00",
        "维持原评估结果",
    ]
    assert row_cells(html, "A-002")[3:] == ["R-A-002-1", "5,000.00", "500,000.00", "复核中"]
    assert row_cells(html, "A-003")[6] == "已送达"
    assert row_cells(html, "A-004")[5:] == ["1,234,567.80", "待送达"]
    assert row_cells(html, "A-005")[3:] == ["未评估", "录入评估报告"]
    assert f'href="{answered.get_absolute_url()}"' in html
    assert f'href="{households[0].get_absolute_url()}"' in html
    assert f'href="{reverse("appraisers:valuation_create", args=[households[4].pk])}"' in html
    assert row_cells(html, "A-006")[6] == "专家鉴定中"
    assert f"{commission.firm.name}（合同 {commission.contract_number}）" in html
    assert "5 / 6 户" in html
    assert "3,234,567.80 元" in html


def test_before_a_commission_the_valuation_list_says_so_and_offers_no_report_entry(
    client, project, households, office_user
):
    login(client, "clerk")

    html = client.get(reverse("appraisers:valuation_list", args=[project.pk])).content.decode()

    assert "尚未委托评估机构" in html
    assert row_cells(html, "A-001")[3:] == ["未评估", ""]
    assert "0 / 5 户" in html


# The valuations list reads its project, its page of households and their reports by SQL the
# ORM writes once per process (core.compiled): what it shows must be what the ORM gives.


def test_the_valuation_lists_later_pages_show_their_own_households_reports(
    client, project, households, commission, district_member, office_user
):
    # A-001…A-005 and B-000…B-049: page 1 ends with B-044, page 2 is B-045…B-049.
    later = [HouseholdFactory(project=project, code=f"B-{n:03d}") for n in range(50)]
    by_code = {household.code: household for household in later}
    value(by_code["B-044"], commission, by=district_member, delivered_on=DELIVERED)
    first = value(by_code["B-045"], commission, by=district_member, delivered_on=DELIVERED)
    upheld_recheck(first, district_member)
    value(by_code["B-049"], commission, by=district_member, amount="123456.78")
    login(client, "clerk")
    url = reverse("appraisers:valuation_list", args=[project.pk])

    for query in ("?page=2", "?page=99"):
        response = client.get(url + query)
        html = response.content.decode()
        codes = [household.code for household in response.context["page"].object_list]
        assert codes == ["B-045", "B-046", "B-047", "B-048", "B-049"]
        assert "B-044" not in html and "R-B-044-1" not in html
        assert row_cells(html, "B-045")[3:] == [
            "R-B-045-1",
            "5,000.00",
            "500,000.00",
            "维持原评估结果",
        ]
        assert row_cells(html, "B-046")[3:] == ["未评估", "录入评估报告"]
        # The last page's last row is the last household, with its report.
        assert row_cells(html, "B-049")[3:] == ["R-B-049-1", "5,000.00", "123,456.78", "待送达"]
        assert html.rindex("B-049") > html.rindex("B-048")
        assert "3 / 55 户" in html
    html = client.get(url).content.decode()
    assert row_cells(html, "B-044")[3] == "R-B-044-1" and "B-045" not in html
    small = client.get(url + "?per_page=25&page=3").context["page"]
    assert [household.code for household in small.object_list][-1] == "B-049"
    assert small.paginator.num_pages == 3


def test_a_district_user_reads_their_own_valuation_list_and_gets_404_for_another(
    client, project, households, other_project, district_member
):
    HouseholdFactory(project=other_project, code="X-001")
    login(client, "district")

    own = client.get(reverse("appraisers:valuation_list", args=[project.pk]))
    assert own.status_code == 200 and "A-005" in own.content.decode()
    for query in ("", "?page=2"):
        url = reverse("appraisers:valuation_list", args=[other_project.pk]) + query
        response = client.get(url)
        assert response.status_code == 404
        assert "X-001" not in response.content.decode()
    missing = reverse("appraisers:valuation_list", args=[other_project.pk + 1000])
    assert client.get(missing).status_code == 404


def test_the_valuation_list_reads_its_rows_by_compiled_statements_at_any_page_size(
    client, project, households, commission, district_member, office_user
):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.compiled import logged_sql

    for n in range(120):
        HouseholdFactory(project=project, code=f"Q-{n:03d}")
    value(households[0], commission, by=district_member, delivered_on=DELIVERED)
    login(client, "clerk")
    url = reverse("appraisers:valuation_list", args=[project.pk])
    client.get(url)  # the statements are prepared on this connection

    counts = {}
    for size in (50, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?per_page={size}")
        assert len(response.context["rows"]) == size
        counts[size] = len(queries)
        logged = [(q["sql"], logged_sql(q["sql"])) for q in queries]
        household_reads = [
            (sql, written)
            for sql, written in logged
            if written.startswith('SELECT "projects_household"."id"')
        ]
        # One read of the page's households: the EXECUTE of the statement written once, the
        # page's bounds its parameters.
        assert len(household_reads) == 1
        ((sql, written),) = household_reads
        assert sql.startswith("EXECUTE compiled_values_")
        assert re.search(r"ORDER BY .+ LIMIT \$\d+ OFFSET \$\d+$", written)
        for table in ("projects_project", "appraisers_valuation"):
            reads = [sql for sql, written in logged if written.startswith(f'SELECT "{table}"."id"')]
            assert len(reads) == 1 and reads[0].startswith("EXECUTE "), table
    assert counts[50] == counts[100]
    assert row_cells(response.content.decode(), "A-001")[3] == "R-A-001-1"
