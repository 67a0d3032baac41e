"""A household's history page shows each change itself: who, when, which field, old → new,
for the household and its family members and archive files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import Household
from tests.auth import login
from tests.factories import HouseholdFactory, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def edit_form(household: Household, **changes) -> dict:
    data = {
        "code": household.code,
        "head_name": household.head_name,
        "id_number": household.id_number,
        "phone": household.phone,
        "address": household.address,
        "use": household.use,
        "area": str(household.area),
        "hardship": household.hardship,
        "owner_unit": household.owner_unit,
        "ruling": household.ruling,
        "note": household.note,
    }
    return data | changes


def history_rows(html: str) -> str:
    start = html.index("变更记录")
    return html[start:]


def test_a_household_edit_shows_the_changed_fields_with_old_and_new_values(
    client, project, district_member
):
    household = HouseholdFactory(
        project=project, phone="13900001111", area="88.50", address="六岭路1号", hardship=""
    )
    login(client, "district")

    response = client.post(
        reverse("projects:household_edit", args=[household.pk]),
        edit_form(household, phone="13900002222", area="90.25", hardship="dibao"),
    )
    assert response.status_code == 302

    page = history_rows(client.get(household.get_absolute_url()).content.decode())
    assert "李区县" in page
    assert "<strong>联系电话</strong>：<del>13900001111</del> → <ins>13900002222</ins>" in page
    assert "<strong>建筑面积（平方米）</strong>：<del>88.50</del> → <ins>90.25</ins>" in page
    # A choice shows its label, a blank value a dash; unchanged fields are not listed.
    assert "<del>—</del> → <ins>低保</ins>" in page
    assert "<strong>房屋坐落</strong>" not in page


def test_family_members_and_archive_files_are_in_the_household_history(
    client, project, district_member, office_user
):
    household = HouseholdFactory(project=project)
    login(client, "district")
    client.post(
        reverse("projects:member_add", args=[household.pk]),
        {"name": "王小明", "relation": "子", "id_number": "", "phone": ""},
    )
    client.post(
        reverse("projects:document_upload", args=[household.pk]),
        {
            "kind": "certificate",
            "title": "房屋所有权证",
            "file": SimpleUploadedFile("权证.pdf", b"%PDF-1.4 test", "application/pdf"),
        },
    )

    page = history_rows(client.get(household.get_absolute_url()).content.decode())
    assert "家庭成员 王小明" in page
    assert "档案文件 房屋所有权证" in page
    assert page.count("新增") >= 3  # the household, the member, the file


def test_the_history_costs_the_same_queries_for_more_changes(
    client, project, district_member, office_user
):
    household = HouseholdFactory(project=project)
    login(client, "district")
    url = household.get_absolute_url()

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    services.update_household(household=household, by=district_member, note="一")
    services.add_family_member(household=household, by=office_user, name="成员", relation="子")
    few = queries()
    for n in range(10):
        services.add_family_member(
            household=household, by=office_user, name=f"成员{n}", relation="亲属",
            id_number=resident_id(700 + n),
        )  # fmt: skip
        services.update_household(household=household, by=office_user, note=f"第{n}次")
    assert queries() == few
