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
step (`import_household_file`).
"""

from __future__ import annotations

import logging
import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from pathlib import PurePath
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history

from core.models import User
from core.normalize import (
    describe_changes,
    normalize_identifier,
    normalize_name,
    normalize_phone,
    normalize_resident_id,
)
from core.validators import clean_resident_id, is_first_generation_id, resident_id_warnings
from projects.models import Household, HouseholdImport, Project
from projects.services import ensure_can_edit_project

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
# How far down a title, a date line or a blank row may push the header.
HEADER_SEARCH_ROWS = 10
# Workbooks that can carry macros (VBA): never opened, whatever they are called.
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")
MACRO_PARTS = ("xl/vbaProject.bin",)
MAX_ROWS = 20_000
SAVE_BATCH = 1000
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
# The label of a row that sums the rows above it, in the first filled cell.
TOTAL_LABELS = ("合计", "小计", "总计", "共计", "累计")

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
SCIENTIFIC_RE = re.compile(r"^\d+(\.\d*)?E\+?\d+$", re.IGNORECASE)
# The most a float's decimal digits may differ from two places and still count as float noise
# (a cached formula result like 85.49999999999999 for 85.5), never as a real third decimal.
FLOAT_NOISE = Decimal("0.000001")
CENT = Decimal("0.01")
MAX_AREA = Decimal("100000000")  # the model's max_digits=10 with 2 decimals


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
    """What checking a file found: the households ready to save, or the errors."""

    households: list[Household] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def problem(row: int, column: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "message": str(message)}


def describe_problem(error: dict[str, Any]) -> str:
    """One row error as a line of text: 第5行【身份证号码】身份证号码校验位错误，请核对。"""
    return _("第%(row)s行【%(column)s】%(message)s") % error


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
# Reading a file


def _file_error(message: str, reason: str, name: str, **details: Any) -> ValidationError:
    logger.warning(
        "household import rejected: %s (file %r%s)",
        reason,
        name,
        "".join(f", {key}={value!r}" for key, value in details.items()),
    )
    return ValidationError(message, code=reason)


def _header_text(value: Any) -> str:
    """A header cell as compared: NFKC (full-width parentheses, ㎡ → m2), no spaces or
    invisible characters, no required-field star, no unit in parentheses."""
    text = normalize_identifier(value).strip("*:")
    return re.sub(r"\(.*?\)", "", text)


FIELD_BY_HEADER = {
    _header_text(alias): field_name
    for field_name, aliases in HEADER_ALIASES.items()
    for alias in aliases
}
IGNORED_HEADER_KEYS = {_header_text(header) for header in IGNORED_HEADERS}
REQUIRED_FIELDS = tuple(column.field for column in COLUMNS if column.required)


@dataclass(frozen=True)
class HeaderMap:
    row: int  # the header's Excel row number
    positions: dict[str, int]  # field → column index (0-based)
    ignored: tuple[str, ...]  # headers the import does not know


def _match_header(values: tuple, number: int, name: str) -> HeaderMap | None:
    """The columns of a header row, None when the row is not a header (a title, a date).
    Raises ValidationError for a header that repeats a column or lacks a required one."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, value in enumerate(values):
        key = _header_text(value)
        if not key or key in IGNORED_HEADER_KEYS:
            continue
        field_name = FIELD_BY_HEADER.get(key)
        if field_name is None:
            ignored.append(str(value).strip())
            continue
        if field_name in positions:
            raise _file_error(
                _("表头第%(a)s列和第%(b)s列都是“%(header)s”，请删去其中一列。")
                % {
                    "a": positions[field_name] + 1,
                    "b": index + 1,
                    "header": COLUMN_BY_FIELD[field_name].header,
                },
                "repeated column",
                name,
                header=key,
            )
        positions[field_name] = index
    if len(positions) < 2:
        return None
    missing = [COLUMN_BY_FIELD[f].header for f in REQUIRED_FIELDS if f not in positions]
    if missing:
        raise _file_error(
            _(
                "表头（第%(row)s行）缺少必填的列：%(missing)s。"
                "列按表头名称识别（顺序不限），必填的列为：%(required)s。"
            )
            % {
                "row": number,
                "missing": "、".join(missing),
                "required": "、".join(COLUMN_BY_FIELD[f].header for f in REQUIRED_FIELDS),
            },
            "wrong header",
            name,
            header=[_header_text(value) for value in values],
        )
    return HeaderMap(number, positions, tuple(ignored))


def _total_label(values: tuple) -> str:
    """合计 / 小计 / … when the row's first filled cell says it sums the rows above."""
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        text = normalize_identifier(value)
        return next((label for label in TOTAL_LABELS if text.startswith(label)), "")
    return ""


def _is_blank(values: tuple) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` is the error or in its chain (openpyxl wraps parser errors in its own)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _max_unpacked_bytes() -> int:
    return settings.HOUSEHOLD_IMPORT_MAX_UNPACKED_MB * 1024 * 1024


def _refuse_macros(archive: zipfile.ZipFile, name: str) -> None:
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
        raise _file_error(
            _(
                "这是启用宏的 Excel 工作簿（.xlsm），宏可能含有恶意代码，系统不接收。"
                "请在 Excel 中“另存为”“Excel 工作簿(*.xlsx)”后再上传。"
            ),
            "macro-enabled workbook",
            name,
        )


def read_household_rows(file: File) -> SheetRows:
    """The data rows of an uploaded survey file, blank rows skipped.

    The header is found by its names, in any order and with the usual aliases
    (HEADER_ALIASES), in the first HEADER_SEARCH_ROWS rows: a title row above it is skipped.
    A row whose first filled cell is 合计 / 小计 … is skipped with a warning.

    Raises ValidationError (one message, in Chinese) when the file as a whole cannot be used.
    The size is checked before a byte is read; a macro-enabled workbook is refused; the sizes
    the zip declares for its parts, unpacked, are added up before openpyxl opens it (over
    settings.HOUSEHOLD_IMPORT_MAX_UNPACKED_MB is refused; zipfile never unpacks a part past
    its declared size); openpyxl parses the XML with defusedxml, which refuses entity
    declarations (the "billion laughs" bomb).
    """
    name = PurePath(getattr(file, "name", "") or "").name
    size = file.size
    if not size:
        raise _file_error(_("文件是空的，请选择填好的调查登记表。"), "empty file", name)
    if size > MAX_FILE_BYTES:
        raise _file_error(
            _("文件超过10MB，请分成几个文件导入。"), "file too large", name, size=size
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
            _refuse_macros(archive, name)
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise _file_error(not_xlsx, "not a zip file", name, error=str(error)) from error
    limit = _max_unpacked_bytes()
    if unpacked > limit:
        raise _file_error(
            _(
                "文件解压后有%(unpacked)sMB，超过了%(limit)sMB的上限，系统不读取"
                "（正常的调查登记表解压后远小于此）。请检查文件，或分成几个文件导入。"
            )
            % {"unpacked": unpacked // (1024 * 1024), "limit": limit // (1024 * 1024)},
            "zip bomb",
            name,
            unpacked=unpacked,
        )

    rows = SheetRows()
    header: HeaderMap | None = None
    seen_any = False
    workbook = None
    try:
        workbook = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the <dimension> a file declares, and some programs write a
        # wrong one: forget it, read every row there is (rows are padded below).
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
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
                        _("第%(row)s行是“%(label)s”行，不是被征收户，已跳过。")
                        % {"row": number, "label": label},
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
    except ValidationError:
        raise
    # openpyxl raises many kinds of errors on a damaged or foreign file (InvalidFileException,
    # KeyError for a missing part, XML syntax errors, ...); all of them mean "not a usable
    # .xlsx", and the person uploading needs that message, not a server error.
    except Exception as error:
        if _caused_by(error, DefusedXmlException):
            raise _file_error(
                _(
                    "文件含有不安全的内容（XML 实体声明），已拒绝读取。"
                    "请用 Excel 重新保存后再上传。"
                ),
                "unsafe xml",
                name,
                error=repr(error),
            ) from error
        raise _file_error(not_xlsx, "unreadable workbook", name, error=repr(error)) from error
    finally:
        if workbook is not None:
            workbook.close()
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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _text(value: Any) -> str:
    """A cell as text: whole numbers without '.0' (a 户号 typed as 12 comes back as 12.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _area(value: Any) -> Decimal:
    """Square metres as a Decimal: positive, at most two decimals. Never float arithmetic:
    a float cell is read through its shortest repr ('85.5'), and float noise from a cached
    formula result (85.49999999999999) is recognised as such."""
    invalid = ValidationError(_("建筑面积应为数字（单位：平方米），例如 85.5。"))
    if isinstance(value, bool) or not (_is_number(value) or isinstance(value, str)):
        raise invalid
    from_float = isinstance(value, float)
    text = repr(value) if from_float else str(value).strip()
    try:
        area = Decimal(text)
    except InvalidOperation as error:
        raise invalid from error
    if not area.is_finite():
        raise invalid
    if area <= 0:
        raise ValidationError(_("建筑面积应大于0。"))
    if area >= MAX_AREA:
        raise ValidationError(_("建筑面积过大，请核对单位是否为平方米。"))
    rounded = area.quantize(CENT)
    if rounded != area and not (from_float and abs(rounded - area) < FLOAT_NOISE):
        raise ValidationError(_("建筑面积最多保留两位小数。"))
    return rounded


def _id_number(value: Any) -> str:
    """The stored ID number (core.normalize), or ValidationError naming the cause."""
    as_text = _(
        "身份证号码被 Excel 当作数字保存，只保留了15位有效数字，末尾几位已经丢失。"
        "请把“身份证号码”列设置为“文本”格式后重新输入完整的18位号码。"
    )
    if _is_number(value):
        raise ValidationError(as_text)
    raw = _text(value)
    number = normalize_resident_id(raw)
    if SCIENTIFIC_RE.match(number):
        raise ValidationError(as_text)
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
    return clean_resident_id(raw)


def _phone(value: Any) -> tuple[str, tuple[str, ...], str]:
    """(stored phone, further numbers found in the cell, area code added)."""
    phone = normalize_phone(_text(value))
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
    row: RawRow,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """One row's field values, its errors (at most one per column) and its warnings."""
    fields: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    other_phones: tuple[str, ...] = ()
    for column, value in zip(COLUMNS, row.values, strict=True):
        if column.field != "id_number" and _text(value) == "":
            if column.required:
                errors.append(
                    problem(
                        row.number,
                        column.header,
                        _("%(column)s不能为空。") % {"column": column.header},
                    )
                )
            else:
                fields[column.field] = ""
            continue
        try:
            if column.field == "id_number":
                if _text(value) == "":
                    raise ValidationError(_("%(column)s不能为空。") % {"column": column.header})
                fields[column.field] = _id_number(value)
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
                fields[column.field] = _area(value)
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
    result = CheckResult(rows=list(rows))
    result.warnings.extend(getattr(rows, "warnings", []))
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
        fields, errors, warnings = _parse_row(row)
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
            elif code in seen_codes:
                errors.append(
                    problem(
                        row.number,
                        code_header,
                        _("户号“%(code)s”与第%(row)s行重复。")
                        % {"code": code, "row": seen_codes[code]},
                    )
                )
            else:
                seen_codes[code] = row.number
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
        household = Household(project=project, **fields)
        # The model's own field rules, as a safety net behind the checks above. Left out: the
        # project (checking a foreign key costs a query per row) and the two fields checked
        # above with the very validators the model uses.
        try:
            household.clean_fields(exclude=["project", "id_number", "phone"])
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                column = COLUMN_BY_FIELD.get(field_name)
                header = column.header if column else field_name
                for message in messages:
                    result.errors.append(problem(row.number, header, message))
            continue
        result.households.append(household)
    if result.errors:
        result.households = []
    return result


def check_household_file(*, project: Project, file: File) -> CheckResult:
    return check_household_rows(project=project, rows=read_household_rows(file))


# ---------------------------------------------------------------------------
# Saving


def save_households(
    *, households: list[Household], by: User | None, reason: str = ""
) -> list[Household]:
    """Insert the checked households and their history rows in batches (never a query per row).

    Call inside a transaction that has locked the project (see the services below)."""
    try:
        return bulk_create_with_history(
            households,
            Household,
            batch_size=SAVE_BATCH,
            default_user=by,
            default_change_reason=reason[:100],
        )
    # The transaction is unusable after this error; raising makes the caller's atomic block
    # roll everything back, which is what an all-or-nothing import wants.
    except IntegrityError as error:
        # Someone added a household with one of these codes between the check and the save.
        logger.warning("household import hit a unique constraint: %s", error)
        raise ValidationError(
            _(
                "保存时发现户号与本项目已有的户重复（可能有人同时录入），未导入任何数据，请重新确认。"
            )
        ) from error


def _ensure_may_import(by: User | None, project: Project) -> None:
    # `by` is None only for the management command, run by an administrator on the server.
    if by is not None:
        ensure_can_edit_project(by, project)


def _stored_name(project: Project) -> str:
    return f"{project.code}.xlsx"


def _original_name(file: File) -> str:
    return PurePath(getattr(file, "name", "") or "").name[:200] or "upload.xlsx"


@transaction.atomic
def upload_household_file(*, project: Project, by: User | None, file: File) -> HouseholdImport:
    """Check an uploaded survey file and keep it as a HouseholdImport to preview and confirm.

    A file that cannot be read at all raises ValidationError and keeps nothing; a readable
    file is kept with status `validated`, or `failed` with every row error."""
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


def preview_household_import(*, household_import: HouseholdImport) -> CheckResult:
    """Read a kept file again and check it against the project as it is now."""
    with household_import.file.open("rb") as handle:
        return check_household_file(project=household_import.project, file=File(handle))


@transaction.atomic
def confirm_household_import(*, household_import: HouseholdImport, by: User | None) -> CheckResult:
    """Save every household of a checked file, or none.

    The file is checked again (households may have been added to the project since the
    preview); when it no longer passes, the import is marked failed with the new errors and
    nothing is saved. A file already imported is refused."""
    record = HouseholdImport.objects.select_for_update().get(pk=household_import.pk)
    # Lock the project so that two imports into it are checked and saved one after the other.
    project = Project.objects.select_for_update().get(pk=record.project_id)
    _ensure_may_import(by, project)
    if record.status == HouseholdImport.Status.IMPORTED:
        raise ValidationError(_("该文件已经导入，不能重复导入。"))
    if record.status == HouseholdImport.Status.FAILED:
        raise ValidationError(_("该文件有错误，不能导入。请修改后重新上传。"))
    record.project = project
    try:
        result = preview_household_import(household_import=record)
    except OSError as error:
        logger.error("household import %s: stored file unreadable: %s", record.pk, error)
        raise ValidationError(_("无法读取已上传的文件，请重新上传。")) from error
    if result.errors:
        record.status = HouseholdImport.Status.FAILED
        record.errors = result.errors
        record.save(update_fields=["status", "errors"])
        logger.info("household import %s failed on confirmation", record.pk)
        return result
    save_households(
        households=result.households,
        by=by,
        reason=_("调查登记表导入：%(name)s") % {"name": record.original_name},
    )
    record.status = HouseholdImport.Status.IMPORTED
    record.row_count = result.row_count
    record.imported_at = timezone.now()
    record.save(update_fields=["status", "row_count", "imported_at"])
    household_import.status = record.status
    household_import.imported_at = record.imported_at
    return result


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
        households=result.households,
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
