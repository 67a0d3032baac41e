from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import Section
from projects import gates, services
from projects.models import Approval, Notice, Project, Stage
from tests.auth import login
from tests.factories import HouseholdFactory, ProjectFactory, UserFactory, put_at_stage, staff
from tests.projects.helpers import file_approvals, publish

pytestmark = pytest.mark.django_db


def test_staff_see_every_project_with_its_counts(client, office_user, project, other_project):
    HouseholdFactory.create_batch(3, project=project)
    HouseholdFactory(project=project, signed_on=date(2022, 5, 1), method="monetary")
    login(client, "clerk")
    html = client.get(reverse("projects:project_list")).content.decode()
    assert "六岭棚改" in html and "水利局棚改" in html
    assert "共 2 个项目" in html


def test_the_list_filters_by_district_stage_kind_key_and_search(
    client, office_user, project, other_project
):
    ProjectFactory(district=project.district, name="三里桥道路改造工程", kind="road", is_key=True)
    login(client, "clerk")
    url = reverse("projects:project_list")

    def names(**params):
        page = client.get(url, params).context["page"]
        return sorted(p.name for p in page)

    assert names(district=other_project.district.pk) == ["水利局棚改"]
    assert names(kind="road") == ["三里桥道路改造工程"]
    assert names(is_key="on") == ["三里桥道路改造工程"]
    assert names(q="六岭") == ["六岭棚改"]
    assert names(q="2022-DX") == ["水利局棚改"]
    assert names(stage="signing") == []


def test_the_year_filter_keeps_projects_in_progress_that_year(client, office_user, district):
    ProjectFactory(district=district, name="已开工", started_on=date(2021, 6, 1))
    ProjectFactory(
        district=district,
        name="早已完成",
        started_on=date(2019, 1, 1),
        completed_on=date(2021, 12, 31),
    )
    ProjectFactory(district=district, name="尚未启动")
    login(client, "clerk")
    page = client.get(reverse("projects:project_list"), {"year": 2022}).context["page"]
    assert [p.name for p in page] == ["已开工"]


def test_district_user_sees_only_their_district_projects(
    client, district_member, project, other_project
):
    login(client, "district")
    html = client.get(reverse("projects:project_list")).content.decode()
    assert "六岭棚改" in html
    assert "水利局棚改" not in html
    assert client.get(project.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["project_detail", "project_edit", "project_staffing", "project_advance", "approval_record"],
)
def test_district_user_cannot_reach_another_district_project(
    client, district_member, other_project, name
):
    login(client, "district")
    url = reverse(f"projects:{name}", args=[other_project.pk])
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code == 404


def test_district_user_cannot_reach_another_district_approval(
    client, district_member, office_user, other_project, outsider
):
    file_approvals(other_project, district_user=outsider, staff=office_user, verify=False)
    approval = other_project.approvals.first()
    login(client, "district")
    assert client.get(reverse("projects:approval_file", args=[approval.pk])).status_code == 404
    assert client.post(reverse("projects:approval_verify", args=[approval.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, project):
    for url in [
        reverse("projects:project_list"),
        reverse("projects:project_create"),
        project.get_absolute_url(),
        reverse("projects:project_edit", args=[project.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_district_user_registers_a_project_in_their_own_district_only(
    client, district_member, other_district
):
    login(client, "district")
    data = {"code": "2023-SQ-009", "name": "桃花新村棚改", "kind": "shantytown"}
    refused = client.post(
        reverse("projects:project_create"), {**data, "district": other_district.pk}
    )
    assert refused.status_code == 200
    assert "选择一个有效的选项" in refused.content.decode()
    assert not Project.objects.exists()

    response = client.post(
        reverse("projects:project_create"), {**data, "district": district_member.district_id}
    )
    project = Project.objects.get(code="2023-SQ-009")
    assert response["Location"] == project.get_absolute_url()
    assert project.created_by == district_member
    assert project.stage_changes.get().changed_by == district_member


def test_a_duplicate_project_code_is_refused_in_chinese(client, office_user, project):
    login(client, "clerk")
    response = client.post(
        reverse("projects:project_create"),
        {"code": project.code, "name": "重复", "kind": "other", "district": project.district_id},
    )
    assert "具有 项目编号 的 征收项目 已存在" in response.content.decode()


def test_the_district_files_approvals_and_the_office_verifies_them(
    client, district_member, office_user, project
):
    login(client, "district")
    url = reverse("projects:approval_record", args=[project.pk])
    # the 审批手续 panel's button
    form = _form_behind_button(client, project, url, "上传或更新审批手续")
    assert 'name="number"' in form and 'enctype="multipart/form-data"' in form
    response = client.post(
        url,
        {
            "kind": "project",
            "number": "邵发改〔2022〕18号",
            "issued_on": "2022-01-10",
            "file": SimpleUploadedFile("批复.pdf", b"%PDF-1.4 test", "application/pdf"),
        },
        follow=True,
    )
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert "审批手续已上传，等待市征收办核查。" in response.content.decode()
    assert "邵发改〔2022〕18号" in response.content.decode()
    approval = Approval.objects.get(project=project)
    assert not approval.is_verified
    assert client.post(reverse("projects:approval_verify", args=[approval.pk])).status_code == 403
    assert client.get(reverse("projects:approval_file", args=[approval.pk])).status_code == 200

    client.post(reverse("logout"))
    login(client, "clerk")
    response = client.post(reverse("projects:approval_verify", args=[approval.pk]), follow=True)
    approval.refresh_from_db()
    assert approval.verified_by == office_user
    assert "已核查（王测试" in response.content.decode()


def test_office_staff_who_filed_an_approval_cannot_verify_it_themselves(
    client, office_user, project
):
    """Four eyes: 业务科 may file an approval for a district, but another member checks it."""
    login(client, "clerk")
    client.post(
        reverse("projects:approval_record", args=[project.pk]),
        {"kind": "planning", "number": "邵规〔2022〕7号", "issued_on": "2022-01-10"},
    )
    approval = Approval.objects.get(project=project)
    verify = reverse("projects:approval_verify", args=[approval.pk])
    page = client.get(project.get_absolute_url()).content.decode()
    assert f'action="{verify}"' not in page  # no button for the one who filed it
    response = client.post(verify, follow=True)
    assert "该事项由您提交，第一步审核须由本科室的另一人办理。" in response.content.decode()
    approval.refresh_from_db()
    assert not approval.is_verified

    colleague = staff(Section.OPERATIONS, username="clerk2", name="李核查")
    client.post(reverse("logout"))
    login(client, "clerk2")
    assert f'action="{verify}"' in client.get(project.get_absolute_url()).content.decode()
    client.post(verify)
    approval.refresh_from_db()
    assert approval.verified_by == colleague


def test_an_approval_is_replaced_after_initiation_only_on_a_leaders_recorded_override(
    client, district_member, project
):
    """Replacing a verified approval sends it back to 待核查: once the project has left 立项启动
    that takes a leader's recorded override, used once."""
    put_at_stage(project, Stage.SURVEY)
    login(client, "district")
    url = reverse("projects:approval_record", args=[project.pk])
    data = {"kind": "land", "number": "邵国土〔2022〕3号", "issued_on": "2022-01-10"}
    refusal = "项目处于「调查登记」阶段，上传或更新审批手续须在「立项启动」阶段办理。"
    # The project page offers no link to the form, but the control with its reason.
    page = client.get(project.get_absolute_url()).content.decode()
    assert f'href="{url}"' not in page
    control = page.split('id="approval-refused"')[1].split("</details>")[0]
    assert "上传或更新审批手续" in control and "暂不可办理" in control and refusal in control
    assert refusal in client.get(url).content.decode()
    assert refusal in client.post(url, data).content.decode()
    assert not Approval.objects.filter(project=project).exists()

    gates.override(
        action="approval.record",
        by=staff(Section.LEADER, username="boss", name="周领导"),
        reason="原扫描件不清晰",
        project=project,
    )
    page = client.get(project.get_absolute_url()).content.decode()
    assert f'href="{url}">上传或更新审批手续</a>' in page
    assert 'id="approval-refused"' not in page
    response = client.post(url, data, follow=True)
    assert "审批手续已上传，等待市征收办核查。" in response.content.decode()
    assert Approval.objects.filter(project=project, kind="land").count() == 1
    assert refusal in client.post(url, data).content.decode()  # the override is used up


def test_the_office_assigns_a_liaison_and_a_leader(client, office_user, project):
    leader = staff(Section.LEADER, username="boss", name="周领导")
    login(client, "clerk")
    url = reverse("projects:project_staffing", args=[project.pk])
    # the 项目概况 panel's button
    form = _form_behind_button(client, project, url, "指定联系人和负责领导")
    assert 'name="liaison"' in form and "周领导" in form

    response = client.post(url, {"liaison": office_user.pk, "leader": leader.pk}, follow=True)
    project.refresh_from_db()
    assert (project.liaison, project.leader) == (office_user, leader)
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "项目联系人和负责领导已保存。" in html
    assert "周领导" in html


def test_a_staffing_choice_that_is_not_an_office_user_is_shown_again_with_its_error(
    client, office_user, district_member, project
):
    login(client, "clerk")
    url = reverse("projects:project_staffing", args=[project.pk])
    response = client.post(url, {"liaison": district_member.pk, "leader": ""})
    assert response.status_code == 200
    assert "请选择有效的联系人和领导。" in response.content.decode()
    assert 'class="field-error"' in response.content.decode()
    project.refresh_from_db()
    assert project.liaison is None


def test_a_system_administrator_in_no_section_is_nobodys_liaison(client, office_user, project):
    admin = UserFactory(username="sysadmin", name="系统管理员", is_superuser=True, sections=[])
    login(client, "clerk")
    url = reverse("projects:project_staffing", args=[project.pk])
    assert "系统管理员" not in client.get(url).content.decode()
    response = client.post(url, {"liaison": admin.pk, "leader": ""})
    assert "请选择有效的联系人和领导。" in response.content.decode()
    project.refresh_from_db()
    assert project.liaison is None


def test_an_approval_without_its_number_is_shown_again_with_its_error(
    client, district_member, project
):
    login(client, "district")
    url = reverse("projects:approval_record", args=[project.pk])
    response = client.post(url, {"kind": "project", "issued_on": "2022-01-10"})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert set(response.context["form"].errors) == {"number"}  # the error is the number's
    assert not Approval.objects.filter(project=project).exists()


def test_district_users_see_no_staffing_or_suspension_button_and_are_refused_their_pages(
    client, district_member, project
):
    login(client, "district")
    html = client.get(project.get_absolute_url()).content.decode()
    for name in ("project_staffing", "suspension_record"):
        url = reverse(f"projects:{name}", args=[project.pk])
        assert url not in html
        assert client.get(url).status_code == 403


def test_the_office_records_a_suspension_notice_from_the_legal_panel(client, office_user, project):
    login(client, "clerk")
    url = reverse("projects:suspension_record", args=[project.pk])
    # the 法定程序 panel's button
    form = _form_behind_button(client, project, url, "登记暂停办理通知")
    assert 'name="number"' in form and 'enctype="multipart/form-data"' in form

    fields = {
        "number": "双征暂字〔2022〕1号",
        "issued_on": "2022-03-01",
        "months": 12,
        "agencies": "自然资源局、住建局、市场监管局",
        "scope": "新建、扩建、改建房屋",
    }
    response = client.post(url, fields, follow=True)
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "暂停办理通知已登记。" in html
    assert "双征暂字〔2022〕1号：2022-03-01 至 2023-03-01" in html


def test_a_suspension_notice_with_a_missing_field_is_shown_again_with_its_error(
    client, office_user, project
):
    login(client, "clerk")
    url = reverse("projects:suspension_record", args=[project.pk])
    response = client.post(url, {"number": "双征暂字〔2022〕1号", "months": 12})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not project.suspensions.exists()


def test_an_approval_or_a_suspension_notice_dated_after_today_is_refused_on_its_page(
    client, office_user, project
):
    """Neither is issued yet on a day still to come."""
    login(client, "clerk")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    url = reverse("projects:approval_record", args=[project.pk])
    response = client.post(url, {"kind": "project", "number": "批1号", "issued_on": tomorrow})
    assert response.status_code == 200
    assert "批准日期不能晚于今天。" in response.content.decode()
    assert not Approval.objects.filter(project=project).exists()
    url = reverse("projects:suspension_record", args=[project.pk])
    fields = {
        "number": "双征暂字〔2022〕1号",
        "issued_on": tomorrow,
        "months": 12,
        "agencies": "自然资源局",
        "scope": "新建、扩建、改建房屋",
    }
    response = client.post(url, fields)
    assert response.status_code == 200
    assert "发文日期不能晚于今天。" in response.content.decode()
    assert not project.suspensions.exists()


def test_the_project_page_shows_timeline_approvals_and_notices(
    client, office_user, district_member, project
):
    file_approvals(project, district_user=district_member, staff=office_user)
    publish(project, Notice.Kind.START, staff=office_user, on=date(2022, 3, 1))
    services.advance_stage(project=project, by=office_user, today=date(2022, 3, 1))
    login(client, "clerk")
    html = client.get(project.get_absolute_url()).content.decode()
    assert "邵发改〔2022〕project号" in html
    assert "六岭棚改启动公告" in html
    assert "立项启动 → 调查登记" in html
    assert "2022年3月1日" in html


def _form_behind_button(client, project, url: str, label: str) -> str:
    """The HTML of the form page `url`, once the project page is seen to link to it by a
    button labelled `label`."""
    page = client.get(project.get_absolute_url()).content.decode()
    assert f'href="{url}">{label}</a>' in page
    return client.get(url).content.decode()


def _households(project, count):
    HouseholdFactory.create_batch(count, project=project)


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in context.captured_queries]


def test_the_project_list_issues_the_same_queries_for_10_and_500_households(
    client, office_user, project, other_project, django_assert_num_queries
):
    login(client, "clerk")
    url = reverse("projects:project_list")
    _households(project, 10)
    small = _queries(client, url)
    _households(other_project, 490)
    with django_assert_num_queries(len(small)):
        client.get(url)


def test_the_project_page_and_household_list_do_not_grow_with_households(
    client, office_user, project, django_assert_num_queries
):
    login(client, "clerk")
    _households(project, 10)
    pages = [project.get_absolute_url(), reverse("projects:household_list", args=[project.pk])]
    for url in pages:
        # Once first: a first request in a process may fill caches (content types).
        client.get(url)
    counts = [len(_queries(client, url)) for url in pages]
    _households(project, 490)
    for url, count in zip(pages, counts, strict=True):
        with django_assert_num_queries(count):
            client.get(url)
