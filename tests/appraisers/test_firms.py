from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appraisers import services
from appraisers.models import AppraisalFirm
from core.validators import validate_credit_code
from tests.appraisers.factories import FirmFactory, ValuerFactory, credit_code
from tests.auth import login

pytestmark = pytest.mark.django_db
TODAY = date(2022, 6, 1)


@pytest.mark.parametrize(
    "code",
    ["91110000600037341L", credit_code(1), credit_code(424242)],
)
def test_valid_credit_codes_pass_the_gb_32100_check(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341M",  # wrong check character
        "9111000060003734",  # too short
        "A1110000600037341L",  # letters in the region part
        "91110000600O37341L",  # O is not in the alphabet
    ],
)
def test_invalid_credit_codes_are_refused(code):
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def firm_data(**overrides):
    return {
        "name": "邵阳市测试房地产估价有限公司",
        "credit_code": credit_code(77),
        "grade": "1",
        "certificate_number": "湘建房估证字[2021]0077号",
        "qualification_expires_on": "2099-12-31",
        "legal_representative": "",
        "contact_person": "",
        "phone": "0739-5123456",
        "address": "",
        "status": "active",
        "note": "",
        **overrides,
    }


def test_office_staff_register_a_firm_and_its_valuers(client, office_user):
    login(client, "clerk")
    response = client.post(reverse("appraisers:firm_create"), firm_data())
    firm = AppraisalFirm.objects.get()
    assert response["Location"] == firm.get_absolute_url()
    assert firm.history.get().history_user == office_user

    url = reverse("appraisers:valuer_add", args=[firm.pk])
    client.post(url, {"name": "估价师甲", "registration_number": "4320190001"})
    client.post(url, {"name": "估价师乙", "registration_number": "4320190002"})
    assert firm.valuers.count() == 2


def test_a_bad_credit_code_gets_a_chinese_error_and_saves_nothing(client, office_user):
    login(client, "clerk")
    code = credit_code(77)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post(reverse("appraisers:firm_create"), firm_data(credit_code=wrong))
    assert "统一社会信用代码无效" in response.content.decode()
    assert not AppraisalFirm.objects.exists()


def test_a_lower_case_credit_code_is_stored_in_capitals(office_user):
    firm = services.register_firm(
        by=office_user, **{**firm_data(), "credit_code": "91110000600037341l"}
    )
    assert firm.credit_code == "91110000600037341L"


def test_an_expired_qualification_is_flagged_and_not_eligible(office_user):
    firm = FirmFactory(qualification_expires_on=TODAY - timedelta(days=1))
    (result,) = services.assess_firms([firm], today=TODAY)
    assert not result.is_eligible
    assert "资质证书已于2022年5月31日过期" in result.reasons[0]
    assert firm not in services.eligible_firms(today=TODAY)


def test_the_expiry_day_itself_is_still_valid():
    firm = FirmFactory(qualification_expires_on=TODAY)
    assert firm in services.eligible_firms(today=TODAY)


def test_a_suspended_firm_or_one_with_fewer_than_two_valuers_is_not_eligible():
    suspended = FirmFactory(status=AppraisalFirm.Status.SUSPENDED)
    lonely = FirmFactory(valuers=1)
    gone = FirmFactory()
    gone.valuers.update(is_active=False)
    ValuerFactory(firm=gone)
    reasons = {
        r.firm: r.reasons for r in services.assess_firms([suspended, lonely, gone], today=TODAY)
    }
    assert "暂停承接业务" in reasons[suspended][0]
    assert reasons[lonely] == ["在职注册房地产估价师不足2名。"]
    assert reasons[gone] == ["在职注册房地产估价师不足2名。"]
    assert services.eligible_firms(today=TODAY) == []


def test_firm_list_flags_expired_qualifications(client, office_user):
    FirmFactory(name="过期评估", qualification_expires_on=date(2020, 1, 1))
    login(client, "clerk")
    html = client.get(reverse("appraisers:firm_list")).content.decode()
    assert "过期评估" in html
    assert "已过期" in html


def test_firm_list_can_be_filtered_to_expired_qualifications(client, office_user):
    FirmFactory(name="过期评估", qualification_expires_on=date(2020, 1, 1))
    FirmFactory(name="有效评估")
    login(client, "clerk")
    html = client.get(reverse("appraisers:firm_list"), {"expired": "on"}).content.decode()
    assert "过期评估" in html
    assert "有效评估" not in html


def test_firm_list_queries_do_not_grow_with_the_number_of_firms(
    client, office_user, django_assert_num_queries
):
    login(client, "clerk")
    url = reverse("appraisers:firm_list")
    FirmFactory()
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        FirmFactory()
    with django_assert_num_queries(len(few)):
        client.get(url)


@pytest.mark.parametrize(
    "name", ["firm_list", "firm_create", "credit_event_list", "credit_rules", "credit_list_index"]
)
def test_district_users_cannot_open_the_firm_registry(client, outsider, district_member, name):
    for username in ("outsider", "district"):
        client.logout()
        login(client, username)
        assert client.get(reverse(f"appraisers:{name}")).status_code == 403


def test_district_users_cannot_open_a_firm(client, outsider):
    firm = FirmFactory()
    login(client, "outsider")
    assert client.get(firm.get_absolute_url()).status_code == 403
    response = client.post(reverse("appraisers:valuer_add", args=[firm.pk]), {"name": "某"})
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["firm_list", "firm_create"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    url = reverse(f"appraisers:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_firm_page_shows_valuers_and_why_it_is_not_eligible(client, office_user):
    firm = FirmFactory(valuers=1, qualification_expires_on=timezone.localdate() - timedelta(days=3))
    login(client, "clerk")
    html = client.get(firm.get_absolute_url()).content.decode()
    assert "不能作为候选机构" in html
    assert "在职注册房地产估价师不足2名" in html
    assert firm.valuers.get().registration_number in html


def test_a_valuer_can_be_marked_as_having_left(client, office_user):
    firm = FirmFactory()
    valuer = firm.valuers.first()
    login(client, "clerk")
    client.post(reverse("appraisers:valuer_toggle", args=[valuer.pk]))
    valuer.refresh_from_db()
    assert not valuer.is_active
