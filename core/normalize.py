"""What people type, in the one form the system validates, compares, stores, masks and looks up.

Offices copy numbers from Word, WeChat and old spreadsheets: full-width digits (４３０５…),
ideographic and no-break spaces, zero-width spaces, names padded to line up columns
("张　三", "李  四"). Every form, import, command, look-up and duplicate check passes what it
received through this module first, so that the same person typed two ways is one person.

The rules (the list the issue asks for, in the order they apply):

1. Unicode NFKC: full-width letters, digits and punctuation become their ASCII forms
   (４３０５０２ → 430502, Ｘ → X, － → -, （０７３９） → (0739)); the ideographic space
   U+3000 and the no-break space U+00A0 become an ordinary space.
2. Invisible characters are removed everywhere: format characters (Unicode category Cf:
   zero-width space U+200B, zero-width joiners, the byte-order mark U+FEFF, soft hyphen,
   direction marks), control characters (Cc), variation selectors and the Hangul fillers.
3. Identifiers (resident ID numbers, unified social credit codes, 户号, phone numbers) lose
   every space of any kind; resident ID numbers and credit codes are upper-cased (x → X).
4. Names are trimmed, and the spaces between two CJK characters (the padding of "张　三")
   are removed; between Latin words one space is kept. The middle-dot variants of
   ethnic-minority and foreign names (• ・ ‧ ･ ∙) become the standard U+00B7 "·", without
   spaces around it.
5. Phone numbers are brought to one form (see `normalize_phone`).
6. Other free text (addresses, notes) is NFKC'd, cleared of invisible characters and trimmed.

`describe_changes(raw)` says what rules 1–2 changed, so that an error message can name the real
cause ("含有不可见字符", "全角字符已转换为半角") instead of blaming the length.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Characters that are letters by category but print as nothing.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
# Look-alikes of the middle dot "·" people type in ethnic-minority and foreign names.
_DOTS = "\u2022\u30fb\u2027\uff65\u2219\u22c5"
_CJK_RANGES = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x323AF),  # extensions B–H
)


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_invisible(char: str) -> bool:
    if char in _INVISIBLE_LETTERS:
        return True
    category = unicodedata.category(char)
    # Not Co or Cn: private-use characters (造字) and characters newer than Python's Unicode
    # tables (CJK extension I) are real characters of real names.
    if category in ("Cf", "Cc"):
        return char not in "\t\n\r"
    # Variation selectors (U+FE00–FE0F, U+E0100–E01EF) change nothing a person can check.
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _is_space(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def _invisible_name(char: str) -> str:
    try:
        name = unicodedata.name(char)
    except ValueError:
        name = "CONTROL CHARACTER"
    return f"U+{ord(char):04X} {name}"


@dataclass(frozen=True)
class Changes:
    """What normalising a typed value changed (for messages that name the cause)."""

    invisible: tuple[str, ...] = ()  # "U+200B ZERO WIDTH SPACE", ...
    spaces: int = 0
    converted: tuple[str, ...] = field(default=())  # the characters NFKC changed

    def __bool__(self) -> bool:
        return bool(self.invisible or self.spaces or self.converted)

    def explain(self) -> str:
        """One Chinese sentence, or "" when nothing changed."""
        parts = []
        if self.invisible:
            parts.append(
                _("含有%(n)s个不可见字符（%(names)s），已去掉")
                % {"n": len(self.invisible), "names": "、".join(sorted(set(self.invisible)))}
            )
        if self.spaces:
            parts.append(_("含有%(n)s个空格，已去掉") % {"n": self.spaces})
        if self.converted:
            parts.append(
                _("含有全角字符“%(chars)s”，已转换为半角")
                % {"chars": "".join(dict.fromkeys(self.converted))}
            )
        return "；".join(parts)


def describe_changes(value: object, *, keep_spaces: bool = False) -> Changes:
    """What `normalize_identifier` (or, with keep_spaces, `clean_text`) changes in `value`."""
    text = "" if value is None else str(value)
    invisible = tuple(_invisible_name(char) for char in text if _is_invisible(char))
    visible = "".join(char for char in text if not _is_invisible(char))
    converted = tuple(
        char
        for char in visible
        if not _is_space(char) and unicodedata.normalize("NFKC", char) != char
    )
    spaces = 0 if keep_spaces else sum(1 for char in visible.strip() if _is_space(char))
    return Changes(invisible=invisible, spaces=spaces, converted=converted)


# Invisible characters str.isprintable() lets through (letters and marks by category).
_PRINTABLE_INVISIBLE = re.compile("[\u115f\u1160\u3164\uffa0\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def _base(value: object) -> str:
    """Rules 1 and 2: NFKC, then no invisible characters."""
    if value is None:
        return ""
    text = str(value)
    # The common case, checked in C: already NFKC, no control, format or non-ASCII space
    # character (isprintable() is False for all of them) and none of the few others.
    if (
        text.isprintable()
        and unicodedata.is_normalized("NFKC", text)
        and not _PRINTABLE_INVISIBLE.search(text)
    ):
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(char for char in text if not _is_invisible(char))


def clean_text(value: object) -> str:
    """Free text (addresses, notes): NFKC, no invisible characters, trimmed."""
    return _base(value).strip()


# Every space character (\s is Unicode-aware: it covers the Zs, Zl and Zp categories).
_SPACES = re.compile(r"\s+")


def normalize_identifier(value: object) -> str:
    """An identifier with no space of any kind and no invisible character (户号, phones)."""
    return _SPACES.sub("", _base(value))


def normalize_resident_id(value: object) -> str:
    """A resident ID number as stored: ASCII digits, upper-case X, nothing else added.
    ４３０５０２１９７３０１１８４７４ｘ → 43050219730118474X."""
    return normalize_identifier(value).upper()


def normalize_reference(value: object) -> str:
    """A reference printed on a document (信访件编号 XF2022-0001): no spaces, upper case."""
    return normalize_identifier(value).upper()


def normalize_credit_code(value: object) -> str:
    """A unified social credit code (GB 32100) as stored: ASCII, upper case, no spaces."""
    return normalize_identifier(value).upper()


def normalize_name(value: object) -> str:
    """A person's name as stored: "张　三" → 张三, " 李  四 " → 李四,
    "阿依古丽 • 买买提" → 阿依古丽·买买提, "John  Smith" → John Smith."""
    text = _base(value)
    if not _SPACES.search(text) and not any(dot in text for dot in _DOTS):
        return text
    for dot in _DOTS:
        text = text.replace(dot, "·")
    text = _SPACES.sub(" ", "".join(" " if _is_space(char) else char for char in text))
    text = text.strip()
    out = []
    for index, char in enumerate(text):
        if char == " ":
            before, after = text[index - 1], text[index + 1]
            # Padding between CJK characters (or around the dot) is layout, not part of the name.
            if is_cjk(before) or is_cjk(after) or before == "·" or after == "·":
                continue
        out.append(char)
    return "".join(out)


# ---------------------------------------------------------------------------
# Phones


@dataclass(frozen=True)
class Phone:
    """A phone number as stored, and what normalising it found."""

    number: str  # 13812345678, 0739-5123456, 0739-5123456转8012, or "" when blank
    others: tuple[str, ...] = ()  # further numbers found in the same cell, as typed
    area_code_added: str = ""  # the area code put before a local number


# Where one cell holds two numbers: 13812345678、0739-5234567 / 13812345678 或 5234567.
_SEPARATORS = re.compile(r"[、,;/|\\]|或|和|及")
_EXTENSION = re.compile(r"^(?P<main>.*?)(?:转|分机|ext\.?|x|#)-?(?P<ext>\d{1,6})$", re.IGNORECASE)
# A landline's extension after a second hyphen: 0739-5123456-8012, (0739)5123456-12.
_HYPHEN_EXTENSION = re.compile(r"^(?P<main>\(?0\d{2,3}\)?-?\d{7,8})-(?P<ext>\d{1,6})$")
# Hyphen look-alikes NFKC leaves alone (en and em dashes, the minus sign, ...).
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63", "-"))
_COUNTRY = re.compile(r"^(?:\+|00)86-?")
# Area codes of three digits: Beijing 010 and the 02x cities; all others have four.
_THREE_DIGIT_AREA = re.compile(r"^0(?:10|2\d)")


def _phone_error(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_phone")


def _one_number(text: str, *, area_code: str) -> tuple[str, str]:
    """(stored form, area code added) for one number, or ValidationError."""
    compact = normalize_identifier(text).translate(_DASHES)
    extension = ""
    match = _EXTENSION.match(compact) or _HYPHEN_EXTENSION.match(compact)
    if match and re.sub(r"\D", "", match.group("main")):
        compact, extension = match.group("main"), match.group("ext")
    compact = _COUNTRY.sub("", compact)
    if not re.fullmatch(r"[\d()\-.]+", compact):
        raise _phone_error(
            _("联系电话“%(value)s”含有数字以外的字符，无法识别。") % {"value": text.strip()}
        )
    digits = re.sub(r"\D", "", compact)
    if compact.startswith("86") and len(digits) == 13 and digits[2] == "1":
        digits = digits[2:]  # 86 13812345678 without the plus
    added = ""
    if digits.startswith("1"):
        if len(digits) != 11:
            raise _phone_error(
                _("手机号应为11位数字，“%(value)s”有%(n)s位，请核对。")
                % {"value": text.strip(), "n": len(digits)}
            )
        if not re.fullmatch(r"1[3-9]\d{9}", digits):
            raise _phone_error(
                _("手机号“%(value)s”的第二位应为3至9，请核对。") % {"value": text.strip()}
            )
        number = digits
    else:
        if not digits.startswith("0"):
            if digits.startswith("86") and len(digits) in (11, 12, 13):
                digits = "0" + digits[2:]  # +86 739 5123456: the country code replaces the 0
            elif area_code and len(digits) in (7, 8):
                added = area_code
                digits = area_code + digits
        area_length = 3 if _THREE_DIGIT_AREA.match(digits) else 4
        area, local = digits[:area_length], digits[area_length:]
        if not digits.startswith("0") or len(local) not in (7, 8):
            raise _phone_error(
                _(
                    "联系电话“%(value)s”位数不对：手机号为11位，固定电话为区号加7至8位号码"
                    "（如0739-5123456）。"
                )
                % {"value": text.strip()}
            )
        number = f"{area}-{local}"
    if extension:
        number = f"{number}转{extension}"
    return number, added


def normalize_phone(value: object, *, area_code: str | None = None) -> Phone:
    """A phone cell as offices write it, brought to one form.

    Accepted: 138-1234-5678, 138 1234 5678, full-width digits and hyphens, +86 / 0086,
    (0739)5123456, 0739 5123456, a local number without area code (the office's area code,
    settings.PHONE_AREA_CODE, is put before it), an extension after 转 / 分机 / ext or after
    a landline's second hyphen (0739-5123456-8012).
    Mobiles are stored as 11 digits, landlines as 0739-5123456, extensions as 转8012.
    When a cell holds several numbers (separated by 、 , ; / or 或), the first is the number
    and the others come back in `others`. Raises ValidationError (Chinese) for a wrong count
    of digits or characters that are not part of a phone number.
    """
    text = _base(value).strip()
    if not text:
        return Phone("")
    if area_code is None:
        area_code = getattr(settings, "PHONE_AREA_CODE", "")
    parts = [part.strip() for part in _SEPARATORS.split(text) if part.strip()]
    if len(parts) == 1:
        # Two numbers separated only by spaces: 13812345678 13987654321.
        pieces = text.split()
        if len(pieces) > 1 and all(len(re.sub(r"\D", "", piece)) >= 7 for piece in pieces):
            parts = pieces
    number, added = _one_number(parts[0], area_code=area_code)
    return Phone(number, tuple(parts[1:]), added)


def normalize_stored_phone(value: object) -> str:
    """A phone to store when no one can be asked (saves, data migrations): the one form when
    the value is one valid number, else only without spaces and invisible characters."""
    try:
        phone = normalize_phone(value)
    except ValidationError:
        return normalize_identifier(value)
    return normalize_identifier(value) if phone.others else phone.number


def phone_digits(value: object) -> str:
    """The digits of a phone (for comparing two numbers typed differently)."""
    return re.sub(r"\D", "", normalize_identifier(value))
