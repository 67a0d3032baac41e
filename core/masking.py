"""Masking of personal data, for every page, export and feed the public can read.

One function per kind of datum, used everywhere (public pages, the household look-up,
exports meant for posting): names as 张*三 / 李*, resident ID numbers with at most the first
two and last four characters and never the birth date, phones as 138****5678, addresses to
the building.
"""

import re
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

from core.normalize import is_cjk, normalize_name, normalize_phone

COMPOUND_SURNAMES_FILE = Path(__file__).with_name("data") / "compound_surnames.txt"


@cache
def compound_surnames() -> tuple[str, ...]:
    """The maintained list of compound surnames (core/data/compound_surnames.txt), longest
    first so that 爱新觉罗 is tried before any two-character one."""
    lines = COMPOUND_SURNAMES_FILE.read_text(encoding="utf-8").splitlines()
    names = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    return tuple(sorted(names, key=len, reverse=True))


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a normalised Han name: 欧阳娜 → (欧阳, 娜), 张三丰 → (张, 三丰).
    A name that is only a compound surname's characters (欧阳) is read as surname + given."""
    for surname in compound_surnames():
        if name.startswith(surname) and len(name) > len(surname):
            return surname, name[len(surname) :]
    return name[:1], name[1:]


def _mask_given(given: str) -> str:
    # A one-character given name never shows; a longer one shows only its last character.
    if len(given) <= 1:
        return "*" * len(given)
    return "*" * (len(given) - 1) + given[-1]


def mask_name(name: str) -> str:
    """A name as the public may read it (DESIGN.md: 张*三 / 李*).

    The name is normalised first (core.normalize: padding, full-width, invisible characters
    go), then split into its parts: the surname shows (compound surnames whole, from the
    maintained list), a one-character given name is hidden, a longer one shows only its last
    character. Names with a middle dot (阿依古丽·买买提) show the first character and the last
    one: 阿***·**提. Other names (Latin letters) show their first character.

    张三 → 张*, 张三丰 → 张*丰, 欧阳娜 → 欧阳*, 司马光明 → 司马*明, "张　三" → 张*.
    """
    name = normalize_name(name)
    if len(name) <= 1:
        return "*" * len(name)
    if "·" in name:
        # Each part is a name of its own: none may show whole.
        masked = ["·" if char == "·" else "*" for char in name]
        if len(name.split("·", 1)[0]) >= 2:
            masked[0] = name[0]
        if len(name.rsplit("·", 1)[-1]) >= 2:
            masked[-1] = name[-1]
        return "".join(masked)
    if not all(is_cjk(char) for char in name):
        return name[0] + "".join(" " if char == " " else "*" for char in name[1:])
    surname, given = split_name(name)
    return surname + _mask_given(given)


def mask_id_number(number: str) -> str:
    """430502198001011235 → 43************1235: the birth date never shows."""
    number = (number or "").strip()
    if len(number) <= 6:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 6) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; 0739-5123456 → 0739-***3456; an extension never shows."""
    raw = (phone or "").strip()
    try:
        number = normalize_phone(raw, area_code="").number
    except ValidationError:
        number = re.sub(r"[^\d-]", "", raw)
    number = number.split("转")[0]
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        area, _, local = number.rpartition("-")
        local_digits = re.sub(r"\D", "", local)
        prefix = f"{area}-" if area else ""
        return prefix + "*" * (len(local_digits) - 4) + local_digits[-4:]
    return "*" * len(digits)


# Where the building part of a Chinese address ends: a building (栋, 幢, 号楼, 座) when the
# address names one, else the street number (号). Units, floors and rooms are cut off. The
# group is what comes before the building's (or street number's) own number.
_BUILDING = re.compile(r"^(.*?)\d+(?:栋|幢|号楼|座)")
_STREET_NUMBER = re.compile(r"^(.*?)\d+号")


def mask_address(address: str) -> str:
    """An address as the public may read it: to the building, never the household's own door.

    六岭路12号3栋2单元401室 → 六岭路12号3栋***; 青云街8号201室 → 青云街8号***. An address that
    ends at its building or street number is a house of its own, and that number would point
    at the household: it is cut before the number, as the unit and room are cut from a flat's.
    六岭路3号4栋 → 六岭路3号***; 西湖路5号 → 西湖路***. An address with neither shows its
    first half.
    """
    address = (address or "").strip()
    match = _BUILDING.match(address) or _STREET_NUMBER.match(address)
    if match is None:
        return address[: max(len(address) // 2, 1)] + "***"
    if match.end() == len(address):
        return match.group(1) + "***"
    return match.group(0) + "***"
