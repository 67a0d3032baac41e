"""The household survey import (被征收户调查登记表): the template, reading an uploaded file,
checking every row, and saving all rows at once or none of them.

One code path serves the web page and `manage.py import_households`:

- `read_household_rows` opens the file and returns its rows, or raises ValidationError with
  one Chinese message when the file as a whole is unusable (not an .xlsx, empty, too big,
  wrong header, unsafe XML);
- `check_household_rows` checks every row against the template's rules and the project's
  existing households, and returns the unsaved households, the row errors and the warnings;
- `save_households` writes them in bulk with their history rows.

The services at the bottom put these together: the web page uploads (`upload_household_file`),
shows a preview and confirms (`confirm_household_import`); the command checks and saves in one
step (`import_household_file`). A confirmation saves the rows the upload kept: on PostgreSQL
inside the database (`_insert_kept_rows`), so they are neither read nor checked again.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from io import BytesIO
from pathlib import PurePath
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history

from core import public_changes
from core.jobs import queue_on_commit
from core.models import User
from core.normalize import (
    describe_changes,
    normalize_identifier,
    normalize_name,
    normalize_phone,
    normalize_resident_id,
)
from core.sheet_import import (
    HEADER_SEARCH_ROWS,
    HeaderMap,
    area_cell,
    describe_problem,
    file_error,
    first_row,
    match_header,
    problem,
    read_xlsx_cells,
    required_cell,
)
from core.sheet_import import cell_text as _text
from core.sheet_import import header_text as _header_text
from core.sheet_import import is_blank as _is_blank
from core.sheet_import import is_number as _is_number
from core.sheet_import import total_label as _total_label
from core.validators import clean_resident_id, is_first_generation_id, resident_id_warnings
from projects import gates
from projects.models import Household, HouseholdImport, Project
from projects.services import ensure_can_edit_project

logger = logging.getLogger(__name__)

MAX_ROWS = 20_000
SAVE_BATCH = 1000
# Rows saved per statement from an upload's kept rows (`_insert_kept_rows`).
KEPT_BATCH = 5000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    width: int
    hint: str
    required: bool = True
    max_length: int | None = None


# The template's columns, in order: a contract with the districts' files (DESIGN.md,
# "Contracts"), so the headers are data, not translated interface text. The hints are.
COLUMNS = (
    Column("户号", "code", 12, _lazy("本项目内不能重复，最多30个字。"), max_length=30),
    Column("户主姓名", "head_name", 12, _lazy("最多50个字。"), max_length=50),
    Column(
        "身份证号码",
        "id_number",
        22,
        _lazy("18位，最后一位可以是X；请保持“文本”格式，不要改成数字。"),
    ),
    Column(
        "联系电话",
        "phone",
        16,
        _lazy("可不填；手机号11位，固定电话如0739-1234567。"),
        required=False,
    ),
    Column("房屋坐落", "address", 36, _lazy("最多200个字。"), max_length=200),
    Column("房屋用途", "use", 12, _lazy("住宅 或 非住宅。")),
    Column("建筑面积（平方米）", "area", 20, _lazy("大于0，最多两位小数。")),
    Column(
        "困难类型",
        "hardship",
        18,
        _lazy("可不填；或为 低保、特困、残疾、建档立卡贫困户 之一。"),
        required=False,
    ),
    Column("备注", "note", 30, _lazy("可不填，最多500个字。"), required=False, max_length=500),
)
HEADERS = tuple(column.header for column in COLUMNS)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}

# The names offices give the template's columns in their own sheets (compared after
# `_header_text`: NFKC, no spaces, no "*", no unit in parentheses).
HEADER_ALIASES = {
    "code": ("户号", "户编号", "编号"),
    "head_name": ("户主姓名", "姓名", "户主", "被征收人", "被征收人姓名", "产权人", "产权人姓名"),
    "id_number": ("身份证号码", "身份证号", "身份证", "证件号码", "证件号", "公民身份号码"),
    "phone": ("联系电话", "电话", "电话号码", "手机", "手机号", "手机号码", "联系方式"),
    "address": ("房屋坐落", "坐落", "房屋地址", "地址", "房屋位置"),
    "use": ("房屋用途", "用途", "房屋性质"),
    "area": ("建筑面积", "面积", "房屋面积", "建筑面积m2", "面积m2"),
    "hardship": ("困难类型", "困难类别", "困难情况"),
    "note": ("备注", "说明"),
}
# Columns offices add that the import does not need; ignored without a warning.
IGNORED_HEADERS = ("序号", "编号序号", "No", "No.")

# The labels the template offers, mapped to the model's stored values.
USE_BY_LABEL = {
    "住宅": Household.Use.RESIDENTIAL,
    "非住宅": Household.Use.NON_RESIDENTIAL,
}
HARDSHIP_BY_LABEL = {
    "低保": Household.Hardship.DIBAO,
    "特困": Household.Hardship.TEKUN,
    "残疾": Household.Hardship.DISABLED,
    "建档立卡贫困户": Household.Hardship.POVERTY,
}
# "无" is what an export writes for no hardship; accept it back as blank.
NO_HARDSHIP = ("", "无")

# 4.30502E+17, 4.30502198001011e17: what Excel shows for an ID number typed as a number.
# What most cells hold, already in the stored form: checked without normalising first.
ID_SHAPE_RE = re.compile(r"^\d{17}[\dX]\Z")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}\Z")
SCIENTIFIC_RE = re.compile(r"^\d+(\.\d*)?E\+?\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class RawRow:
    number: int  # the Excel row number
    values: tuple  # in the order of COLUMNS, None for a column the sheet does not have


class SheetRows(list):
    """The data rows of a sheet (a list of RawRow), with what reading them noticed."""

    def __init__(self, rows=(), warnings=None):
        super().__init__(rows)
        self.warnings: list[dict[str, Any]] = list(warnings or [])


@dataclass
class CheckResult:
    """What checking a file found: the checked rows ready to save, or the errors.

    `records` are the checked rows as plain values, what an upload keeps (JSON) so that the
    preview and the confirmation never read or check the file again: one dict per household
    with "row" (the Excel row number) and the model's field values, the area as a string of
    square metres with two decimals ("85.50")."""

    project: Project | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)
    count: int | None = None  # the file's data rows, when `rows` are not at hand

    @property
    def row_count(self) -> int:
        return self.count if self.count is not None else len(self.rows)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @cached_property
    def households(self) -> list[Household]:
        """The checked rows as unsaved households (for the preview and the tests)."""
        return [household_from(record, self.project) for record in self.records]


def household_from(record: dict[str, Any], project: Project | None) -> Household:
    """An unsaved household from a checked record (see CheckResult)."""
    fields = {name: value for name, value in record.items() if name in COLUMN_BY_FIELD}
    fields["area"] = Decimal(fields["area"])
    return Household(project=project, **fields)


def pack_records(records: list[dict[str, Any]]) -> dict[str, list]:
    """Checked records as kept with an upload (HouseholdImport.records): one list per key,
    {"row": [5, 6], "code": ["A001", "A002"], ...}. Every record has the same keys (a row is
    kept only when each column gave a value), so the keys are written once, not per row."""
    if not records:
        return {}
    return {name: [record[name] for record in records] for name in records[0]}


def unpack_records(kept: dict[str, list] | list) -> list[dict[str, Any]]:
    """The records of `pack_records(records)` again (a list of dicts, in row order); rows
    kept as a list of dicts (before packing) come back as they are."""
    if isinstance(kept, list):
        return kept
    names = list(kept)
    return [dict(zip(names, values, strict=True)) for values in zip(*kept.values(), strict=True)]


# ---------------------------------------------------------------------------
# The template


def build_household_template() -> bytes:
    """The .xlsx the districts fill in: header, text-formatted ID and phone columns,
    drop-down lists for use and hardship type, and a sheet of instructions."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "被征收户"
    thin = Side(style="thin", color="9AA5B1")
    header_style = {
        "font": Font(bold=True, color="FFFFFF"),
        "fill": PatternFill("solid", fgColor="1D3F72"),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
    }
    text_columns = {"id_number", "phone", "code"}
    prepared_rows = 2000
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        for name, value in header_style.items():
            setattr(cell, name, value)
        sheet.column_dimensions[letter].width = column.width
        if column.field in text_columns:
            # Text, so that Excel keeps all 18 digits of an ID number (it keeps only 15
            # significant digits of a number) and the leading 0 of a landline.
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, prepared_rows + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.row_dimensions[1].height = 24
    sheet.freeze_panes = "A2"

    last_row = MAX_ROWS + 1
    for field_name, labels in (
        ("use", list(USE_BY_LABEL)),
        ("hardship", list(HARDSHIP_BY_LABEL)),
    ):
        column = COLUMNS.index(COLUMN_BY_FIELD[field_name]) + 1
        letter = get_column_letter(column)
        validation = DataValidation(
            type="list",
            formula1='"{}"'.format(",".join(labels)),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("输入有误"),
            error=_("请从下拉列表中选择：%(labels)s") % {"labels": "、".join(labels)},
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    for line in template_instructions():
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=13)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_instructions() -> list[str]:
    return [
        _("被征收户调查登记表填写说明"),
        _(
            "1. 表头下面每行填写一户。列按表头名称识别，顺序可以调换；表头上面可以有标题行，"
            "最后的合计、小计行会被跳过。"
        ),
        _("2. 户号、户主姓名、身份证号码、房屋坐落、房屋用途、建筑面积为必填项。"),
        _("3. 户号在本项目内不能重复。"),
        _(
            "4. 身份证号码为18位，最后一位可以是X。该列已设置为“文本”格式，请不要改成数字，"
            "否则 Excel 只保留15位有效数字，号码会出错。"
        ),
        _(
            "5. 联系电话可不填；手机号为11位，固定电话如0739-5123456，分机写在“转”后面。"
            "一格只填一个号码，多出的号码会移到备注里。"
        ),
        _("6. 房屋用途从下拉列表中选择：住宅 或 非住宅。"),
        _("7. 建筑面积以平方米为单位，大于0，最多两位小数。"),
        _("8. 困难类型可不填，或从下拉列表中选择：低保、特困、残疾、建档立卡贫困户。"),
        _("9. 文件不能超过10MB，每次最多导入%(rows)s户。") % {"rows": MAX_ROWS},
        _("10. 上传后系统会逐行检查：只要有一行有错误，整个文件都不会导入。"),
    ]


# ---------------------------------------------------------------------------
# Reading a file (the file checks and the generic cell helpers are core.sheet_import's)


def _file_error(message: str, reason: str, name: str, **details: Any) -> ValidationError:
    return file_error("household import", message, reason, name, **details)


FIELD_BY_HEADER = {
    _header_text(alias): field_name
    for field_name, aliases in HEADER_ALIASES.items()
    for alias in aliases
}
IGNORED_HEADER_KEYS = {_header_text(header) for header in IGNORED_HEADERS}
REQUIRED_FIELDS = tuple(column.field for column in COLUMNS if column.required)


def _match_header(values: tuple, number: int, name: str) -> HeaderMap | None:
    """The columns of a header row (core.sheet_import.match_header with the survey's
    columns), None when the row is not a header; a refused header is logged."""
    try:
        return match_header(
            values,
            number,
            field_by_header=FIELD_BY_HEADER,
            header_of={column.field: column.header for column in COLUMNS},
            required=REQUIRED_FIELDS,
            ignored_keys=IGNORED_HEADER_KEYS,
        )
    except ValidationError as error:
        raise _file_error(
            error.messages[0], error.code, name, header=[_header_text(v) for v in values]
        ) from error


def read_household_rows(file: File) -> SheetRows:
    """The data rows of an uploaded survey file, blank rows skipped.

    The header is found by its names, in any order and with the usual aliases
    (HEADER_ALIASES), in the first HEADER_SEARCH_ROWS rows: a title row above it is skipped.
    A row whose first filled cell is 合计 / 小计 … is skipped with a warning.

    Raises ValidationError (one message, in Chinese) when the file as a whole cannot be used
    (`read_xlsx_cells`) or has no header or no rows.
    """
    cells, name = read_xlsx_cells(file, what=_("调查登记表"), log_as="household import")
    rows = SheetRows()
    header: HeaderMap | None = None
    seen_any = False
    for number, values in enumerate(cells, start=1):
        values = tuple(values)
        if header is None:
            if _is_blank(values):
                continue
            seen_any = True
            header = _match_header(values, number, name)
            if header is None and number >= HEADER_SEARCH_ROWS:
                break
            if header is not None and header.ignored:
                rows.warnings.append(
                    problem(
                        number,
                        _("表头"),
                        _("以下列不属于调查登记表，已忽略：%(columns)s。")
                        % {"columns": "、".join(header.ignored)},
                    )
                )
            continue
        if _is_blank(values):
            continue
        label = _total_label(values)
        if label:
            rows.warnings.append(
                problem(
                    number,
                    COLUMNS[0].header,
                    # The row's number is the problem's own (第N行 before it).
                    _("这是“%(label)s”行，不是被征收户，已跳过。") % {"label": label},
                )
            )
            continue
        if len(rows) >= MAX_ROWS:
            raise _file_error(
                _("每个文件最多%(limit)s户，请分成几个文件导入。") % {"limit": MAX_ROWS},
                "too many rows",
                name,
            )
        picked = tuple(
            values[header.positions[column.field]]
            if column.field in header.positions and header.positions[column.field] < len(values)
            else None
            for column in COLUMNS
        )
        if _is_blank(picked):
            continue
        rows.append(RawRow(number, picked))
    if header is None:
        if not seen_any:
            raise _file_error(
                _("文件中没有内容：应有一行表头，表头下面每行填写一户。"), "no header", name
            )
        raise _file_error(
            _(
                "没有找到表头：前%(rows)s行中没有一行写着各列的名称。表头应包括：%(expected)s"
                "（顺序不限）。请使用系统提供的模板。"
            )
            % {"rows": HEADER_SEARCH_ROWS, "expected": "、".join(HEADERS)},
            "no header",
            name,
        )
    if not rows:
        raise _file_error(
            _("文件中没有被征收户数据：表头下面没有填写任何一行。"), "no data rows", name
        )
    return rows


# ---------------------------------------------------------------------------
# Checking rows


# The building area (建筑面积) is read by core.sheet_import.area_cell, as in the stock list.
_area = area_cell


def _id_number(value: Any, today: date | None = None) -> str:
    """The stored ID number (core.normalize), or ValidationError naming the cause."""

    def as_text() -> ValidationError:
        return ValidationError(
            _(
                "身份证号码被 Excel 当作数字保存，只保留了15位有效数字，末尾几位已经丢失。"
                "请把“身份证号码”列设置为“文本”格式后重新输入完整的18位号码。"
            )
        )

    if _is_number(value):
        raise as_text()
    raw = _text(value)
    if ID_SHAPE_RE.match(raw):
        # Already as stored (18 ASCII characters): only the date and check digit to check.
        return clean_resident_id(raw, today=today)
    number = normalize_resident_id(raw)
    if SCIENTIFIC_RE.match(number):
        raise as_text()
    # Digits lost to Excel's number format come as plain digits, and Excel keeps exactly 15
    # significant ones; text copied with spaces, invisible or full-width characters was text all
    # along, and gets the cause instead. 16 or 17 digits are simply short: no Excel story.
    if number.isdigit() and 16 <= len(number) <= 17 and not describe_changes(raw):
        raise ValidationError(
            _("身份证号码只有%(n)s位，少了%(missing)s位，请核对后输入完整的18位号码。")
            % {"n": len(number), "missing": 18 - len(number)}
        )
    if (
        number.isdigit()
        and len(number) == 15
        and not is_first_generation_id(number)
        and not describe_changes(raw)
    ):
        raise ValidationError(
            _(
                "身份证号码只有%(n)s位，少了%(missing)s位。如果是从别的表格复制来的，"
                "可能 Excel 把它当作数字只保留了15位有效数字：请把“身份证号码”列设置为"
                "“文本”格式后重新输入完整的18位号码。"
            )
            % {"n": len(number), "missing": 18 - len(number)}
        )
    return clean_resident_id(raw, today=today)


def _phone(value: Any) -> tuple[str, tuple[str, ...], str]:
    """(stored phone, further numbers found in the cell, area code added)."""
    text = _text(value)
    if MOBILE_RE.match(text):
        return text, (), ""  # a mobile as stored: what normalize_phone would give
    phone = normalize_phone(text)
    return phone.number, phone.others, phone.area_code_added


def _choice(value: Any, labels: dict[str, str], column: str, blank: tuple[str, ...] = ()) -> str:
    label = _text(value)
    if label in blank:
        return ""
    if label not in labels:
        raise ValidationError(
            _("%(column)s“%(value)s”无效，应为：%(labels)s。")
            % {"column": column, "value": label, "labels": "、".join(labels)}
        )
    return labels[label]


def _parse_row(
    row: RawRow, today: date | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """One row's field values, its errors (at most one per column) and its warnings."""
    fields: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    other_phones: tuple[str, ...] = ()
    for column, value in zip(COLUMNS, row.values, strict=True):
        if column.field != "id_number" and _text(value) == "":
            if column.required:
                errors.append(required_cell(row.number, column.header))
            else:
                fields[column.field] = ""
            continue
        try:
            if column.field == "id_number":
                if _text(value) == "":
                    raise ValidationError(_("%(column)s不能为空。") % {"column": column.header})
                fields[column.field] = _id_number(value, today)
            elif column.field == "phone":
                fields[column.field], other_phones, area_code = _phone(value)
                if area_code:
                    warnings.append(
                        problem(
                            row.number,
                            column.header,
                            _("“%(value)s”没有区号，已按本地号码补上区号%(area)s。")
                            % {"value": _text(value), "area": area_code},
                        )
                    )
            elif column.field == "use":
                fields[column.field] = _choice(value, USE_BY_LABEL, column.header)
            elif column.field == "hardship":
                fields[column.field] = _choice(
                    value, HARDSHIP_BY_LABEL, column.header, blank=NO_HARDSHIP
                )
            elif column.field == "area":
                fields[column.field] = str(_area(value))
            else:
                text = _text(value)
                if column.field == "code":
                    text = normalize_identifier(text)
                elif column.field == "head_name":
                    text = normalize_name(text)
                _check_length(column, text)
                fields[column.field] = text
        except ValidationError as error:
            for message in error.messages:
                errors.append(problem(row.number, column.header, message))
    if other_phones and "note" in fields:
        note_column = COLUMN_BY_FIELD["note"]
        extra = _("其他电话：%(numbers)s") % {"numbers": "、".join(other_phones)}
        fields["note"] = "；".join(part for part in (fields["note"], extra) if part)
        try:
            _check_length(note_column, fields["note"])
        except ValidationError as error:
            errors.extend(problem(row.number, note_column.header, m) for m in error.messages)
        warnings.append(
            problem(
                row.number,
                COLUMN_BY_FIELD["phone"].header,
                _("一格里有%(n)s个号码：保留第一个%(first)s，其余（%(others)s）已移到备注。")
                % {
                    "n": len(other_phones) + 1,
                    "first": fields.get("phone", ""),
                    "others": "、".join(other_phones),
                },
            )
        )
    return fields, errors, warnings


def _check_length(column: Column, text: str) -> None:
    if column.max_length and len(text) > column.max_length:
        raise ValidationError(
            _("%(column)s不能超过%(limit)s个字，现有%(length)s个字。")
            % {"column": column.header, "limit": column.max_length, "length": len(text)}
        )


def _same_owner_warning(row: int, code: str, name: str, other_code: str, other_name: str):
    message = _(
        "同一身份证号码登记了两处房屋：户号%(other)s和%(code)s。一人有几处房屋的，"
        "按每处房屋分别补偿（《国有土地上房屋征收与补偿条例》第十七条），请核对不是录错了号码。"
    ) % {"other": other_code, "code": code}
    if normalize_name(other_name) != normalize_name(name):
        message += _("两处的户主姓名不同（%(a)s、%(b)s），请特别核对。") % {
            "a": other_name,
            "b": name,
        }
    return problem(row, COLUMN_BY_FIELD["id_number"].header, message)


def check_household_rows(*, project: Project, rows: list[RawRow]) -> CheckResult:
    """Check every row; the project's existing households are read once, in one query.

    Codes (户号) and ID numbers are compared in their normalised form (core.normalize). The
    same 户号 twice is an error; the same ID number on several rows (one owner, several
    houses) is a warning: each house is compensated (Decree 590 art. 17)."""
    result = CheckResult(project=project, rows=list(rows))
    result.warnings.extend(getattr(rows, "warnings", []))
    today = timezone.localdate()
    existing_codes: set[str] = set()
    existing_ids: dict[str, tuple[str, str]] = {}
    for code, id_number, head_name in project.households.values_list(
        "code", "id_number", "head_name"
    ):
        existing_codes.add(normalize_identifier(code))
        existing_ids.setdefault(normalize_resident_id(id_number), (code, head_name))
    seen_codes: dict[str, int] = {}
    seen_ids: dict[str, tuple[str, str]] = {}
    id_warnings: dict[str, list[str]] = {}
    code_header = COLUMN_BY_FIELD["code"].header
    id_header = COLUMN_BY_FIELD["id_number"].header

    for row in rows:
        fields, errors, warnings = _parse_row(row, today)
        result.warnings.extend(warnings)
        code = fields.get("code")
        if code:
            if code in existing_codes:
                errors.append(
                    problem(
                        row.number,
                        code_header,
                        _("户号“%(code)s”在本项目中已经登记。") % {"code": code},
                    )
                )
            elif (earlier_row := first_row(seen_codes, code, row.number)) is not None:
                errors.append(
                    problem(
                        row.number,
                        code_header,
                        _("户号“%(code)s”与第%(row)s行重复。") % {"code": code, "row": earlier_row},
                    )
                )
        id_number = fields.get("id_number")
        if id_number:
            name = fields.get("head_name", "")
            earlier = existing_ids.get(id_number) or seen_ids.get(id_number)
            if earlier and code:
                result.warnings.append(_same_owner_warning(row.number, code, name, *earlier))
            if code and id_number not in seen_ids:
                seen_ids[id_number] = (code, name)
            # The warning depends only on the region code and the birth year; files hold
            # few of those pairs, so ask once per pair.
            key = id_number[:10]
            if key not in id_warnings:
                id_warnings[key] = resident_id_warnings(id_number)
            for warning in id_warnings[key]:
                result.warnings.append(problem(row.number, id_header, warning))
        if errors:
            result.errors.extend(errors)
            continue
        # Every field the model would check is checked above, with the same validators
        # (lengths, choices, the ID number and phone rules, the area's digits), so no model
        # instance is built per row: a 10,000-row file is checked in plain values.
        result.records.append({"row": row.number, **fields})
    if result.errors:
        result.records = []
    return result


def check_household_file(*, project: Project, file: File) -> CheckResult:
    return check_household_rows(project=project, rows=read_household_rows(file))


# ---------------------------------------------------------------------------
# Saving


def _defaults(project: Project) -> list[tuple[Any, Any]]:
    """(field, value to store) for each column of the household table but the id: the
    default a new household of `project` gets, computed once (as the model would)."""
    template = Household(project=project)
    return [
        (f, f.get_db_prep_save(f.pre_save(template, add=True), connection))
        for f in Household._meta.concrete_fields
        if not f.primary_key
    ]


def _copy_rows(
    project: Project, records: list[dict[str, Any]]
) -> tuple[list[str], list[list[Any]]]:
    """The household table's columns (all but the id) and one row of values per record:
    the record's values, and each other column's default (`_defaults`)."""
    defaults = _defaults(project)
    rows = []
    for record in records:
        values = {**record, "area": Decimal(record["area"])}
        rows.append([values.get(f.attname, default) for f, default in defaults])
    return [f.column for f, _default in defaults], rows


def save_households(
    *,
    project: Project,
    records: list[dict[str, Any]],
    by: User | None,
    reason: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert checked records (CheckResult.records) and one history row each ("+", naming
    `by` and `reason`) with PostgreSQL's COPY and one INSERT … SELECT: never a query per
    row. Returns the number of households saved; `progress(saved)` is called every
    SAVE_BATCH rows.

    Call inside a transaction that has locked the project (see the services below); a code
    already in the project raises ValidationError and the caller's transaction rolls back.
    On another database (SQLite on a laptop) the rows go through bulk_create_with_history."""
    if not records:
        return 0
    # The public pages count the project's households (once the transaction commits).
    public_changes.changed()
    with _codes_clash_on_save():
        if connection.vendor != "postgresql":
            households = [household_from(record, project) for record in records]
            bulk_create_with_history(
                households,
                Household,
                batch_size=SAVE_BATCH,
                default_user=by,
                default_change_reason=_history_reason(reason),
            )
            if progress:
                progress(len(households))
            return len(households)
        columns, rows = _copy_rows(project, records)
        table = connection.ops.quote_name(Household._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor:
            # Django's cursor wraps psycopg's, which has COPY.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for saved, row in enumerate(rows, start=1):
                    copy.write_row(row)
                    if progress and saved % SAVE_BATCH == 0:
                        progress(saved)
            _insert_history(
                cursor, project=project, codes=[r["code"] for r in records], by=by, reason=reason
            )
        if progress:
            progress(len(rows))
        return len(rows)


@contextmanager
def _codes_clash_on_save():
    """Turn the unique constraint's IntegrityError (a 户号 of the file is already registered
    in the project) into a ValidationError for the user. The transaction is unusable after
    the error; raising makes the caller's atomic block (or savepoint) roll everything back,
    which is what an all-or-nothing import wants."""
    try:
        yield
    except IntegrityError as error:
        logger.warning("household import hit a unique constraint: %s", error)
        raise ValidationError(
            _(
                "保存时发现户号与本项目已有的户重复（可能有人同时录入），未导入任何数据，请重新确认。"
            )
        ) from error


def _insert_history(cursor, *, project: Project, codes: list[str], by, reason: str) -> None:
    """One "+" history row per household just copied in, as simple_history's own
    bulk_create_with_history would write it (same columns, one history_date)."""
    targets, selects, params = _history_columns(by=by, reason=reason)
    quote = connection.ops.quote_name
    cursor.execute(
        f"INSERT INTO {quote(Household.history.model._meta.db_table)} ({targets}) "  # noqa: S608
        f"SELECT {selects} FROM {quote(Household._meta.db_table)} "
        "WHERE project_id = %s AND code = ANY(%s)",
        [*params, project.pk, codes],
    )


def _history_reason(reason: str) -> str:
    """`reason` cut to what a history row holds (a file name can be long)."""
    field = Household.history.model._meta.get_field("history_change_reason")
    return reason[: field.max_length]


def _history_columns(*, by, reason: str, source: str = "") -> tuple[str, str, list[Any]]:
    """The history table's columns (but its own id), what to select for each from a
    household row (a column of `source`, a table or alias) and the parameters of the rest
    (one history_date, `by`, `reason`, "+")."""
    quote = connection.ops.quote_name
    own = {f.attname for f in Household._meta.concrete_fields}
    extra = {
        "history_date": timezone.now(),
        "history_change_reason": _history_reason(reason) or None,
        "history_type": "+",
        "history_user_id": by.pk if by else None,
    }
    prefix = f"{source}." if source else ""
    targets, selects, params = [], [], []
    for f in Household.history.model._meta.concrete_fields:
        if f.attname == "history_id":
            continue
        targets.append(quote(f.column))
        if f.attname in own:
            selects.append(prefix + quote(Household._meta.get_field(f.name).column))
        else:
            selects.append("%s")
            params.append(extra[f.attname])
    return ", ".join(targets), ", ".join(selects), params


def _insert_kept_rows(
    record: HouseholdImport,
    *,
    by: User | None,
    reason: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert the rows an upload kept (HouseholdImport.records, packed by column: migration
    0015 packed those kept before) as households of its project, in row order, with one "+"
    history row each naming `by` and `reason`, inside PostgreSQL: per KEPT_BATCH rows one
    statement (INSERT … SELECT over that slice of the stored JSON, and the history rows from
    what it returned), so the rows never come back to Python. Returns the number of households
    saved; `progress(saved)` is called after each statement.

    Raises IntegrityError when a 户号 is already in the project (run it in a savepoint);
    PostgreSQL only."""
    quote = connection.ops.quote_name
    kept = [column.field for column in COLUMNS]
    names = ", ".join(quote(name) for name in kept)
    # The same slice of each packed column, read side by side.
    packed = ", ".join(
        "jsonb_array_elements_text(jsonb_path_query_array(i.records -> %s, %s::jsonpath))"
        for _name in kept
    )
    columns, values, value_params = [], [], []
    for f, default in _defaults(record.project):
        columns.append(quote(f.column))
        if f.attname in kept:
            values.append(f"CAST(k.{quote(f.attname)} AS {f.db_type(connection)})")
        else:
            values.append("%s")
            value_params.append(default)
    targets, selects, history_params = _history_columns(by=by, reason=reason, source="saved")
    table = quote(HouseholdImport._meta.db_table)
    sql = (
        # MATERIALIZED: the stored rows are read (and decompressed) once, not per column.
        f"WITH i AS MATERIALIZED (SELECT records FROM {table} WHERE id = %s), "  # noqa: S608
        f"k({names}, n) AS (SELECT p.* FROM i, ROWS FROM ({packed}) WITH ORDINALITY "
        f"AS p({names}, n)), "
        f"saved AS (INSERT INTO {quote(Household._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM k ORDER BY k.n RETURNING *) "
        f"INSERT INTO {quote(Household.history.model._meta.db_table)} ({targets}) "
        f"SELECT {selects} FROM saved"
    )
    saved = 0
    with connection.cursor() as cursor:
        for start in range(0, record.row_count, KEPT_BATCH):
            path = f"$[{start} to {start + KEPT_BATCH - 1}]"
            cursor.execute(
                sql,
                [
                    record.pk,
                    *[param for name in kept for param in (name, path)],
                    *value_params,
                    *history_params,
                ],
            )
            saved += cursor.rowcount
            if progress:
                progress(saved)
    return saved


def _ensure_may_import(by: User | None, project: Project) -> None:
    # `by` is None only for the management command, run by an administrator on the server.
    if by is not None:
        ensure_can_edit_project(by, project)
    # The survey's households come in before the 一榜 is settled (projects.gates).
    gates.ensure_allowed("household.import", project=project)


def _stored_name(project: Project) -> str:
    return f"{project.code}.xlsx"


def _original_name(file: File) -> str:
    return PurePath(getattr(file, "name", "") or "").name[:200] or "upload.xlsx"


@transaction.atomic
def upload_household_file(*, project: Project, by: User | None, file: File) -> HouseholdImport:
    """Check an uploaded survey file and keep it as a HouseholdImport to preview and confirm.

    The file is read and checked once, here: the checked rows and the warnings are kept with
    it (`records`, `warnings`), so the preview and the confirmation work from those. A file
    that cannot be read at all raises ValidationError and keeps nothing; a readable file is
    kept with status `validated`, or `failed` with every row error."""
    _ensure_may_import(by, project)
    result = check_household_file(project=project, file=file)
    record = HouseholdImport(
        project=project,
        original_name=_original_name(file),
        status=HouseholdImport.Status.VALIDATED
        if result.is_valid
        else HouseholdImport.Status.FAILED,
        row_count=result.row_count,
        errors=result.errors,
        records=pack_records(result.records),
        warnings=result.warnings,
        uploaded_by=by,
    )
    file.seek(0)
    record.file.save(_stored_name(project), ContentFile(file.read()), save=False)
    record.save()
    if result.errors:
        logger.info(
            "household import %s for project %s failed with %s row errors",
            record.pk,
            project.code,
            len(result.errors),
        )
    return record


def preview_household_import(
    *, household_import: HouseholdImport, limit: int | None = None, offset: int = 0
) -> CheckResult:
    """What the upload's check found, against the project as it is now: the kept rows (all,
    or `limit` of them from the `offset`-th, counted from 0) and warnings, and an error for
    each 户号 registered in the project since the upload. The file is neither read nor
    checked again: on PostgreSQL the kept rows are compared with the project's households in
    one query, and only the rows asked for leave the database.

    Raises OSError when the kept file is gone from storage: it is the record of what was
    imported, so an import without it is not confirmed."""
    record = household_import
    _ensure_kept_file(record)
    result = CheckResult(
        project=record.project,
        warnings=list(record.warnings),
        count=record.row_count,
    )
    header = COLUMN_BY_FIELD["code"].header
    if connection.vendor != "postgresql":
        records = unpack_records(_kept_rows(record))
        taken = _taken_codes(record.project, [r["code"] for r in records])
        clashes = [(r["row"], r["code"]) for r in records if r["code"] in taken]
    else:
        records = None
        clashes = _codes_taken_since(record)
    result.errors = [
        problem(row, header, _("户号“%(code)s”在本项目中已经登记。") % {"code": code})
        for row, code in clashes
    ]
    if result.errors or limit == 0:
        return result
    stop = None if limit is None else offset + limit
    if records is not None:
        result.records = records[offset:stop]
    elif limit is None and not offset:
        result.records = unpack_records(_kept_rows(record))
    else:
        result.records = unpack_records(_kept_slice(record, offset, stop))
    return result


def _ensure_kept_file(record: HouseholdImport) -> None:
    """Raises OSError when the file `record` kept is gone from storage."""
    if not record.file or not record.file.storage.exists(record.file.name):
        raise OSError(f"household import {record.pk}: stored file {record.file.name!r} is gone")


def _unreadable(record: HouseholdImport, error: OSError) -> ValidationError:
    logger.error("household import %s: stored file unreadable: %s", record.pk, error)
    return ValidationError(_("无法读取已上传的文件，请重新上传。"))


def _kept_rows(record: HouseholdImport) -> dict[str, list] | list:
    return HouseholdImport.objects.values_list("records", flat=True).get(pk=record.pk)


def _kept_slice(record: HouseholdImport, start: int, stop: int | None) -> dict[str, list]:
    """Rows [start, stop) of the kept rows (packed), sliced in PostgreSQL."""
    last = "last" if stop is None else str(max(int(stop) - 1, 0))
    path = f"$[{int(start)} to {last}]"
    table = HouseholdImport._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE jsonb_typeof(i.records) "  # noqa: S608 (names from the model)
            "WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg("
            "k.key, jsonb_path_query_array(k.value, %s::jsonpath)), '{}') "
            "FROM jsonb_each(i.records) k) "
            "ELSE jsonb_path_query_array(i.records, %s::jsonpath) END "
            f"FROM {table} i WHERE i.id = %s",
            [path, path, record.pk],
        )
        (kept,) = cursor.fetchone()
    return json.loads(kept) if isinstance(kept, str) else kept


def _taken_codes(project: Project, codes: list[str]) -> set[str]:
    """Which of `codes` the project's households now have (one query; other databases than
    PostgreSQL, which compares them in `_codes_taken_since`)."""
    return set(project.households.filter(code__in=codes).values_list("code", flat=True))


def _codes_taken_since(record: HouseholdImport) -> list[tuple[int, str]]:
    """(row, 户号) of the kept rows whose code the project now has, in row order: one query
    over the kept rows (packed by column: migration 0015 packed those kept before). The
    columns `row` and `code` are read side by side in one pass (ROWS FROM), so the query's
    cost grows with the rows, not with their square (indexing into the row column once per
    code read the whole column again each time: 14 s for 20,000 rows)."""
    table = HouseholdImport._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            # MATERIALIZED: the stored rows are read (and decompressed) once, not per use.
            f"WITH i AS MATERIALIZED (SELECT records FROM {table} WHERE id = %s), "  # noqa: S608
            "kept(line, code) AS (SELECT k.line::int, k.code FROM i, ROWS FROM ("
            "jsonb_array_elements_text(i.records -> 'row'), "
            "jsonb_array_elements_text(i.records -> 'code')) AS k(line, code)) "
            f"SELECT kept.line, kept.code FROM kept JOIN {Household._meta.db_table} h "
            "ON h.project_id = %s AND h.code = kept.code ORDER BY 1",
            [record.pk, record.project_id],
        )
        return cursor.fetchall()


def _import_reason(record: HouseholdImport) -> str:
    return _("调查登记表导入：%(name)s") % {"name": record.original_name}


def _locked_import(pk: int) -> tuple[HouseholdImport, Project]:
    # The kept rows stay in the database until they are saved (preview_household_import).
    record = HouseholdImport.objects.select_for_update().defer("records").get(pk=pk)
    # Lock the project so that two imports into it are checked and saved one after the other.
    record.project = Project.objects.select_for_update().get(pk=record.project_id)
    return record, record.project


def _checked_again(record: HouseholdImport, limit: int | None = None) -> CheckResult:
    """The preview under the locks; when households added since the upload now clash, the
    import is marked failed with those errors."""
    try:
        result = preview_household_import(household_import=record, limit=limit)
    except OSError as error:
        raise _unreadable(record, error) from error
    if result.errors:
        record.status = HouseholdImport.Status.FAILED
        record.errors = result.errors
        record.save(update_fields=["status", "errors"])
        logger.info("household import %s failed on confirmation", record.pk)
    return result


def _save_import(
    record: HouseholdImport, by: User | None, progress: Callable[[int], None] | None = None
) -> CheckResult:
    """Save a locked import's kept rows, all or none, unless a 户号 of the file has been
    registered in the project since the upload: then the import is marked failed with an
    error naming each such row (`_checked_again`) and nothing is saved. Returns what the
    check found (no errors when saved).

    On PostgreSQL the rows are saved from the stored JSON inside the database
    (`_insert_kept_rows`, in a savepoint) and the project's unique 户号 constraint finds the
    clashes, so the kept rows are compared with the households only when it fires; elsewhere
    they are read back, checked and saved by `save_households`. Raises ValidationError when
    the kept file is gone, or the save fails on a 户号 no clash explains."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        try:
            _ensure_kept_file(record)
        except OSError as error:
            raise _unreadable(record, error) from error
        result = CheckResult(project=record.project, count=record.row_count)
    else:
        result = _checked_again(record)
        if result.errors:
            return result
    try:
        with transaction.atomic():
            if postgres:
                public_changes.changed()
                with _codes_clash_on_save():
                    _insert_kept_rows(
                        record, by=by, reason=_import_reason(record), progress=progress
                    )
            else:
                save_households(
                    project=record.project,
                    records=result.records,
                    by=by,
                    reason=_import_reason(record),
                    progress=progress,
                )
            record.status = HouseholdImport.Status.IMPORTED
            record.imported_at = timezone.now()
            record.save(update_fields=["status", "imported_at"])
    except ValidationError:
        # The savepoint is rolled back: name the rows whose 户号 is now registered.
        again = _checked_again(record, limit=0)
        if again.errors:
            return again
        raise
    return result


@transaction.atomic
def confirm_household_import(*, household_import: HouseholdImport, by: User | None) -> CheckResult:
    """Save every household of a checked file, or none.

    The kept rows are compared again with the project's households (some may have been
    added since the preview); when they clash, the import is marked failed with the new
    errors and nothing is saved. A file already imported, or being imported, is refused.
    A file of more than settings.HOUSEHOLD_IMPORT_JOB_ROWS rows is saved by a Celery job
    (`run_household_import`): the import is marked `importing` and its page shows the
    job's progress."""
    record, project = _locked_import(household_import.pk)
    _ensure_may_import(by, project)
    if record.status == HouseholdImport.Status.IMPORTED:
        raise ValidationError(_("该文件已经导入，不能重复导入。"))
    if record.status == HouseholdImport.Status.IMPORTING:
        raise ValidationError(_("该文件正在导入，请稍候。"))
    if record.status == HouseholdImport.Status.FAILED:
        raise ValidationError(_("该文件有错误，不能导入。请修改后重新上传。"))
    # Who confirmed, kept whatever comes of it (the page tells a failure on confirmation
    # from a file's own errors by it).
    record.confirmed_by = by
    record.save(update_fields=["confirmed_by"])
    if record.row_count > settings.HOUSEHOLD_IMPORT_JOB_ROWS:
        from projects.tasks import import_households  # the tasks module imports this one

        # The job checks again and saves; here the request only looks for clashes.
        result = _checked_again(record, limit=0)
        if result.errors:
            return result
        record.status = HouseholdImport.Status.IMPORTING
        record.job_id = str(uuid.uuid4())
        record.save(update_fields=["status", "job_id"])
        queue_on_commit(import_households, record.pk, task_id=record.job_id)
    else:
        result = _save_import(record, by)
    household_import.status = record.status
    household_import.imported_at = record.imported_at
    household_import.job_id = record.job_id
    return result


def run_household_import(
    *, import_id: int, progress: Callable[[int], None] | None = None
) -> HouseholdImport:
    """The job's work: save a confirmed import (status `importing`) in one transaction, all
    or nothing, calling `progress(saved rows)` as it goes. Safe to run twice: an import no
    longer `importing` is left alone. When the rows clash with households added meanwhile,
    or the save fails on a 户号 added at the same moment, the import is marked failed."""
    with transaction.atomic():
        record, _project = _locked_import(import_id)
        if record.status != HouseholdImport.Status.IMPORTING:
            return record
        try:
            _save_import(record, record.confirmed_by, progress=progress)
        except ValidationError as error:
            record.status = HouseholdImport.Status.FAILED
            record.errors = [problem("", "", message) for message in error.messages]
            record.save(update_fields=["status", "errors"])
    return record


def job_progress(record: HouseholdImport) -> int:
    """The rows the job saving `record` has saved so far (read from the job's result; 0 when
    the job has not started or its progress cannot be read)."""
    from celery import current_app
    from celery.result import AsyncResult

    if not record.job_id or current_app.conf.task_always_eager:
        return 0  # in-process jobs (no broker) keep no results

    try:
        info = AsyncResult(record.job_id).info
    except Exception as error:  # a result store that cannot be read: show no count
        logger.warning("household import %s: progress unreadable: %s", record.pk, error)
        return 0
    return int(info.get("saved", 0)) if isinstance(info, dict) else 0


class HouseholdRowsInvalid(ValidationError):
    """The file was read, but rows have errors (kept in `rows` as dicts)."""

    def __init__(self, errors: list[dict[str, Any]]):
        self.rows = errors
        super().__init__([describe_problem(error) for error in errors])


@transaction.atomic
def import_household_file(
    *, project: Project, file: File, by: User | None = None
) -> tuple[HouseholdImport, CheckResult]:
    """Check and save a survey file in one step (the `import_households` command).

    On any error nothing at all is saved: a file-level problem raises ValidationError, row
    errors raise HouseholdRowsInvalid with every one of them."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _ensure_may_import(by, project)
    result = check_household_file(project=project, file=file)
    if result.errors:
        raise HouseholdRowsInvalid(result.errors)
    name = _original_name(file)
    save_households(
        project=project,
        records=result.records,
        by=by,
        reason=_("调查登记表导入：%(name)s") % {"name": name},
    )
    record = HouseholdImport(
        project=project,
        original_name=name,
        status=HouseholdImport.Status.IMPORTED,
        row_count=result.row_count,
        uploaded_by=by,
        imported_at=timezone.now(),
    )
    file.seek(0)
    record.file.save(_stored_name(project), ContentFile(file.read()), save=False)
    record.save()
    return record, result
