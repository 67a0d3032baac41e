"""Validators for Chinese identifiers: resident ID numbers (GB 11643), unified social
credit codes (GB 32100), phone numbers. Messages are for people (Chinese, translatable)
and name the real cause: an invisible character, a full-width character, a first-generation
15-digit number, a wrong check digit.

Every validator normalises first (core.normalize): what a person typed with a full-width
digit or a zero-width space is judged as the number it stands for.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from core.normalize import (
    describe_changes,
    normalize_credit_code,
    normalize_phone,
    normalize_resident_id,
)

__all__ = [
    "clean_phone",
    "clean_resident_id",
    "is_first_generation_id",
    "normalize_resident_id",
    "resident_id_birth_date",
    "resident_id_warnings",
    "validate_credit_code",
    "validate_phone",
    "validate_resident_id",
]

RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")
FIRST_GENERATION_RE = re.compile(r"^\d{15}$")

# The 18-digit 公民身份号码 was given to everyone registered by 1999 (GB 11643-1999); people
# born before then got their number, with the region code of their registration, at some
# time up to that year. Later births are numbered when the birth is registered, which can
# be a few years late.
NUMBERING_COMPLETE_YEAR = 1999
LATE_REGISTRATION_YEARS = 3


def resident_id_birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _with_cause(message: str, raw: object) -> str:
    cause = describe_changes(raw).explain()
    if cause:
        return _("%(message)s（输入的号码%(cause)s。）") % {"message": message, "cause": cause}
    return message


def _first_generation_birth(number: str) -> date | None:
    try:
        return date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return None


def is_first_generation_id(number: str) -> bool:
    """Whether `number` (normalised) has the shape of a 15-digit first-generation ID number:
    six digits of region, a real birth date as YYMMDD (19YY), three digits."""
    return bool(FIRST_GENERATION_RE.match(number) and _first_generation_birth(number))


def clean_resident_id(value: object, *, today: date | None = None) -> str:
    """The resident ID number as stored (core.normalize), after checking it.

    Checks the length and characters, a real birth date (not in the future, not before 1900)
    and the GB 11643-1999 check digit. An unknown region code is only a warning
    (`resident_id_warnings`). Raises ValidationError with a message naming the cause.
    `today` (default: the local date) bounds the birth date; a caller checking many numbers
    passes it once."""
    number = normalize_resident_id(value)
    if is_first_generation_id(number):
        raise ValidationError(
            _with_cause(
                _(
                    "这是15位的第一代身份证号码，已停止使用。请向户主索取现在的18位公民身份号码"
                    "（见第二代身份证或户口簿）后再填写。"
                ),
                value,
            ),
            code="first_generation",
        )
    if not RESIDENT_ID_RE.match(number):
        if len(number) != 18:
            message = _("身份证号码应为18位，现为%(n)s位。") % {"n": len(number)}
        else:
            bad = "".join(dict.fromkeys(c for c in number[:17] if not c.isdigit()))
            if not bad and not number[-1].isdigit():
                bad = number[-1]
            message = _(
                "身份证号码只能由数字组成，最后一位可以是X；其中的“%(chars)s”不是数字。"
            ) % {"chars": bad}
        raise ValidationError(_with_cause(message, value), code="format")
    birth = resident_id_birth_date(number)
    if birth is None or birth.year < 1900 or birth > (today or timezone.localdate()):
        raise ValidationError(
            _with_cause(
                _("身份证号码第7至14位的出生日期“%(date)s”不是有效日期。") % {"date": number[6:14]},
                value,
            ),
            code="birth_date",
        )
    expected = ric.calc_check_digit(number)
    if expected != number[-1]:
        raise ValidationError(
            _with_cause(
                _(
                    "身份证号码校验位错误：按前17位计算，最后一位应为%(expected)s，"
                    "实际为%(got)s。请核对号码是否有输错的数字。"
                )
                % {"expected": expected, "got": number[-1]},
                value,
            ),
            code="check_digit",
        )
    return number


def validate_resident_id(value: str) -> None:
    """Model-field validator: see `clean_resident_id`."""
    clean_resident_id(value)


def _code_years(number: str) -> list[tuple[int | None, int | None]] | None:
    """The years each meaning of the number's region code was in force, from python-stdnum's
    dated table of administrative division codes (cn/loc.dat); None when the code is unknown."""
    results = numdb.get("cn/loc").info(number[:6])
    counties = [props["county"] for _part, props in results if "county" in props]
    if not counties:
        return None
    spans = []
    for county in counties[-1].split(","):
        if not county.startswith("["):
            spans.append((None, None))
            continue
        start, _sep, end = county[1:].split("]")[0].partition("-")
        spans.append((int(start) if start else None, int(end) if end else None))
    return spans


def resident_id_issuing_period(birth_year: int) -> tuple[int | None, int]:
    """The years in which a number for someone born in `birth_year` can have been given:
    up to 1999 for people born before then (GB 11643-1999 numbered everyone registered),
    else from the birth to a few years after it (late birth registration)."""
    if birth_year <= NUMBERING_COMPLETE_YEAR:
        return None, NUMBERING_COMPLETE_YEAR + LATE_REGISTRATION_YEARS
    return birth_year, birth_year + LATE_REGISTRATION_YEARS


def resident_id_warnings(value: str) -> list[str]:
    """A warning when the region code never existed while the number could have been given.

    A code only has to have existed when the number was issued, not in the birth year:
    people born in 1952 in 双清区 carry 430502, a code created in 1983. So the warning comes
    only when no meaning of the code was in force at any time in the issuing period
    (`resident_id_issuing_period`). A prompt to check the card, never a reason to refuse it."""
    number = normalize_resident_id(value)
    birth = resident_id_birth_date(number)
    if not RESIDENT_ID_RE.match(number) or birth is None:
        return []
    spans = _code_years(number)
    first, last = resident_id_issuing_period(birth.year)
    if spans is not None and any(
        (start is None or start <= last) and (end is None or first is None or end >= first)
        for start, end in spans
    ):
        return []
    return [
        _(
            "身份证号码的地区代码%(code)s在该号码可能编发的年份（%(period)s）从未使用过，"
            "请核对证件。"
        )
        % {
            "code": number[:6],
            "period": (f"{first}—{last}" if first else _("%(last)s年以前") % {"last": last}),
        }
    ]


def clean_phone(value: object) -> str:
    """The phone as stored (core.normalize.normalize_phone); a second number is refused here
    (forms have one number per field; the import keeps the second one in 备注)."""
    phone = normalize_phone(value)
    if phone.others:
        raise ValidationError(
            _("联系电话只能填一个号码，请把“%(others)s”写在备注里。")
            % {"others": "、".join(phone.others)},
            code="several_phones",
        )
    return phone.number


def validate_phone(value: str) -> None:
    """Model-field validator: see `clean_phone`."""
    clean_phone(value)


def validate_credit_code(value: str) -> None:
    """GB 32100 check character, after normalising (full-width, spaces, lower case)."""
    code = normalize_credit_code(value)
    try:
        uscc.validate(code)
    except StdnumError as error:
        message = _("统一社会信用代码无效，请核对。")
        if len(code) != 18:
            message = _("统一社会信用代码应为18位，现为%(n)s位。") % {"n": len(code)}
        raise ValidationError(_with_cause(message, value)) from error
