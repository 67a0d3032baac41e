"""The petitioner's public look-up: reference number + code, rate-limited, nothing else shown."""

from datetime import date

import pytest
from django.urls import reverse

from petitions import services
from tests.auth import login
from tests.factories import fullwidth
from tests.petitions.factories import TODAY, petitioner, register

pytestmark = pytest.mark.django_db

URL = reverse("petitions:lookup")


@pytest.fixture
def case(office_user, district):
    registration = register(
        by=office_user,
        district=district,
        petitioners=[petitioner(1, name="查询测试人")],
        request="要求说明安置房交付时间。",
    )
    services.accept_petition(
        petition=registration.petition, by=office_user, on=date(2022, 3, 3), today=TODAY
    )
    return registration


def ask(client, reference, code, ip="10.1.1.1"):
    return client.post(URL, {"reference": reference, "code": code}, REMOTE_ADDR=ip)


def test_the_look_up_page_is_public(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "信访事项办理进度查询" in response.content.decode()


def test_the_right_reference_and_code_show_where_the_case_stands(client, case):
    html = ask(client, case.petition.reference.lower(), case.code).content.decode()
    assert "已受理，办理中" in html
    assert "信访答复期限" in html
    assert "2022年5月5日" in html  # 3-03 + 60 days rolls past Labour Day
    assert "受理" in html
    # Nothing personal, nothing internal.
    assert "查询测试人" not in html
    assert "要求说明安置房交付时间" not in html
    assert "王测试" not in html
    assert "指定承办人" not in html


def test_a_wrong_code_and_an_unknown_reference_get_the_same_answer(client, case):
    wrong_code = ask(client, case.petition.reference, "000000" if case.code != "000000" else "1")
    unknown = ask(client, "XF2099-0001", case.code)
    message = "信访件编号或查询码不正确"
    assert message in wrong_code.content.decode()
    assert message in unknown.content.decode()
    assert "已受理" not in wrong_code.content.decode()


def test_a_code_opens_only_its_own_case(client, case, office_user, district):
    other = register(by=office_user, district=district, received_on=date(2022, 4, 1))
    html = ask(client, other.petition.reference, case.code).content.decode()
    if other.code != case.code:
        assert "信访件编号或查询码不正确" in html
    assert f"信访件 {case.petition.reference}" not in html


def test_failed_attempts_lock_the_address_out_even_with_the_right_code(client, case, settings):
    settings.PETITION_LOOKUP_MAX_FAILURES = 3
    wrong = "999999" if case.code != "999999" else "888888"
    for _attempt in range(3):
        assert ask(client, case.petition.reference, wrong).status_code == 200
    locked = ask(client, case.petition.reference, case.code)
    assert locked.status_code == 429
    assert "查询失败次数过多" in locked.content.decode()
    assert "已受理" not in locked.content.decode()


def test_failed_attempts_lock_the_case_from_every_address(client, case, office_user, district):
    other = register(by=office_user, district=district, received_on=date(2022, 4, 1))
    wrong = "99999-99999"
    for attempt in range(5):
        ask(client, case.petition.reference, wrong, ip=f"10.2.0.{attempt}")
    locked = ask(client, case.petition.reference, case.code, ip="10.9.9.9")
    assert locked.status_code == 429
    assert "已受理" not in locked.content.decode()
    # Another case, asked from the same fresh address, is not affected.
    assert (
        f"信访件 {other.petition.reference}"
        in ask(client, other.petition.reference, other.code, ip="10.9.9.9").content.decode()
    )


def test_a_short_code_issued_before_still_works_and_the_case_asks_for_a_new_one(
    client, case, office_user
):
    # As the migration leaves a case registered with a 6-digit code.
    petition = case.petition
    petition.lookup_digest = services.lookup_digest(petition.reference, "123456")
    petition.has_short_code = True
    petition.save(update_fields=["lookup_digest", "has_short_code"])
    assert "已受理" in ask(client, petition.reference, "123456").content.decode()

    login(client, "clerk")
    detail = reverse("petitions:petition_detail", args=[petition.pk])
    assert "旧式6位数字" in client.get(detail).content.decode()
    new = services.reset_lookup_code(petition=petition, by=office_user)
    assert "旧式6位数字" not in client.get(detail).content.decode()
    client.logout()
    assert "已受理" in ask(client, petition.reference, new).content.decode()
    assert "已受理" not in ask(client, petition.reference, "123456").content.decode()


def test_a_successful_look_up_does_not_clear_the_failures(client, case, settings):
    settings.PETITION_LOOKUP_MAX_FAILURES = 2
    wrong = "999999" if case.code != "999999" else "888888"
    ask(client, case.petition.reference, wrong)
    ask(client, case.petition.reference, case.code)
    ask(client, case.petition.reference, wrong)
    assert ask(client, case.petition.reference, case.code).status_code == 429


def test_a_reference_and_code_typed_full_width_or_with_spaces_still_find_the_case(client, case):
    reference = " " + fullwidth(case.petition.reference.lower()) + "\u200b"
    html = ask(client, reference, fullwidth(case.code)).content.decode()
    assert "已受理，办理中" in html


def test_a_reference_too_long_is_refused_in_plain_words(client):
    html = client.post(URL, {"reference": "XF2022-" + "0" * 14, "code": "7KQ2M"}).content
    html = html.decode()
    assert "最多只能输入 20 个字符（目前输入了 21 个）。" in html
    assert "变量" not in html  # Django's own catalogue's word for it
