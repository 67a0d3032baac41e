from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Section
from projects import services
from projects.models import CompensationPlan, PlanReview
from tests.auth import login
from tests.factories import ProjectFactory, district_user, reviewers

pytestmark = pytest.mark.django_db

Status = CompensationPlan.Status
PDF = b"%PDF-1.4\n% test plan document\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name="补偿方案.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def plan_form(**overrides):
    data = {
        "valuation_basis": "以征收决定公告之日为价值时点，由选定的评估机构评估。",
        "relocation_allowance": "1000.00",
        "temporary_rate": "12.00",
        "temporary_months": "24",
        "early_signing_bonus": "20000.00",
        "early_signing_deadline": "2022-12-31",
        "subsidy_dibao": "5000.00",
        "subsidy_tekun": "6000.00",
        "subsidy_disabled": "3000.00",
        "subsidy_poverty": "4000.00",
        "swap_rules": "按被征收房屋建筑面积1:1调换。",
        "compensation_budget": "12000000.00",
        "monetary_temporary_months": "6",
        "swap_unit_price": "3800.00",
        "business_loss_rate": "5",
        "public_tenant_percent": "70",
        "rounding": CompensationPlan.Rounding.YUAN,
        "document": pdf(),
        "comment": "请审核。",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submitted_plan(project, by, **standards):
    fields = {
        "valuation_basis": "市场评估价",
        "relocation_allowance": Decimal("1000"),
        "temporary_rate": Decimal("12"),
        "temporary_months": 24,
        "document": pdf(),
        **standards,
    }
    return services.submit_plan(project=project, by=by, **fields)


def switch_to(client, username):
    """Log out and in again: the login page sends a logged-in user home without asking."""
    client.logout()
    login(client, username)


def html_of(response) -> str:
    return response.content.decode()


def test_district_user_submits_a_plan_that_waits_for_review(
    client, project, district_member, office_user
):
    login(client, "district")
    response = client.post(reverse("projects:plan_submit", args=[project.pk]), plan_form())

    plan = CompensationPlan.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == plan.get_absolute_url()
    assert plan.version == 1
    assert plan.status == Status.SUBMITTED
    assert plan.relocation_allowance == Decimal("1000.00")
    assert plan.subsidy_tekun == Decimal("6000.00")
    assert plan.compensation_budget == Decimal("12000000.00")
    assert plan.monetary_temporary_months == 6
    assert plan.swap_unit_price == Decimal("3800.00")
    assert plan.public_tenant_percent == Decimal("70")
    assert plan.rounding == CompensationPlan.Rounding.YUAN
    assert plan.submitted_by == district_member
    assert plan.document.name.endswith(".pdf")
    assert list(plan.reviews.values_list("action", "comment")) == [("submit", "请审核。")]

    html = html_of(client.get(plan.get_absolute_url()))
    assert "补偿方案第1版已提交，等待市征收办审核。" in html
    assert "待审核" in html
    assert "1,000.00 元/次" in html
    assert "12.00 元/平方米/月，24 个月" in html
    assert "12,000,000.00 元" in html
    assert "四舍五入到元" in html
    assert "退回修改" not in html  # only the office reviews


def test_plan_goes_through_return_reply_resubmit_and_approval(
    client, project, district_member, office_user
):
    login(client, "district")
    client.post(reverse("projects:plan_submit", args=[project.pk]), plan_form())
    first = CompensationPlan.objects.get(project=project)

    # The office returns it with a comment.
    switch_to(client, "clerk")
    page = html_of(client.get(first.get_absolute_url()))
    assert "退回修改" in page and "批准" in page
    response = client.post(
        reverse("projects:plan_return", args=[first.pk]),
        {"return-comment": "临时安置费标准偏低，请按市定标准调整。"},
        follow=True,
    )
    first.refresh_from_db()
    assert first.status == Status.RETURNED
    assert first.decided_by == office_user
    assert "方案已退回区县修改。" in html_of(response)

    # The district sees the comment, answers it and resubmits, prefilled from version 1.
    switch_to(client, "district")
    page = html_of(client.get(first.get_absolute_url()))
    assert "临时安置费标准偏低，请按市定标准调整。" in page
    assert "提交新版本" in page
    client.post(
        reverse("projects:plan_reply", args=[first.pk]),
        {"reply-comment": "已按市定标准调整为每月15元。"},
    )
    form_page = client.get(reverse("projects:plan_submit", args=[project.pk]))
    assert form_page.context["form"].initial["temporary_rate"] == Decimal("12.00")
    response = client.post(
        reverse("projects:plan_submit", args=[project.pk]),
        plan_form(temporary_rate="15.00", comment="第2版：调整临时安置费。"),
    )
    second = CompensationPlan.objects.get(project=project, version=2)
    assert response["Location"] == second.get_absolute_url()
    assert second.status == Status.SUBMITTED
    assert second.temporary_rate == Decimal("15.00")
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED

    # The office reviews version 2: 业务科 (the clerk), then 法规科, then a leader approves.
    people = reviewers()
    switch_to(client, "clerk")
    response = client.post(
        reverse("projects:plan_approve", args=[second.pk]), {"approve-comment": "业务科同意。"}
    )
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED
    for section in (Section.LEGAL, Section.LEADER):
        switch_to(client, people[section].username)
        response = client.post(
            reverse("projects:plan_approve", args=[second.pk]),
            {"approve-comment": "同意。"},
            follow=True,
        )
    second.refresh_from_db()
    assert second.status == Status.APPROVED
    assert second.decided_by == people[Section.LEADER]
    assert "补偿方案第2版已批准。" in html_of(response)

    # The whole thread of both versions is on the page, newest version first.
    thread = list(
        PlanReview.objects.filter(plan__project=project)
        .order_by("created_at", "pk")
        .values_list("plan__version", "action")
    )
    assert thread == [
        (1, "submit"),
        (1, "return"),
        (1, "reply"),
        (2, "submit"),
        (2, "pass"),
        (2, "pass"),
        (2, "approve"),
    ]
    html = html_of(response)
    assert html.index("第2版") < html.index("临时安置费标准偏低")
    assert "已按市定标准调整为每月15元。" in html
    assert "第2版：调整临时安置费。" in html
    assert "已批准" in html and "已被新版本替代" in html


def test_returned_plan_cannot_be_approved(client, project, district_member, office_user):
    plan = submitted_plan(project, district_member)
    services.return_plan(plan=plan, by=office_user, comment="请补充评估依据。")
    login(client, "clerk")

    response = client.post(reverse("projects:plan_approve", args=[plan.pk]), follow=True)

    plan.refresh_from_db()
    assert plan.status == Status.RETURNED
    assert response.status_code == 200
    assert "只能审核待审核的方案。" in html_of(response)
    # Nor are the review buttons offered on it.
    assert 'action="{}"'.format(reverse("projects:plan_approve", args=[plan.pk])) not in html_of(
        response
    )


def test_office_staff_cannot_submit_a_plan_for_a_district(client, project, office_user):
    login(client, "clerk")

    response = client.post(
        reverse("projects:plan_submit", args=[project.pk]), plan_form(), follow=True
    )

    assert not CompensationPlan.objects.exists()
    assert response.status_code == 200
    assert "只有项目所在区县的征收部门可以提交补偿方案。" in html_of(response)
    # The plan list offers staff no submit button either.
    assert reverse("projects:plan_submit", args=[project.pk]) not in html_of(response)


def test_district_user_cannot_approve_or_return_a_plan(client, project, district_member):
    plan = submitted_plan(project, district_member)
    login(client, "district")

    approve = client.post(reverse("projects:plan_approve", args=[plan.pk]))
    returned = client.post(
        reverse("projects:plan_return", args=[plan.pk]), {"return-comment": "自己退回"}
    )

    assert approve.status_code == 403
    assert returned.status_code == 403
    assert "无权访问" in html_of(approve)
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED
    assert plan.reviews.count() == 1


def test_second_submission_while_one_is_pending_is_refused(client, project, district_member):
    submitted_plan(project, district_member)
    login(client, "district")

    response = client.post(reverse("projects:plan_submit", args=[project.pk]), plan_form())

    assert response.status_code == 200
    assert "已有一版方案正在审核，请等待审核结果。" in html_of(response)
    assert CompensationPlan.objects.filter(project=project).count() == 1


def test_submit_page_says_why_while_a_version_waits_for_review(client, project, district_member):
    submitted_plan(project, district_member)
    login(client, "district")

    response = client.get(reverse("projects:plan_submit", args=[project.pk]))

    html = html_of(response)
    assert "第1版正在审核，审核结果出来前不能提交新版本。" in html
    assert 'enctype="multipart/form-data"' not in html


def test_a_plan_cannot_be_returned_without_a_comment(client, project, district_member, office_user):
    plan = submitted_plan(project, district_member)
    login(client, "clerk")

    response = client.post(
        reverse("projects:plan_return", args=[plan.pk]), {"return-comment": "  "}
    )

    assert response.status_code == 200
    assert "退回方案时必须填写审核意见。" in html_of(response)
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED


def test_resubmission_without_a_new_document_keeps_the_previous_one(
    client, project, district_member, office_user
):
    first = submitted_plan(project, district_member)
    services.return_plan(plan=first, by=office_user, comment="调整奖励期限。")
    login(client, "district")

    response = client.post(
        reverse("projects:plan_submit", args=[project.pk]), plan_form(document=None)
    )

    second = CompensationPlan.objects.get(project=project, version=2)
    assert response.status_code == 302
    assert second.document.name == first.document.name
    html = html_of(client.get(second.get_absolute_url()))
    assert "沿用第1版文本" in html
    download = client.get(reverse("projects:plan_document", args=[second.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_first_submission_needs_a_document(client, project, district_member):
    login(client, "district")

    response = client.post(
        reverse("projects:plan_submit", args=[project.pk]), plan_form(document=None)
    )

    assert response.status_code == 200
    assert "这个字段是必填项。" in html_of(response)
    assert not CompensationPlan.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("方案.exe", b"MZ\x90\x00"), "只接受PDF、Word 或 JPG/PNG 图片文件。"),
        (SimpleUploadedFile("方案.pdf", b"<html>not a pdf</html>"), "文件内容与扩展名.pdf不符"),
        (
            SimpleUploadedFile("方案.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)),
            "文件不能超过10MB。",
        ),
    ],
)
def test_plan_document_must_be_a_real_document_under_ten_megabytes(
    client, project, district_member, upload, message
):
    login(client, "district")

    response = client.post(
        reverse("projects:plan_submit", args=[project.pk]), plan_form(document=upload)
    )

    assert response.status_code == 200
    assert message in html_of(response)
    assert not CompensationPlan.objects.exists()


def test_negative_amounts_and_a_bonus_without_deadline_are_refused(
    client, project, district_member
):
    login(client, "district")

    response = client.post(
        reverse("projects:plan_submit", args=[project.pk]),
        plan_form(subsidy_dibao="-1", early_signing_deadline=""),
    )

    html = html_of(response)
    assert response.status_code == 200
    assert "确保该值大于或等于0。" in html
    assert "设置了提前签约奖励，请填写奖励截止日期。" in html
    assert not CompensationPlan.objects.exists()


def test_plan_document_is_downloaded_through_a_checked_view(
    client, project, district_member, office_user
):
    plan = submitted_plan(project, district_member)
    login(client, "clerk")

    response = client.get(reverse("projects:plan_document", args=[plan.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert "/media/" not in html_of(client.get(plan.get_absolute_url()))


def test_review_queue_lists_pending_plans_for_office_staff(
    client, project, other_project, district_member, outsider, office_user
):
    pending = submitted_plan(project, district_member)
    returned = submitted_plan(other_project, outsider)
    services.return_plan(plan=returned, by=office_user, comment="请修改。")
    login(client, "clerk")

    response = client.get(reverse("projects:plan_review_queue"))

    assert response.status_code == 200
    assert list(response.context["page"]) == [pending]
    assert "六岭棚改" in html_of(response)
    assert "水利局棚改" not in html_of(response)


def test_district_user_cannot_open_the_review_queue(client, district_member):
    login(client, "district")
    assert client.get(reverse("projects:plan_review_queue")).status_code == 403


def _plan_urls(plan):
    project_pk = plan.project_id
    return [
        ("get", reverse("projects:plan_list", args=[project_pk])),
        ("get", reverse("projects:plan_submit", args=[project_pk])),
        ("post", reverse("projects:plan_submit", args=[project_pk])),
        ("get", reverse("projects:plan_detail", args=[plan.pk])),
        ("get", reverse("projects:plan_document", args=[plan.pk])),
        ("post", reverse("projects:plan_return", args=[plan.pk])),
        ("post", reverse("projects:plan_approve", args=[plan.pk])),
        ("post", reverse("projects:plan_reply", args=[plan.pk])),
    ]


def test_district_user_cannot_reach_another_districts_plan_by_any_url(
    client, project, district_member, outsider
):
    plan = submitted_plan(project, district_member)
    login(client, "outsider")

    for method, url in _plan_urls(plan):
        response = getattr(client, method)(url, {"reply-comment": "x", "return-comment": "x"})
        assert response.status_code == 404, url

    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED
    assert plan.reviews.count() == 1


def test_anonymous_user_is_sent_to_login_from_every_plan_url(client, project, district_member):
    plan = submitted_plan(project, district_member)

    for method, url in [*_plan_urls(plan), ("get", reverse("projects:plan_review_queue"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def _returned_versions(project, district, staff, count):
    for _ in range(count):
        plan = submitted_plan(project, district)
        services.comment_on_plan(plan=plan, by=district, comment="说明")
        services.return_plan(plan=plan, by=staff, comment="请修改。")


def test_plan_pages_do_not_issue_more_queries_for_more_versions(
    client, project, district_member, office_user, django_assert_max_num_queries
):
    _returned_versions(project, district_member, office_user, 3)
    login(client, "clerk")
    list_url = reverse("projects:plan_list", args=[project.pk])
    detail_url = project.plans.order_by("-version").first().get_absolute_url()
    few_list, few_detail = _queries(client, list_url), _queries(client, detail_url)

    _returned_versions(project, district_member, office_user, 27)
    detail_url = project.plans.order_by("-version").first().get_absolute_url()
    with django_assert_max_num_queries(few_list):
        response = client.get(list_url)
    assert len(response.context["plans"]) == 30
    with django_assert_max_num_queries(few_detail):
        response = client.get(detail_url)
    assert len(response.context["versions"]) == 30


def test_review_queue_does_not_issue_more_queries_for_more_plans(
    client, district, office_user, django_assert_max_num_queries
):
    submitter = district_user(district, username="submitter")

    def pending(count):
        for _ in range(count):
            submitted_plan(ProjectFactory(district=district), submitter)

    pending(3)
    login(client, "clerk")
    url = reverse("projects:plan_review_queue")
    few = _queries(client, url)

    pending(27)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"]) == 25


def test_a_plan_cannot_be_submitted_once_the_project_is_past_the_plan_stage(
    district_member, project
):
    from django.core.exceptions import ValidationError

    from projects import services
    from projects.models import Stage
    from tests.projects.helpers import PLAN_STANDARDS

    project.stage = Stage.DECISION
    project.save(update_fields=["stage"])
    with pytest.raises(ValidationError) as error:
        services.submit_plan(project=project, by=district_member, **PLAN_STANDARDS)
    assert (
        "提交补偿方案须在「立项启动」、「调查登记」、「补偿方案」阶段办理"
        in (error.value.messages[0])
    )


def _queue_cell(client, plan) -> str:
    """The review queue's action cell of the plan's row (the queue holds this plan only)."""
    html = html_of(client.get(reverse("projects:plan_review_queue")))
    assert html.count('<td class="review-action">') == 1
    cell = html.split('<td class="review-action">', 1)[1].split("</td>", 1)[0]
    assert plan.get_absolute_url() in cell
    return cell


def test_review_queue_offers_review_only_to_the_section_whose_step_it_is(
    client, project, district_member
):
    """The queue's 审核 button follows plan_approve's own rule: 业务科 at the first step, then
    法规科; the other sections (and 业务科 once its step is done) see the status only."""
    people = reviewers()
    plan = submitted_plan(project, district_member)
    for section, expected in [
        (Section.OPERATIONS, True),
        (Section.LEGAL, False),
        (Section.LEADER, False),
        (Section.SECRETARIAT, False),
    ]:
        client.force_login(people[section])
        cell = _queue_cell(client, plan)
        assert ("审核</a>" in cell) is expected, section
        assert ("查看</a>" in cell) is not expected, section
        # The button's promise holds: the POST of anybody without it is refused.
        if not expected:
            response = client.post(reverse("projects:plan_approve", args=[plan.pk]))
            assert response.status_code == 403, section
    services.approve_plan(plan=plan, by=people[Section.OPERATIONS])
    client.force_login(people[Section.OPERATIONS])
    assert "查看</a>" in _queue_cell(client, plan)
    client.force_login(people[Section.LEGAL])
    assert "审核</a>" in _queue_cell(client, plan)


def test_review_queue_shows_the_stage_reason_instead_of_the_review_button(
    client, project, district_member
):
    from projects.models import Stage

    people = reviewers()
    plan = submitted_plan(project, district_member)
    project.stage = Stage.DECISION
    project.save(update_fields=["stage"])
    client.force_login(people[Section.OPERATIONS])
    cell = _queue_cell(client, plan)
    assert "审核</a>" not in cell and "查看</a>" in cell
    assert "尚不能审核：项目处于「征收决定」阶段，审批补偿方案须在" in cell
    response = client.post(reverse("projects:plan_approve", args=[plan.pk]))
    assert response.status_code == 409
