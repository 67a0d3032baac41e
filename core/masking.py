"""Masking of personal data, for every page, export and feed the public can read.

One function per kind of datum, used everywhere (public pages, the household look-up,
exports meant for posting): names as 张*三 / 李*, resident ID numbers with at most the first
two and last four characters and never the birth date, phones as 138****5678, addresses to
the building.
"""

import re


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 李四 → 李*, 欧阳小明 → 欧**明."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(number: str) -> str:
    """430502198001011235 → 43************1235: the birth date never shows."""
    number = (number or "").strip()
    if len(number) <= 6:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 6) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; 0739-1234567 → 0739-***4567."""
    phone = (phone or "").strip()
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        area, _, local = phone.rpartition("-")
        local_digits = re.sub(r"\D", "", local)
        prefix = f"{area}-" if area else ""
        return prefix + "*" * (len(local_digits) - 4) + local_digits[-4:]
    return "*" * len(digits)


# Where the building part of a Chinese address ends: a building (栋, 幢, 号楼, 座) when the
# address names one, else the street number (号). Units, floors and rooms are cut off.
_BUILDING = re.compile(r"^.*?\d+(?:栋|幢|号楼|座)")
_STREET_NUMBER = re.compile(r"^.*?\d+号")


def mask_address(address: str) -> str:
    """六岭路12号3栋2单元401室 → 六岭路12号3栋***; 青云街8号201室 → 青云街8号***."""
    address = (address or "").strip()
    match = _BUILDING.match(address) or _STREET_NUMBER.match(address)
    if match is None:
        return address[: max(len(address) // 2, 1)] + "***"
    if match.end() == len(address):
        return address
    return match.group(0) + "***"
