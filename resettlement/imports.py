"""The stock list import (房源清单): the template, checking an uploaded file row by row, and
saving every estate, building, flat and price at once or nothing.

The file is read by the household import's machinery (projects.imports.read_xlsx_cells: size,
macros, zip and XML bombs refused before a parser sees it) and errors have its shape
(`problem`: row, column, message; shown 第5行【建筑面积】…). Upload → preview → confirm like
the household import: `upload_stock_file` checks and keeps the file (StockImport),
`preview_stock_import` checks it again against the stock as it is now, and
`confirm_stock_import` saves it all in one transaction, or marks it failed with the new errors.

The columns (a contract with the offices' lists, in README.md "Contracts"): 小区, 楼栋, 单元,
楼层, 房号, 建筑面积（平方米）, 户型, 朝向, 现房/期房, 预计交付日期, 市场价（元/平方米）,
安置价（元/平方米）, 价格执行日期, 类别 (安置房/周转房).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history

from core.models import District, User
from core.sheet_import import (
    HEADER_SEARCH_ROWS,
    area_cell,
    cell_decimal,
    first_row,
    header_text,
    is_blank,
    is_number,
    match_header,
    problem,
    read_xlsx_cells,
    required_cell,
    to_cents,
    total_label,
)
from core.sheet_import import cell_text as _text
from resettlement.models import Building, Estate, Flat, FlatPrice, StockImport
from resettlement.stock import ensure_may_edit_stock

logger = logging.getLogger(__name__)

# The most rows one file may hold (the household survey's limit).
MAX_ROWS = 20_000
MAX_PRICE = Decimal("10000000000")  # the model's max_digits=12 with 2 decimals
MIN_FLOOR, MAX_FLOOR = -5, 200


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    width: int
    required: bool = True
    max_length: int | None = None


# The template's columns, in order; the headers are a contract, not translated text.
COLUMNS = (
    Column("小区", "estate", 18, max_length=100),
    Column("楼栋", "building", 10, max_length=30),
    Column("单元", "unit", 8, required=False, max_length=10),
    Column("楼层", "floor", 8),
    Column("房号", "number", 10, max_length=20),
    Column("建筑面积（平方米）", "area", 18),
    Column("户型", "layout", 14, required=False, max_length=30),
    Column("朝向", "orientation", 8, required=False, max_length=20),
    Column("现房/期房", "delivery", 12),
    Column("预计交付日期", "expected_delivery_on", 14, required=False),
    Column("市场价（元/平方米）", "market_price", 18, required=False),
    Column("安置价（元/平方米）", "resettlement_price", 18, required=False),
    Column("价格执行日期", "effective_on", 14, required=False),
    Column("类别", "kind", 10, required=False),
)
HEADERS = tuple(column.header for column in COLUMNS)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
FIELD_BY_HEADER = {header_text(column.header): column.field for column in COLUMNS}
FIELD_BY_HEADER.update(
    {
        header_text(alias): name
        for name, aliases in {
            "estate": ("小区名称", "安置小区"),
            "building": ("楼栋号", "栋号"),
            "area": ("面积",),
            "delivery": ("房屋状态", "现房期房"),
            "kind": ("房源类别", "类别（安置房/周转房）"),
        }.items()
        for alias in aliases
    }
)
REQUIRED_FIELDS = tuple(column.field for column in COLUMNS if column.required)
DELIVERY_BY_LABEL = {"现房": Building.Delivery.FINISHED, "期房": Building.Delivery.OFF_PLAN}
KIND_BY_LABEL = {"安置房": Flat.Kind.RESETTLEMENT, "周转房": Flat.Kind.TRANSIT}
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class StockCheck:
    """What checking a stock list found: the rows' values ready to save, or the errors."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    new_estates: list[str] = field(default_factory=list)
    new_buildings: list[str] = field(default_factory=list)
    read: int | None = None  # the file's data rows, wrong ones included

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def row_count(self) -> int:
        """The data rows read from the file (合计 and blank rows not counted), those with
        errors included: a refused file still says how many rows it had."""
        return self.read if self.read is not None else len(self.rows)


# ---------------------------------------------------------------------------
# The template


def build_stock_template() -> bytes:
    """The .xlsx the office fills in: the header, drop-downs for 现房/期房 and 类别, text
    format for 单元 and 房号 (so 0101 keeps its 0), and a sheet of instructions."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "房源清单"
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D3F72")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[letter].width = column.width
        if column.field in ("unit", "number", "building"):
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    for field_name, labels in (("delivery", DELIVERY_BY_LABEL), ("kind", KIND_BY_LABEL)):
        letter = get_column_letter(COLUMNS.index(COLUMN_BY_FIELD[field_name]) + 1)
        validation = DataValidation(
            type="list",
            formula1='"{}"'.format(",".join(labels)),
            allow_blank=True,
            showErrorMessage=True,
            error=_("请从下拉列表中选择：%(labels)s") % {"labels": "、".join(labels)},
        )
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
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
        _("安置房源清单填写说明"),
        _("1. 表头下面每行填写一套房源；列按表头名称识别，顺序可以调换。"),
        _("2. 小区、楼栋、楼层、房号、建筑面积、现房/期房为必填项。"),
        _("3. 系统中没有的小区和楼栋会自动登记；新楼栋的总层数取清单中该楼栋的最高楼层。"),
        _("4. 同一楼栋的各行，现房/期房和预计交付日期必须一致；期房必须填写预计交付日期。"),
        _("5. 同一楼栋、同一单元的房号不能重复，也不能与系统中已登记的房源重复。"),
        _("6. 单元只填编号，如 1；写成“1单元”的按 1 登记。"),
        _(
            "7. 市场价、安置价（元/平方米）和价格执行日期要么都填，要么都不填；"
            "安置价不能高于市场价。"
        ),
        _("8. 类别填 安置房 或 周转房，不填按安置房。"),
        _("9. 日期写成 2024-06-30 或设置为日期格式。"),
        _("10. 上传后系统会逐行检查：只要有一行有错误，整个文件都不会导入。"),
    ]


# ---------------------------------------------------------------------------
# Reading and checking


def _header(values: tuple, number: int) -> dict[str, int] | None:
    header = match_header(
        values,
        number,
        field_by_header=FIELD_BY_HEADER,
        header_of={column.field: column.header for column in COLUMNS},
        required=REQUIRED_FIELDS,
    )
    return header.positions if header else None


def read_stock_rows(file: File) -> tuple[list[tuple[int, dict[str, Any]]], list[dict]]:
    """(Excel row number, {field: raw value}) of every filled row, and the warnings (合计 rows
    skipped). Raises ValidationError for a file that cannot be used as a whole."""
    cells, _name = read_xlsx_cells(file, what=_("房源清单"))
    positions: dict[str, int] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    warnings: list[dict] = []
    for number, values in enumerate(cells, start=1):
        values = tuple(values)
        if is_blank(values):
            continue
        if positions is None:
            positions = _header(values, number)
            if positions is None and number >= HEADER_SEARCH_ROWS:
                break
            continue
        label = total_label(values)
        if label:
            warnings.append(
                problem(number, COLUMNS[0].header, _("“%(label)s”行已跳过。") % {"label": label})
            )
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(
                _("每个文件最多%(limit)s行，请分成几个文件导入。") % {"limit": MAX_ROWS}
            )
        rows.append(
            (
                number,
                {
                    name: values[index] if index < len(values) else None
                    for name, index in positions.items()
                },
            )
        )
    if positions is None:
        raise ValidationError(
            _("没有找到表头：表头应包括：%(expected)s（顺序不限）。请使用系统提供的模板。")
            % {"expected": "、".join(HEADERS)}
        )
    if not rows:
        raise ValidationError(_("文件中没有房源数据：表头下面没有填写任何一行。"))
    return rows, warnings


def _money(value: Any, column: Column) -> Decimal:
    amount = cell_decimal(
        value,
        invalid=_("%(column)s应为数字，例如 5800 或 5800.50。") % {"column": column.header},
        thousands=True,
    )
    if amount < 0:
        raise ValidationError(_("%(column)s不能为负数。") % {"column": column.header})
    if amount >= MAX_PRICE:
        raise ValidationError(_("%(column)s过大，请核对单位。") % {"column": column.header})
    return to_cents(
        amount, value, too_precise=_("%(column)s最多保留两位小数。") % {"column": column.header}
    )


def _date(value: Any, column: Column) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_RE.match(_text(value))
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValidationError(
        _("%(column)s“%(value)s”不是有效日期，请写成 2024-06-30。")
        % {"column": column.header, "value": _text(value)}
    )


def _floor(value: Any) -> int:
    invalid = ValidationError(_("楼层应为整数，例如 6；地下室写负数，如 -1。"))
    if is_number(value):
        if value != int(value):
            raise invalid
        floor = int(value)
    else:
        try:
            floor = int(_text(value))
        except ValueError as error:
            raise invalid from error
    if not MIN_FLOOR <= floor <= MAX_FLOOR or floor == 0:
        raise ValidationError(
            _("楼层应在%(low)s到%(high)s之间，且不能为0。") % {"low": MIN_FLOOR, "high": MAX_FLOOR}
        )
    return floor


def _choice(value: Any, labels: dict[str, str], column: Column) -> str:
    label = _text(value)
    if label not in labels:
        raise ValidationError(
            _("%(column)s“%(value)s”无效，应为：%(labels)s。")
            % {"column": column.header, "value": label, "labels": "、".join(labels)}
        )
    return labels[label]


def _parse(number: int, raw: dict[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    fields: dict[str, Any] = {}
    errors: list[dict] = []
    for column in COLUMNS:
        value = raw.get(column.field)
        if _text(value) == "":
            if column.required:
                errors.append(required_cell(number, column.header))
            else:
                fields[column.field] = None if column.max_length is None else ""
            continue
        try:
            if column.field == "floor":
                fields["floor"] = _floor(value)
            elif column.field == "area":
                fields["area"] = area_cell(value)
            elif column.field in ("market_price", "resettlement_price"):
                fields[column.field] = _money(value, column)
            elif column.field in ("expected_delivery_on", "effective_on"):
                fields[column.field] = _date(value, column)
            elif column.field == "delivery":
                fields["delivery"] = _choice(value, DELIVERY_BY_LABEL, column)
            elif column.field == "kind":
                fields["kind"] = _choice(value, KIND_BY_LABEL, column)
            else:
                text = _text(value)
                if column.field == "unit":
                    # The pages print a unit as “1单元”: a cell written “1单元” keeps only its 1.
                    text = text.removesuffix("单元").strip()
                if column.max_length and len(text) > column.max_length:
                    raise ValidationError(
                        _("%(column)s不能超过%(limit)s个字。")
                        % {"column": column.header, "limit": column.max_length}
                    )
                fields[column.field] = text
        except ValidationError as error:
            errors.extend(problem(number, column.header, m) for m in error.messages)
    if errors:
        return fields, errors
    fields["kind"] = fields.get("kind") or Flat.Kind.RESETTLEMENT
    prices = [fields.get(f) for f in ("market_price", "resettlement_price", "effective_on")]
    if any(p is not None for p in prices) and any(p is None for p in prices):
        missing = [
            COLUMN_BY_FIELD[f].header
            for f, p in zip(
                ("market_price", "resettlement_price", "effective_on"), prices, strict=True
            )
            if p is None
        ]
        errors.append(
            problem(
                number,
                missing[0],
                _("市场价、安置价和价格执行日期要么都填，要么都不填；缺少：%(missing)s。")
                % {"missing": "、".join(missing)},
            )
        )
    elif prices[0] is not None and prices[1] > prices[0]:
        errors.append(
            problem(
                number,
                COLUMN_BY_FIELD["resettlement_price"].header,
                _("安置价（优惠价）%(r)s不能高于市场价%(m)s。") % {"r": prices[1], "m": prices[0]},
            )
        )
    if fields["delivery"] == Building.Delivery.OFF_PLAN and fields["expected_delivery_on"] is None:
        errors.append(
            problem(
                number,
                COLUMN_BY_FIELD["expected_delivery_on"].header,
                _("期房须填写预计交付日期。"),
            )
        )
    return fields, errors


def check_stock_rows(rows: list[tuple[int, dict[str, Any]]]) -> StockCheck:
    """Check every row against the template's rules, each other, and the stock on record
    (read in three queries). Every error names its Excel row and column."""
    result = StockCheck(read=len(rows))
    estates = {estate.name: estate for estate in Estate.objects.all()}
    buildings = {(b.estate.name, b.name): b for b in Building.objects.select_related("estate")}
    taken = set(
        Flat.objects.values_list("building__estate__name", "building__name", "unit", "number")
    )
    seen_flats: dict[tuple, int] = {}
    new_buildings: dict[tuple, tuple[int, dict[str, Any]]] = {}
    for number, raw in rows:
        fields, errors = _parse(number, raw)
        if errors:
            result.errors.extend(errors)
            continue
        key = (fields["estate"], fields["building"])
        existing = buildings.get(key)
        label = f"{fields['estate']}{fields['building']}"
        delivery_header = COLUMN_BY_FIELD["delivery"].header
        if existing is not None:
            if existing.delivery != fields["delivery"]:
                errors.append(
                    problem(
                        number,
                        delivery_header,
                        _("%(building)s已登记为%(delivery)s，与本行不一致。")
                        % {"building": label, "delivery": existing.get_delivery_display()},
                    )
                )
            if fields["floor"] > existing.floors:
                errors.append(
                    problem(
                        number,
                        COLUMN_BY_FIELD["floor"].header,
                        _("%(building)s共%(floors)s层，没有第%(floor)s层。")
                        % {"building": label, "floors": existing.floors, "floor": fields["floor"]},
                    )
                )
        elif key in new_buildings:
            building_row, first = new_buildings[key]
            for name in ("delivery", "expected_delivery_on"):
                if first[name] != fields[name]:
                    errors.append(
                        problem(
                            number,
                            COLUMN_BY_FIELD[name].header,
                            _("同一楼栋%(building)s的%(column)s应一致，与第%(row)s行不同。")
                            % {
                                "building": label,
                                "column": COLUMN_BY_FIELD[name].header,
                                "row": building_row,
                            },
                        )
                    )
        else:
            new_buildings[key] = (number, fields)
        flat_key = (fields["estate"], fields["building"], fields["unit"], fields["number"])
        unit = f"{fields['unit']}单元" if fields["unit"] else ""
        if flat_key in taken:
            errors.append(
                problem(
                    number,
                    COLUMN_BY_FIELD["number"].header,
                    _("%(flat)s已登记，不能重复导入。")
                    % {"flat": f"{label}{unit}{fields['number']}"},
                )
            )
        elif (earlier := first_row(seen_flats, flat_key, number)) is not None:
            errors.append(
                problem(
                    number,
                    COLUMN_BY_FIELD["number"].header,
                    _("%(flat)s与第%(row)s行重复。")
                    % {"flat": f"{label}{unit}{fields['number']}", "row": earlier},
                )
            )
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(fields)
    result.new_estates = sorted({r["estate"] for r in result.rows} - set(estates))
    result.new_buildings = sorted(f"{e}{b}" for e, b in new_buildings)
    if result.errors:
        result.rows = []
    return result


def check_stock_file(file: File) -> StockCheck:
    rows, warnings = read_stock_rows(file)
    result = check_stock_rows(rows)
    result.warnings = warnings
    return result


# ---------------------------------------------------------------------------
# Saving


def save_stock_rows(*, rows: list[dict[str, Any]], district: District, by: User | None) -> int:
    """Create the checked rows' estates (in `district`), buildings, flats and prices, with
    their history rows. Call inside a transaction. Returns the number of flats."""
    reason = _("房源清单导入")
    estates = {
        estate.name: estate
        for estate in Estate.objects.filter(name__in={r["estate"] for r in rows})
    }
    for name in sorted({r["estate"] for r in rows} - set(estates)):
        estate = Estate(name=name, district=district)
        estate._change_reason = reason
        estate.save()
        estates[name] = estate
    buildings = {
        (b.estate.name, b.name): b
        for b in Building.objects.select_related("estate").filter(estate__in=estates.values())
    }
    highest: dict[tuple, int] = {}
    for row in rows:
        key = (row["estate"], row["building"])
        highest[key] = max(highest.get(key, 1), row["floor"])
    for row in rows:
        key = (row["estate"], row["building"])
        if key in buildings:
            continue
        building = Building(
            estate=estates[row["estate"]],
            name=row["building"],
            floors=highest[key],
            delivery=row["delivery"],
            expected_delivery_on=row["expected_delivery_on"],
        )
        building._change_reason = reason
        building.save()
        buildings[key] = building
    flats = [
        Flat(
            building=buildings[(row["estate"], row["building"])],
            unit=row["unit"],
            floor=row["floor"],
            number=row["number"],
            area=row["area"],
            layout=row["layout"],
            orientation=row["orientation"],
            kind=row["kind"],
        )
        for row in rows
    ]
    flats = bulk_create_with_history(
        flats, Flat, batch_size=1000, default_user=by, default_change_reason=reason
    )
    prices = [
        FlatPrice(
            flat=flat,
            effective_on=row["effective_on"],
            market_price=row["market_price"],
            resettlement_price=row["resettlement_price"],
            recorded_by=by,
        )
        for flat, row in zip(flats, rows, strict=True)
        if row["market_price"] is not None
    ]
    bulk_create_with_history(
        prices, FlatPrice, batch_size=1000, default_user=by, default_change_reason=reason
    )
    return len(flats)


@transaction.atomic
def upload_stock_file(*, district: District, by: User, file: File) -> StockImport:
    """Check an uploaded stock list and keep it (StockImport) to preview and confirm: status
    `validated`, or `failed` with every row error. A file unusable as a whole raises
    ValidationError and keeps nothing. Only office staff (PermissionDenied)."""
    ensure_may_edit_stock(by)
    result = check_stock_file(file)
    record = StockImport(
        district=district,
        original_name=(getattr(file, "name", "") or "stock.xlsx").rsplit("/", 1)[-1][:200],
        status=StockImport.Status.VALIDATED if result.is_valid else StockImport.Status.FAILED,
        row_count=result.row_count,
        errors=result.errors,
        uploaded_by=by,
    )
    file.seek(0)
    record.file.save("stock.xlsx", ContentFile(file.read()), save=False)
    record.save()
    return record


def preview_stock_import(*, stock_import: StockImport) -> StockCheck:
    """Read the kept file again and check it against the stock as it is now."""
    with stock_import.file.open("rb") as handle:
        return check_stock_file(File(handle, name=stock_import.original_name))


def import_stock(*, file: File, district: District, by: User | None) -> StockCheck:
    """Check a stock list and, when every row passes, save it all; the one check-and-save
    the page's confirm and the `import_flats` command share. New estates go to `district`;
    `by` is recorded in the history (None from the command line). Returns the check: with
    errors, nothing was saved. A file unusable as a whole raises ValidationError; a flat
    registered by someone else between the check and the save rolls everything back
    (ValidationError). Callers check who may import."""
    result = check_stock_file(file)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            save_stock_rows(rows=result.rows, district=district, by=by)
    # Someone registered one of these flats, buildings or estates between the check and the
    # save: the savepoint rolls the import back whole.
    except IntegrityError as error:
        logger.warning("stock import hit a unique constraint: %s", error)
        raise ValidationError(
            _("保存时发现房源与已登记的重复（可能有人同时录入），未导入任何数据，请重新确认。")
        ) from error
    return result


@transaction.atomic
def confirm_stock_import(*, stock_import: StockImport, by: User) -> StockCheck:
    """Save every row of a checked list, or none. The file is checked again (flats may have
    been registered since the preview); when it no longer passes, the import is marked failed
    with the new errors and nothing is saved. An imported or failed file is refused
    (ValidationError); only office staff (PermissionDenied)."""
    ensure_may_edit_stock(by)
    record = StockImport.objects.select_for_update().get(pk=stock_import.pk)
    if record.status == StockImport.Status.IMPORTED:
        raise ValidationError(_("该文件已经导入，不能重复导入。"))
    if record.status == StockImport.Status.FAILED:
        raise ValidationError(_("该文件有错误，不能导入。请修改后重新上传。"))
    with record.file.open("rb") as handle:
        result = import_stock(
            file=File(handle, name=record.original_name), district=record.district, by=by
        )
    if result.errors:
        record.status = StockImport.Status.FAILED
        record.errors = result.errors
        record.save(update_fields=["status", "errors"])
        return result
    record.status = StockImport.Status.IMPORTED
    record.row_count = result.row_count
    record.imported_at = timezone.now()
    record.save(update_fields=["status", "row_count", "imported_at"])
    return result
