from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import Section
from tests.auth import login
from tests.factories import PASSWORD, staff

pytestmark = pytest.mark.django_db


def test_login_page_is_in_chinese(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-CN"' in html
    assert "用户名" in html and "密码" in html and "登录" in html


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_home_shows_navigation_name_and_role(client, district, other_district):
    staff(Section.FINANCE, username="cashier", name="钱会计")
    assert login(client, "cashier").status_code == 302
    html = client.get(reverse("core:home")).content.decode()
    for label in ["项目", "补偿资金", "评估机构", "信访", "预算绩效", "信息公开"]:
        assert label in html
    assert "钱会计" in html
    assert "计划财务科" in html
    assert "双清区" in html and "大祥区" in html


def test_wrong_password_gives_a_chinese_error(client, office_user):
    response = login(client, "clerk", password="wrong-password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_district_user_sees_only_their_district(client, district_member, other_district):
    login(client, "district")
    html = client.get(reverse("core:home")).content.decode()
    assert "双清区" in html
    assert "大祥区" not in html
    assert "双清区征收部门" in html
    # District users do not get the office-only modules.
    assert "预算绩效" not in html


def test_district_user_cannot_open_other_district(client, district_member, other_district):
    login(client, "district")
    response = client.get(other_district.get_absolute_url())
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert client.get(district_member.district.get_absolute_url()).status_code == 200


def test_office_staff_can_open_every_district(client, office_user, district, other_district):
    login(client, "clerk")
    assert client.get(district.get_absolute_url()).status_code == 200
    assert client.get(other_district.get_absolute_url()).status_code == 200


def test_login_starts_a_new_session(client, office_user):
    client.get(reverse("login"))
    client.session["probe"] = 1
    before = client.session.session_key
    login(client, "clerk")
    assert client.session.session_key != before


def test_logout_ends_the_session_on_the_server(client, office_user):
    login(client, "clerk")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("core:home")).status_code == 302


def test_logout_says_so_once_on_the_login_page(client, office_user):
    login(client, "clerk")
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain == [(reverse("login"), 302)]
    html = response.content.decode()
    assert html.count("您已退出登录。") == 1
    assert 'class="message success"' in html
    # Shown once: the next page does not repeat it, and nobody is signed in.
    again = client.get(reverse("login")).content.decode()
    assert "您已退出登录" not in again
    assert client.get(reverse("core:home")).status_code == 302


def test_a_failed_login_and_a_plain_visit_to_the_login_page_say_nothing_of_logging_out(
    client, office_user
):
    html = client.post(reverse("login"), {"username": "clerk", "password": "wrong"}).content
    assert "您已退出登录" not in html.decode()
    assert "您已退出登录" not in client.get(reverse("login")).content.decode()


def session_writes(queries) -> list[str]:
    return [
        q["sql"].split()[0]
        for q in queries
        if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]


def test_an_active_session_is_saved_once_a_minute_and_ends_thirty_idle_minutes_later(
    client, office_user
):
    home = reverse("core:home")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login(client, "clerk")
        key = client.session.session_key
        client.get(home)
        saved = Session.objects.get(session_key=key).expire_date
        clock.shift(timedelta(seconds=59))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(home).status_code == 200
        assert session_writes(queries) == []  # the same minute: no write
        assert Session.objects.get(session_key=key).expire_date == saved

        clock.shift(timedelta(seconds=1))  # sixty seconds since the last save
        with CaptureQueriesContext(connection) as queries:
            assert client.get(home).status_code == 200
        assert session_writes(queries) == ["UPDATE"]
        renewed = Session.objects.get(session_key=key).expire_date
        assert renewed == timezone.now() + timedelta(minutes=30)

        clock.shift(timedelta(minutes=30) - timedelta(seconds=1))  # idle, one second to spare
        assert client.get(home).status_code == 200
        clock.shift(timedelta(minutes=30))
        assert client.get(home).status_code == 302  # thirty idle minutes: logged out


def test_failed_logins_lock_out_one_username_from_one_address(client, office_user):
    staff(username="colleague")
    for _ in range(5):
        login(client, "clerk", password="wrong-password", ip="10.0.0.9")
    locked = login(client, "clerk", ip="10.0.0.9")
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    # The same person from another address, and a colleague behind the same proxy, still get in.
    assert login(client, "colleague", ip="10.0.0.9").status_code == 302
    client.post(reverse("logout"))
    assert login(client, "clerk", ip="10.0.0.10").status_code == 302


def test_password_change_refuses_weak_passwords(client, office_user):
    login(client, "clerk")
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "密码长度太短" in html
    assert "这个密码太常见了" in html or "密码全是数字" in html


def test_password_change_works_with_a_strong_password(client, office_user):
    login(client, "clerk")
    new = "Shaoyang-Office-2023!"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    office_user.refresh_from_db()
    assert office_user.check_password(new)


def test_a_session_that_ended_while_idle_is_told_so_on_the_login_page(client, office_user):
    home = reverse("core:home")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login(client, "clerk")
        assert client.get(home).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(home)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={home}&expired=1"
        html = client.get(response["Location"]).content.decode()
        assert html.count("长时间未操作，登录已超时，请重新登录。") == 1
        assert 'name="next" value="/"' in html  # logging in again leads back to the page
    # Someone who never logged in, or who logged out, is not told of a timeout.
    client.cookies.clear()
    assert "expired" not in client.get(home)["Location"]
    login(client, "clerk")
    client.post(reverse("logout"))
    assert "expired" not in client.get(home)["Location"]
