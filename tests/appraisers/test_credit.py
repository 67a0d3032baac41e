from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisers import services, tasks
from appraisers.models import CreditEventKind, CreditGrade, CreditList, CreditPolicy
from core.roles import Section
from tests.appraisers.factories import FirmFactory
from tests.auth import login
from tests.factories import staff

pytestmark = pytest.mark.django_db
YEAR_START, YEAR_END = date(2022, 1, 1), date(2022, 12, 31)


def kind(code):
    return CreditEventKind.objects.get(code=code)


def event(firm, code, on, staff, **extra):
    return services.record_credit_event(
        firm=firm, kind=kind(code), by=staff, occurred_on=on, description="事实。", **extra
    )


def scores(**period):
    period = period or {"period_start": YEAR_START, "period_end": YEAR_END}
    return {row.firm.name: row for row in services.score_firms(**period)}


def a_leader():
    """Credit lists are published on a leader's approval (core.permissions)."""
    return staff(Section.LEADER, username="credit-leader", name="信用审定领导")


def publish_2022(on=date(2023, 1, 10)):
    credit_list, _created = services.prepare_credit_list(
        period_start=YEAR_START, period_end=YEAR_END
    )
    return services.publish_credit_list(credit_list=credit_list, by=a_leader(), on=on)


def test_the_default_rules_are_data(db):
    assert CreditPolicy.current().base_score == 100
    assert [(g.code, g.min_score) for g in services.grades()] == [
        ("A", 90),
        ("B", 75),
        ("C", 60),
        ("D", 0),
    ]
    assert kind("valuation_changed").points < 0
    assert kind("commendation").points > 0


def test_score_is_the_base_plus_the_points_of_the_events_in_the_period(office_user):
    firm = FirmFactory(name="甲评估")
    FirmFactory(name="乙评估")
    event(firm, "late_report", date(2022, 3, 1), office_user)  # -5
    event(firm, "complaint_upheld", date(2022, 7, 1), office_user)  # -10
    event(firm, "commendation", date(2022, 12, 31), office_user)  # +5
    event(firm, "admin_penalty", date(2021, 12, 31), office_user)  # before the period
    rows = scores()
    assert (rows["甲评估"].score, rows["甲评估"].additions, rows["甲评估"].deductions) == (
        90,
        5,
        -15,
    )
    assert rows["甲评估"].event_count == 3
    assert rows["甲评估"].grade.code == "A"
    assert rows["乙评估"].score == 100
    assert [
        row.firm.name for row in services.score_firms(period_start=YEAR_START, period_end=YEAR_END)
    ] == ["乙评估", "甲评估"]


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (90, "A"), (89, "B"), (75, "B"), (74, "C"), (60, "C"), (59, "D"), (-20, "D")],
)
def test_grade_follows_from_the_thresholds(db, score, grade):
    assert services.grade_for(score, services.grades()).code == grade


def test_the_base_score_and_thresholds_are_data_staff_change(office_user):
    firm = FirmFactory(name="甲评估")
    event(firm, "late_report", date(2022, 3, 1), office_user)
    services.save_credit_rules(by=office_user, base_score=80)
    CreditGrade.objects.filter(code="B").update(min_score=70)
    row = scores()["甲评估"]
    assert (row.score, row.grade.code) == (75, "B")


def test_changing_a_kinds_points_does_not_change_recorded_events(office_user):
    firm = FirmFactory(name="甲评估")
    recorded = event(firm, "late_report", date(2022, 3, 1), office_user)
    services.save_event_kind(
        by=office_user, kind=kind("late_report"), points=-8, name="逾期出具评估报告"
    )
    later = event(firm, "late_report", date(2022, 4, 1), office_user)
    recorded.refresh_from_db()
    assert (recorded.points, later.points) == (-5, -8)
    assert scores()["甲评估"].score == 87


def test_an_event_cannot_be_in_the_future_nor_of_a_retired_kind(office_user):
    firm = FirmFactory()
    with pytest.raises(ValidationError):
        event(firm, "late_report", date(2030, 1, 1), office_user, today=date(2022, 1, 1))
    CreditEventKind.objects.filter(code="late_report").update(is_active=False)
    with pytest.raises(ValidationError):
        event(firm, "late_report", date(2022, 1, 1), office_user)


def test_a_published_list_does_not_change_when_events_are_added_later(office_user):
    firm = FirmFactory(name="甲评估")
    event(firm, "complaint_upheld", date(2022, 5, 1), office_user)
    credit_list = publish_2022()
    before = list(credit_list.entries.values_list("firm_name", "score", "grade_code", "rank"))
    assert ("甲评估", 90, "A", 1) in before

    event(firm, "admin_penalty", date(2022, 6, 1), office_user)  # in the period, recorded late
    services.save_credit_rules(by=office_user, base_score=60)
    CreditGrade.objects.filter(code="A").update(min_score=95)
    firm.name = "甲评估（更名）"
    firm.save()

    after = list(credit_list.entries.values_list("firm_name", "score", "grade_code", "rank"))
    assert after == before
    credit_list.refresh_from_db()
    assert credit_list.base_score == 100
    assert scores()["甲评估（更名）"].score == 30  # the live score moved on; the list did not


def test_a_list_is_published_once_and_only_after_its_period(office_user):
    credit_list, _created = services.prepare_credit_list(
        period_start=YEAR_START, period_end=YEAR_END
    )
    with pytest.raises(ValidationError) as error:
        services.publish_credit_list(credit_list=credit_list, by=a_leader(), on=date(2022, 12, 1))
    assert "评价期尚未结束" in error.value.messages[0]
    services.publish_credit_list(credit_list=credit_list, by=a_leader(), on=YEAR_END)
    with pytest.raises(ValidationError) as error:
        services.publish_credit_list(credit_list=credit_list, by=a_leader(), on=YEAR_END)
    assert "已经公布" in error.value.messages[0]


def test_a_firm_graded_below_the_bar_is_not_eligible(office_user, settings):
    firm = FirmFactory(name="甲评估")
    newcomer = FirmFactory(name="新评估")
    event(firm, "admin_penalty", date(2022, 3, 1), office_user)
    event(firm, "complaint_upheld", date(2022, 4, 1), office_user)  # 100 - 30 = 70: C
    publish_2022()
    today = date(2023, 2, 1)
    results = {r.firm: r for r in services.assess_firms([firm, newcomer], today=today)}
    assert results[firm].reasons == [
        "信用等级为C级（失信）（2022年度评估机构信用名录），低于B级（基本守信）。"
    ]
    assert results[newcomer].is_eligible  # not in any published list yet
    settings.APPRAISER_MIN_GRADE = "C"
    assert firm in services.eligible_firms(today=today)


def test_the_quarterly_job_prepares_the_last_quarters_draft_once(db):
    assert services.previous_quarter(date(2023, 1, 1)) == (date(2022, 10, 1), date(2022, 12, 31))
    assert services.previous_quarter(date(2022, 8, 15)) == (date(2022, 4, 1), date(2022, 6, 30))
    first = tasks.prepare_quarterly_credit_list.delay().get()
    second = tasks.prepare_quarterly_credit_list.delay().get()
    assert first == second
    assert CreditList.objects.count() == 1
    credit_list = CreditList.objects.get()
    assert credit_list.status == CreditList.Status.DRAFT
    assert "季度评估机构信用名录" in credit_list.title


def test_the_public_page_gets_the_current_list_and_the_past_ones(office_user):
    FirmFactory()
    assert services.published_credit_lists().current is None
    publish_2022()
    q1, _created = services.prepare_credit_list(
        period_start=date(2023, 1, 1), period_end=date(2023, 3, 31)
    )
    services.publish_credit_list(credit_list=q1, by=a_leader(), on=date(2023, 4, 3))
    services.prepare_credit_list(period_start=date(2023, 4, 1), period_end=date(2023, 6, 30))
    lists = services.published_credit_lists()
    assert lists.current.title == "2023年第1季度评估机构信用名录"
    assert [item.title for item in lists.past] == ["2022年度评估机构信用名录"]


# Pages


def test_staff_record_an_event_with_evidence_on_the_page(client, office_user, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    firm = FirmFactory(name="甲评估")
    login(client, "clerk")
    response = client.post(
        reverse("appraisers:credit_event_create"),
        {
            "firm": firm.pk,
            "kind": kind("complaint_upheld").pk,
            "occurred_on": "2022-05-01",
            "description": "被征收人投诉评估漏项，经查属实。",
            "evidence": SimpleUploadedFile("处理意见.pdf", b"%PDF-1.4 evidence", "application/pdf"),
        },
        follow=True,
    )
    html = response.content.decode()
    assert "已记录信用事件：甲评估 投诉经查属实" in html
    event_ = firm.credit_events.get()
    assert event_.recorded_by == office_user
    download = client.get(reverse("appraisers:credit_event_evidence", args=[event_.pk]))
    assert download.status_code == 200


def test_staff_edit_a_kinds_points_on_the_page(client, office_user):
    login(client, "clerk")
    late = kind("late_report")
    response = client.post(
        reverse("appraisers:kind_edit", args=[late.pk]),
        {
            "code": late.code,
            "name": late.name,
            "points": "-6",
            "description": "",
            "is_active": "on",
        },
    )
    assert response["Location"] == reverse("appraisers:credit_rules")
    late.refresh_from_db()
    assert late.points == -6
    zero = client.post(
        reverse("appraisers:kind_create"),
        {"code": "zero", "name": "零分", "points": "0", "description": ""},
    )
    assert "分值不能为0" in zero.content.decode()


def test_staff_prepare_and_publish_a_list_on_the_pages(client, office_user):
    FirmFactory(name="甲评估")
    login(client, "clerk")
    response = client.post(
        reverse("appraisers:credit_list_index"),
        {"period_start": "2022-01-01", "period_end": "2022-12-31", "title": ""},
    )
    credit_list = CreditList.objects.get()
    assert response["Location"] == credit_list.get_absolute_url()
    draft = client.get(credit_list.get_absolute_url()).content.decode()
    assert "2022年度评估机构信用名录" in draft
    assert "草稿" in draft
    # The clerk prepares it; a leader publishes it.
    assert "信用名录由领导审定公布。" in draft
    assert reverse("appraisers:credit_list_publish", args=[credit_list.pk]) not in draft
    client.logout()
    login(client, a_leader().username)
    published = client.post(
        reverse("appraisers:credit_list_publish", args=[credit_list.pk]),
        {"published_on": "2023-01-10"},
        follow=True,
    ).content.decode()
    assert "信用名录已公布" in published
    assert credit_list.entries.count() == 1


def test_credit_event_list_queries_do_not_grow(client, office_user, django_assert_num_queries):
    firm = FirmFactory()
    event(firm, "late_report", date(2022, 3, 1), office_user)
    login(client, "clerk")
    url = reverse("appraisers:credit_event_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        event(FirmFactory(), "commendation", date(2022, 3, n + 1), office_user)
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_district_users_cannot_touch_credit(client, outsider, office_user):
    credit_list, _created = services.prepare_credit_list(
        period_start=YEAR_START, period_end=YEAR_END
    )
    login(client, "outsider")
    assert client.get(credit_list.get_absolute_url()).status_code == 403
    publish = reverse("appraisers:credit_list_publish", args=[credit_list.pk])
    assert client.post(publish, {"published_on": "2023-01-10"}).status_code == 403
    assert client.get(reverse("appraisers:kind_create")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_from_credit_pages(client):
    for name in ["credit_event_list", "credit_rules", "credit_list_index"]:
        response = client.get(reverse(f"appraisers:{name}"))
        assert response["Location"].startswith(reverse("login"))


def test_the_credit_rules_page_marks_the_lowest_grade_without_naming_a_setting(
    client, office_user, settings
):
    settings.APPRAISER_MIN_GRADE = "C"
    login(client, "clerk")
    html = client.get(reverse("appraisers:credit_rules")).content.decode()
    assert html.count('<span class="badge">参加选定的最低等级</span>') == 1
    assert "APPRAISER_MIN_GRADE" not in html
