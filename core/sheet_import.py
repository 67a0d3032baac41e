"""Reading an uploaded spreadsheet (.xlsx) for an all-or-nothing import, and the checks every
such import shares: the household survey (projects.imports) and the resettlement stock list
(resettlement.imports) both read and check through here.

- `read_xlsx_cells`: the file checks every upload gets (size, macros, zip and XML bombs)
  before a parser sees it, then the first sheet's values from A1 (Excel's row numbers);
- `match_header`: a header row found by its names (any order, aliases), a repeated or
  missing required column refused;
- cells: `cell_text`, `is_blank`, `total_label` (合计 rows), `required_cell`,
  `cell_decimal` + `to_cents` (square metres or 元 as Decimal, never float arithmetic);
- rows: `problem` / `describe_problem` (第5行【建筑面积（平方米）】…) and `first_row` (the same
  key on two rows).

Each raises django's ValidationError with the Chinese message the person uploading needs.
"""

from __future__ import annotations

import logging
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from io import BytesIO
from pathlib import PurePath
from typing import Any

import python_calamine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.normalize import normalize_identifier

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
# How far down a title, a date line or a blank row may push the header.
HEADER_SEARCH_ROWS = 10
# Workbooks that can carry macros (VBA): never opened, whatever they are called.
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")
MACRO_PARTS = ("xl/vbaProject.bin",)
# The label of a row that sums the rows above it, in the first filled cell.
TOTAL_LABELS = ("合计", "小计", "总计", "共计", "累计")
# The most a float's decimal digits may differ from two places and still count as float noise
# (a cached formula result like 85.49999999999999 for 85.5), never as a real third decimal.
FLOAT_NOISE = Decimal("0.000001")
CENT = Decimal("0.01")


def problem(row: int, column: str, message: str) -> dict[str, Any]:
    """One row error or warning: the Excel row number, the column's header, the message."""
    return {"row": row, "column": column, "message": str(message)}


def rows_with_errors(errors: Iterable[dict[str, Any]]) -> int:
    """How many data rows the `errors` (`problem` dicts) are on: a row with three wrong cells
    counts once. What an import page shows beside the rows read (数据行数)."""
    return len({error["row"] for error in errors})


def describe_problem(error: dict[str, Any]) -> str:
    """One row error as a line of text: 第5行【身份证号码】身份证号码校验位错误，请核对。"""
    return _("第%(row)s行【%(column)s】%(message)s") % error


def file_error(
    log_as: str, message: str, reason: str, name: str, **details: Any
) -> ValidationError:
    """The ValidationError refusing a whole file (`reason` is its code), logged with the
    file's name under `log_as` ("household import", …)."""
    logger.warning(
        "%s rejected: %s (file %r%s)",
        log_as,
        reason,
        name,
        "".join(f", {key}={value!r}" for key, value in details.items()),
    )
    return ValidationError(message, code=reason)


# ---------------------------------------------------------------------------
# Reading a file


def total_label(values: tuple) -> str:
    """合计 / 小计 / … when the row's first filled cell says it sums the rows above."""
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        text = normalize_identifier(value)
        return next((label for label in TOTAL_LABELS if text.startswith(label)), "")
    return ""


def is_blank(values: tuple) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def max_unpacked_bytes() -> int:
    return settings.HOUSEHOLD_IMPORT_MAX_UNPACKED_MB * 1024 * 1024


def _refuse_macros(archive: zipfile.ZipFile, name: str, log_as: str) -> None:
    members = set(archive.namelist())
    try:
        content_types = archive.read("[Content_Types].xml")
    except KeyError:
        content_types = b""
    if (
        PurePath(name).suffix.lower() in MACRO_SUFFIXES
        or members.intersection(MACRO_PARTS)
        or b"macroEnabled" in content_types
    ):
        raise file_error(
            log_as,
            _(
                "这是启用宏的 Excel 工作簿（.xlsm），宏可能含有恶意代码，系统不接收。"
                "请在 Excel 中“另存为”“Excel 工作簿(*.xlsx)”后再上传。"
            ),
            "macro-enabled workbook",
            name,
        )


# The start of an XML part in which a document type declaration would sit (it must come
# before the root element); what a DTD declares can expand a few bytes into gigabytes.
PROLOG_BYTES = 4096
DOCTYPE_MARKS = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def _refuse_entity_declarations(data: bytes, name: str, log_as: str) -> None:
    """Refuse a workbook whose XML parts declare a DTD: a spreadsheet never needs one, and
    its entities are how an "XML bomb" expands (billion laughs)."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for member in archive.infolist():
            if not member.filename.endswith((".xml", ".rels")):
                continue
            with archive.open(member) as part:
                prolog = part.read(PROLOG_BYTES)
            if any(mark in prolog for mark in DOCTYPE_MARKS):
                raise file_error(
                    log_as,
                    _(
                        "文件含有不安全的内容（XML 实体声明），已拒绝读取。"
                        "请用 Excel 重新保存后再上传。"
                    ),
                    "unsafe xml",
                    name,
                    part=member.filename,
                )


def read_xlsx_cells(
    file: File, *, what: str, log_as: str = "spreadsheet import"
) -> tuple[list[list], str]:
    """The first sheet's cell values from A1 (a list of rows) and the file's base name, after
    the checks every upload of a spreadsheet gets (the household survey here, the
    resettlement stock list in resettlement.imports). `what` names the file in messages.

    Raises ValidationError (one message, in Chinese) when the file as a whole cannot be used.
    The size is checked before a byte is read; a macro-enabled workbook is refused; the sizes
    the zip declares for its parts, unpacked, are added up before anything parses it (over
    settings.HOUSEHOLD_IMPORT_MAX_UNPACKED_MB is refused; zipfile never unpacks a part past
    its declared size); a part that declares a DTD (the "billion laughs" entity bomb) is
    refused before python-calamine reads the workbook once, values only (cached formula
    results), from A1.
    """
    name = PurePath(getattr(file, "name", "") or "").name
    size = file.size
    if not size:
        raise file_error(
            log_as, _("文件是空的，请选择填好的%(what)s。") % {"what": what}, "empty file", name
        )
    if size > MAX_FILE_BYTES:
        raise file_error(
            log_as, _("文件超过10MB，请分成几个文件导入。"), "file too large", name, size=size
        )
    file.seek(0)
    data = file.read()
    file.seek(0)
    not_xlsx = _(
        "文件不是 Excel .xlsx 格式，无法读取。请使用系统提供的模板；"
        ".xls、.csv 等文件请先在 Excel 中“另存为” .xlsx 格式。"
    )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            _refuse_macros(archive, name, log_as)
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise file_error(log_as, not_xlsx, "not a zip file", name, error=str(error)) from error
    limit = max_unpacked_bytes()
    if unpacked > limit:
        raise file_error(
            log_as,
            _(
                "文件解压后有%(unpacked)sMB，超过了%(limit)sMB的上限，系统不读取"
                "（正常的%(what)s解压后远小于此）。请检查文件，或分成几个文件导入。"
            )
            % {
                "unpacked": unpacked // (1024 * 1024),
                "limit": limit // (1024 * 1024),
                "what": what,
            },
            "zip bomb",
            name,
            unpacked=unpacked,
        )

    _refuse_entity_declarations(data, name, log_as)

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(BytesIO(data))
        try:
            # From A1 (not from the first filled cell), so that row numbers are Excel's.
            cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        finally:
            workbook.close()
    # calamine raises its own error on a damaged or foreign file (a zip of something else,
    # a missing part, broken XML); all of them mean "not a usable .xlsx", and the person
    # uploading needs that message, not a server error.
    except Exception as error:
        raise file_error(
            log_as, not_xlsx, "unreadable workbook", name, error=repr(error)
        ) from error
    return cells, name


# ---------------------------------------------------------------------------
# The header


def header_text(value: Any) -> str:
    """A header cell as compared: NFKC (full-width parentheses, ㎡ → m2), no spaces or
    invisible characters, no required-field star, no unit in parentheses."""
    text = normalize_identifier(value).strip("*:")
    return re.sub(r"\(.*?\)", "", text)


@dataclass(frozen=True)
class HeaderMap:
    row: int  # the header's Excel row number
    positions: dict[str, int]  # field → column index (0-based)
    ignored: tuple[str, ...]  # headers the import does not know


def match_header(
    values: tuple,
    number: int,
    *,
    field_by_header: dict[str, str],
    header_of: dict[str, str],
    required: Iterable[str],
    ignored_keys: Iterable[str] = (),
) -> HeaderMap | None:
    """The columns of a header row, None when the row is not a header (fewer than two known
    names: a title, a date line). `field_by_header` maps `header_text` keys (aliases
    included) to field names, `header_of` a field to its template header, `required` the
    fields the file must have; `ignored_keys` are headers skipped without notice (序号).
    Raises ValidationError (code "repeated column" or "wrong header") for a header that
    repeats a column or lacks a required one."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    skip = set(ignored_keys)
    for index, value in enumerate(values):
        key = header_text(value)
        if not key or key in skip:
            continue
        field_name = field_by_header.get(key)
        if field_name is None:
            ignored.append(str(value).strip())
            continue
        if field_name in positions:
            raise ValidationError(
                _("表头第%(a)s列和第%(b)s列都是“%(header)s”，请删去其中一列。")
                % {"a": positions[field_name] + 1, "b": index + 1, "header": header_of[field_name]},
                code="repeated column",
            )
        positions[field_name] = index
    if len(positions) < 2:
        return None
    required = tuple(required)
    missing = [header_of[f] for f in required if f not in positions]
    if missing:
        raise ValidationError(
            _(
                "表头（第%(row)s行）缺少必填的列：%(missing)s。"
                "列按表头名称识别（顺序不限），必填的列为：%(required)s。"
            )
            % {
                "row": number,
                "missing": "、".join(missing),
                "required": "、".join(header_of[f] for f in required),
            },
            code="wrong header",
        )
    return HeaderMap(number, positions, tuple(ignored))


# ---------------------------------------------------------------------------
# Cells


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without '.0' (a 户号 typed as 12 comes back as 12.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def required_cell(row: int, header: str) -> dict[str, Any]:
    """The row error for a required cell left blank: 第5行【房号】房号不能为空。"""
    return problem(row, header, _("%(column)s不能为空。") % {"column": header})


def cell_decimal(value: Any, *, invalid: str, thousands: bool = False) -> Decimal:
    """A number cell as an exact, finite Decimal, never through float arithmetic: a float
    cell is read through its shortest repr (85.5, not 85.4999…), text as written (with
    `thousands`, "6,300.50" → 6300.50). Raises ValidationError(`invalid`) for anything else
    (a bool, a date, words, NaN)."""
    if isinstance(value, bool) or not (is_number(value) or isinstance(value, str)):
        raise ValidationError(invalid)
    if isinstance(value, float):
        text = repr(value)
    else:
        text = str(value).strip()
        if thousands:
            text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise ValidationError(invalid) from error
    if not amount.is_finite():
        raise ValidationError(invalid)
    return amount


def to_cents(amount: Decimal, cell: Any, *, too_precise: str) -> Decimal:
    """`amount` (read from `cell` by cell_decimal) to two decimal places. A third decimal is
    refused (ValidationError(`too_precise`)) unless the cell is a float and the difference is
    float noise (under FLOAT_NOISE)."""
    rounded = amount.quantize(CENT)
    if rounded != amount and not (isinstance(cell, float) and abs(rounded - amount) < FLOAT_NOISE):
        raise ValidationError(too_precise)
    return rounded


def first_row(seen: dict[Any, int], key: Any, number: int) -> int | None:
    """The earlier row a `key` (a 户号, a flat) was on, or None, recording `number` as its
    row when it is new: how both imports find the same thing listed twice in a file."""
    if key in seen:
        return seen[key]
    seen[key] = number
    return None


MAX_AREA = Decimal("100000000")  # the models' max_digits=10 with 2 decimals


# Translated when shown, not once per cell read (a 10,000-row file has 10,000 areas).
AREA_NOT_A_NUMBER = _lazy("建筑面积应为数字（单位：平方米），例如 85.5。")
AREA_TOO_PRECISE = _lazy("建筑面积最多保留两位小数。")


def area_cell(value: Any) -> Decimal:
    """A building area (建筑面积) in square metres: positive, at most two decimals, as a
    Decimal (a house in the survey, a flat in the stock list). Raises ValidationError."""
    area = cell_decimal(value, invalid=AREA_NOT_A_NUMBER)
    if area <= 0 or area.quantize(CENT) <= 0:
        raise ValidationError(_("建筑面积应大于0。"))
    if area >= MAX_AREA:
        raise ValidationError(_("建筑面积过大，请核对单位是否为平方米。"))
    return to_cents(area, value, too_precise=AREA_TOO_PRECISE)
