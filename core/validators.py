"""Validators for Chinese identifiers: resident ID numbers (GB 11643), unified social
credit codes (GB 32100), phone numbers. Messages are for people (Chinese, translatable).
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalize_resident_id(value: str) -> str:
    return str(value).strip().replace(" ", "").upper()


def resident_id_birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_resident_id(value: str) -> None:
    """The check digit and a real birth date; an unknown region code is only a warning
    (historical codes still stand on valid cards, see `resident_id_warnings`)."""
    number = normalize_resident_id(value)
    if not RESIDENT_ID_RE.match(number):
        raise ValidationError(_("身份证号码应为18位，前17位为数字，最后一位为数字或X。"))
    birth = resident_id_birth_date(number)
    if birth is None or birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(_("身份证号码中的出生日期无效。"))
    if ric.calc_check_digit(number) != number[-1]:
        raise ValidationError(_("身份证号码校验位错误，请核对。"))


def resident_id_warnings(value: str) -> list[str]:
    """Region codes that the national table does not know for the holder's birth year.

    Codes are retired and reused over the decades, and people keep their numbers, so this
    is a prompt to check the card, never a reason to refuse it."""
    number = normalize_resident_id(value)
    try:
        ric.get_birth_place(number)
    except StdnumError:
        return [
            _("身份证号码的地区代码%(code)s不在出生年份对应的行政区划表中，请核对证件。")
            % {"code": number[:6]}
        ]
    return []


def validate_phone(value: str) -> None:
    phone = str(value).strip()
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationError(_("联系电话格式不正确：手机号为11位数字，固定电话如0739-1234567。"))


def validate_credit_code(value: str) -> None:
    try:
        uscc.validate(value)
    except StdnumError as error:
        raise ValidationError(_("统一社会信用代码无效，请核对。")) from error
