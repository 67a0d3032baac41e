"""The stock pages' lists as .xlsx (core.spreadsheets: write-only, formula-safe text): flats as
the list page filters them, estates with their counts by state, and the selection progress per
project. Areas in m², prices in 元/m²."""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import AREA, DATE, INTEGER, ExportColumn, write_workbook
from resettlement.models import Flat, FlatPrice
from resettlement.stock import ProjectStock, progress_columns, state_headers

State = Flat.State
PRICE = "#,##0.00"


def _flat_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("小区"), 18),
        ExportColumn(_("楼栋"), 10),
        ExportColumn(_("单元"), 8),
        ExportColumn(_("楼层"), 8, INTEGER),
        ExportColumn(_("房号"), 10),
        ExportColumn(_("建筑面积（平方米）"), 16, AREA),
        ExportColumn(_("户型"), 14),
        ExportColumn(_("朝向"), 8),
        ExportColumn(_("现房/期房"), 10),
        ExportColumn(_("预计交付日期"), 14, DATE),
        ExportColumn(_("类别"), 10),
        ExportColumn(_("状态"), 10),
        ExportColumn(_("冻结用于项目"), 22),
        ExportColumn(_("市场价（元/平方米）"), 16, PRICE),
        ExportColumn(_("安置价（元/平方米）"), 16, PRICE),
        ExportColumn(_("价格执行日期"), 14, DATE),
        ExportColumn(_("作废原因"), 20),
    ]


def _prices_in_force(flats: list[Flat]) -> dict[int, FlatPrice]:
    """Each flat's price in force today, in one query."""
    today = timezone.localdate()
    prices: dict[int, FlatPrice] = {}
    rows = FlatPrice.objects.filter(flat__in=flats, effective_on__lte=today).order_by(
        "flat_id", "-effective_on"
    )
    for price in rows:
        prices.setdefault(price.flat_id, price)
    return prices


def _flat_rows(flats: QuerySet, chunk: int = 2000) -> Iterator[list]:
    flats = flats.select_related("building__estate", "project").order_by(
        "building__estate__name", "building__name", "unit", "floor", "number"
    )
    batch: list[Flat] = []
    for flat in flats.iterator(chunk_size=chunk):
        batch.append(flat)
        if len(batch) == chunk:
            yield from _rows_of(batch)
            batch = []
    yield from _rows_of(batch)


def _rows_of(batch: list[Flat]) -> Iterable[list]:
    if not batch:
        return
    prices = _prices_in_force(batch)
    for flat in batch:
        building = flat.building
        price = prices.get(flat.pk)
        yield [
            building.estate.name,
            building.name,
            flat.unit,
            flat.floor,
            flat.number,
            flat.area,
            flat.layout,
            flat.orientation,
            building.get_delivery_display(),
            building.expected_delivery_on,
            flat.get_kind_display(),
            flat.get_state_display(),
            flat.project.name if flat.project else "",
            price.market_price if price else None,
            price.resettlement_price if price else None,
            price.effective_on if price else None,
            flat.void_reason,
        ]


def export_flats(*, flats: QuerySet) -> bytes:
    """The flats, one a row, with the price in force today (blank when none)."""
    return write_workbook(title=_("安置房源"), columns=_flat_columns(), rows=_flat_rows(flats))


def _state_columns() -> list[ExportColumn]:
    return [ExportColumn(header, 12, INTEGER) for header in state_headers()]


def export_estates(*, estates: QuerySet) -> bytes:
    """Estates annotated by resettlement.stock.annotate_state_counts, with their counts."""
    columns = [
        ExportColumn(_("小区"), 20),
        ExportColumn(_("所在区县"), 12),
        ExportColumn(_("地址"), 30),
        ExportColumn(_("房源合计"), 10, INTEGER),
        *_state_columns(),
    ]
    rows = (
        [
            estate.name,
            estate.district.name,
            estate.address,
            estate.flat_total,
            *[getattr(estate, f"n_{value}") for value in State.values],
        ]
        for estate in estates
    )
    return write_workbook(title=_("安置小区"), columns=columns, rows=rows)


def export_dashboard(*, figures: dict) -> bytes:
    """Each project's reserved flats by state and its selection progress: the columns of
    resettlement.stock.progress_columns, the same as the dashboard's table."""
    columns = [
        ExportColumn(_("项目编号"), 14),
        ExportColumn(_("项目名称"), 22),
        *[
            ExportColumn(header, 14, "0.0" if index == len(progress_columns()) - 1 else INTEGER)
            for index, (header, _value) in enumerate(progress_columns())
        ],
    ]
    rows: list[ProjectStock] = figures["projects"]
    return write_workbook(
        title=_("选房进度"),
        columns=columns,
        rows=([row.project.code, row.project.name, *row.figures] for row in rows),
    )
