from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from projects.models import Household, HouseholdDocument
from tests.auth import login
from tests.compensation.factories import ready_to_sign
from tests.factories import HouseholdFactory, fullwidth, resident_id

pytestmark = pytest.mark.django_db


def household_data(**overrides):
    return {
        "code": "A-001",
        "head_name": "张三丰",
        "id_number": resident_id(11),
        "phone": "13812345678",
        "address": "双清区测试街1号",
        "use": "residential",
        "area": "86.50",
        "hardship": "",
        "ruling": "",
        "note": "",
        **overrides,
    }


def create(client, project, follow=False, **overrides):
    return client.post(
        reverse("projects:household_create", args=[project.pk]),
        household_data(**overrides),
        follow=follow,
    )


def test_a_district_user_registers_a_household(client, district_member, project):
    login(client, "district")
    response = create(client, project)
    household = Household.objects.get()
    assert response["Location"] == household.get_absolute_url()
    assert household.area == household.area.__class__("86.50")
    record = household.history.get()
    assert record.history_user == district_member


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", resident_id(11)[:-1] + "0", "校验位错误"),
        ("id_number", "43050219801301123X", "出生日期“19801301”不是有效日期"),
        ("id_number", "4305021980010112", "应为18位"),
        ("phone", "1381234567", "手机号应为11位数字"),
        ("area", "86.505", "确认小数不超过 2 位"),
        ("area", "0", "确保该值大于或等于0.01"),
        ("use", "shop", "选择一个有效的选项"),
    ],
)
def test_bad_household_input_gets_a_chinese_error_and_saves_nothing(
    client, district_member, project, field, value, message
):
    if field == "id_number" and value.endswith("0") and resident_id(11).endswith("0"):
        value = value[:-1] + "1"
    login(client, "district")
    response = create(client, project, **{field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Household.objects.exists()


def test_a_duplicate_household_code_in_the_project_is_refused(client, district_member, project):
    HouseholdFactory(project=project, code="A-001")
    login(client, "district")
    response = create(client, project)
    assert "本项目中已有相同户号的被征收户" in response.content.decode()
    assert Household.objects.count() == 1


def test_an_unknown_region_code_is_a_warning_not_an_error(client, district_member, project):
    login(client, "district")
    # 430582 (邵东市) exists only since 2019: no number of someone born in 1980 carries it.
    response = create(client, project, id_number=resident_id(5, region="430582"), follow=True)
    html = response.content.decode()
    assert Household.objects.exists()
    assert "地区代码430582在该号码可能编发的年份" in html


def test_signing_records_the_date_and_method_once(client, district_member, project):
    household = ready_to_sign(project)
    login(client, "district")
    url = reverse("projects:household_sign", args=[household.pk])
    response = client.post(url, {"signed_on": "2022-06-01", "method": "swap"}, follow=True)
    assert "已登记签约" in response.content.decode()
    household.refresh_from_db()
    assert (household.signed_on, household.method) == (date(2022, 6, 1), "swap")

    again = client.post(url, {"signed_on": "2022-06-02", "method": "monetary"}, follow=True)
    assert "该户处于「已签约」状态，签订补偿协议（签约）须在该户处于" in again.content.decode()
    household.refresh_from_db()
    assert household.method == "swap"


def test_a_signing_date_in_the_future_is_refused(client, district_member, project):
    household = ready_to_sign(project)  # the gate is open: only the date is wrong
    login(client, "district")
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("projects:household_sign", args=[household.pk]),
        {"signed_on": tomorrow.isoformat(), "method": "monetary"},
        follow=True,
    )
    assert "签约日期不能晚于今天" in response.content.decode()
    household.refresh_from_db()
    assert not household.is_signed


def test_family_members_are_added_with_checked_id_numbers(client, district_member, project):
    household = HouseholdFactory(project=project)
    login(client, "district")
    url = reverse("projects:member_add", args=[household.pk])
    bad = client.post(url, {"name": "李四", "relation": "配偶", "id_number": "123"}, follow=True)
    assert "应为18位" in bad.content.decode()
    client.post(url, {"name": "李四", "relation": "配偶", "id_number": resident_id(42)})
    assert household.members.get().relation == "配偶"


def test_the_archive_keeps_documents_for_those_allowed(
    client, district_member, outsider, office_user, project
):
    household = HouseholdFactory(project=project)
    login(client, "district")
    client.post(
        reverse("projects:document_upload", args=[household.pk]),
        {
            "kind": "certificate",
            "title": "房屋所有权证",
            "file": SimpleUploadedFile("证.pdf", b"%PDF-1.4 scan", "application/pdf"),
        },
    )
    document = HouseholdDocument.objects.get()
    assert document.uploaded_by == district_member
    download = client.get(reverse("projects:document_download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 scan"
    assert "房屋所有权证" in client.get(household.get_absolute_url()).content.decode()

    client.post(reverse("logout"))
    login(client, "outsider")
    assert client.get(reverse("projects:document_download", args=[document.pk])).status_code == 404


def test_an_archive_upload_of_the_wrong_type_is_refused(client, district_member, project):
    household = HouseholdFactory(project=project)
    login(client, "district")
    response = client.post(
        reverse("projects:document_upload", args=[household.pk]),
        {
            "kind": "other",
            "title": "脚本",
            "file": SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream"),
        },
        follow=True,
    )
    assert "只接受PDF" in response.content.decode()
    assert not HouseholdDocument.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "household_detail",
        "household_edit",
        "household_sign",
        "member_add",
        "document_upload",
    ],
)
def test_district_user_cannot_reach_another_district_household(
    client, district_member, other_project, name
):
    household = HouseholdFactory(project=other_project)
    login(client, "district")
    url = reverse(f"projects:{name}", args=[household.pk])
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code == 404


def test_district_user_cannot_list_or_add_households_of_another_district(
    client, district_member, other_project
):
    login(client, "district")
    for name in ["household_list", "household_create"]:
        url = reverse(f"projects:{name}", args=[other_project.pk])
        assert client.get(url).status_code == 404


def test_anonymous_visitors_cannot_see_households(client, project):
    household = HouseholdFactory(project=project)
    for url in [
        reverse("projects:household_list", args=[project.pk]),
        household.get_absolute_url(),
    ]:
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_the_household_list_searches_and_filters(client, office_user, project):
    HouseholdFactory(project=project, code="A-1", head_name="王大明")
    HouseholdFactory(
        project=project, code="A-2", head_name="赵小红", signed_on=date(2022, 1, 5), method="swap"
    )
    login(client, "clerk")
    url = reverse("projects:household_list", args=[project.pk])

    def codes(**params):
        return [h.code for h in client.get(url, params).context["page"]]

    assert codes(q="大明") == ["A-1"]
    assert codes(signed="yes") == ["A-2"]
    assert codes(signed="no") == ["A-1"]


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("id_number", lambda n: fullwidth(n), lambda n: n),
        ("id_number", lambda n: n[:6] + "\u3000" + n[6:14] + "\u200b" + n[14:], lambda n: n),
        ("head_name", lambda n: "张\u3000三", lambda n: "张三"),
        ("phone", lambda n: "（０７３９）５１２３４５６转８", lambda n: "0739-5123456转8"),
        ("code", lambda n: " Ａ－001\u200b", lambda n: "A-001"),
    ],
    ids=["fullwidth-id", "spaced-id", "padded-name", "fullwidth-phone", "fullwidth-code"],
)
def test_the_staff_form_stores_what_was_typed_in_its_one_form(
    client, district_member, project, field, typed, stored
):
    number = resident_id(11)
    login(client, "district")
    value = typed(number)
    response = create(client, project, **{field: value})
    assert response.status_code == 302, response.content.decode()
    assert getattr(Household.objects.get(), field) == stored(number)


@pytest.mark.parametrize(
    ("typed", "cause"),
    [
        (lambda n: n[:6] + "\u200b" + n[7:], "不可见字符"),
        (lambda n: fullwidth(n[:-1]), "全角"),
        (lambda n: n[:6] + n[8:14] + n[14:17], "15位的第一代身份证"),
    ],
    ids=["invisible", "fullwidth-17", "first-generation"],
)
def test_the_staff_form_names_the_real_cause_of_a_bad_id(
    client, district_member, project, typed, cause
):
    login(client, "district")
    response = create(client, project, id_number=typed(resident_id(11)))
    assert response.status_code == 200
    assert cause in response.content.decode()
    assert not Household.objects.exists()
