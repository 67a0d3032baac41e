"""Weak passwords Chinese users choose are refused on the password change page."""

import pytest
from django.urls import reverse

from core import passwords
from tests.auth import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def change_password(client, new):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize(
    ("weak", "reason"),
    [
        ("zhangsan123", "拼音"),
        ("wangxiaoming1990", "拼音"),
        ("Zhang@San1988", "拼音"),
        ("1988.Wang.Xiao.Ming", "拼音"),
        ("woaini1314", "拼音"),
        ("shaoyang2022", "拼音"),
        ("qwerty2024!", "键盘连续字符"),
        ("1qaz2wsx3edc", "键盘连续字符"),
        ("asdfghjkl;'", "键盘连续字符"),
        ("aaaaaaaaaaaa", "键盘连续字符"),
    ],
)
def test_the_password_page_refuses_common_chinese_weak_passwords(client, office_user, weak, reason):
    login(client, "clerk")
    response = change_password(client, weak)
    assert response.status_code == 200
    assert reason in response.content.decode()
    office_user.refresh_from_db()
    assert office_user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "strong",
    [
        "Shaoyang-Office-2023!",
        "liuling-chaiqian-7Kq",  # pinyin, but not only pinyin and digits
        "xiaomao-chi-yutou-tiantian-9",  # a long pinyin passphrase
        "Xk9#mP2vLq!t",
        "Ge4%Ba8*Mi1&",  # generated: its letters happen to read ge-ba-mi, between digits
    ],
)
def test_the_password_page_accepts_passwords_that_are_not_guessable(client, office_user, strong):
    login(client, "clerk")
    assert change_password(client, strong).status_code == 302
    office_user.refresh_from_db()
    assert office_user.check_password(strong)


def test_the_help_text_names_the_weak_kinds():
    assert "zhangsan123" in passwords.ChineseWeakPasswordValidator().get_help_text()


def test_the_syllable_table_is_pypinyins():
    assert passwords.pinyin_syllables() == passwords.pinyin_syllables_from_pypinyin()
    assert {"zhang", "san", "wo", "ai", "ni", "lv", "zhuang"} <= passwords.pinyin_syllables()
