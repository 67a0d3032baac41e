"""Exports to .xlsx through the projects' formula-safe, write-only workbook writer."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation import reports
from compensation.models import Fund
from core.spreadsheets import DATE, DATETIME, INTEGER, TEXT, ExportColumn, write_workbook
from projects.models import Project

MONEY = "#,##0.00"


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def reconciliation_workbook(*, projects: QuerySet[Project]) -> bytes:
    data = reports.reconciliation(projects)
    columns = [
        ExportColumn(_("项目编号"), 16, TEXT),
        ExportColumn(_("项目名称"), 26),
        ExportColumn(_("所属区县"), 14),
        ExportColumn(_("归集（元）"), 18, MONEY),
        ExportColumn(_("划拨（元）"), 18, MONEY),
        ExportColumn(_("余额（元）"), 18, MONEY),
        ExportColumn(_("应付补偿（元）"), 18, MONEY),
        ExportColumn(_("已付补偿（元）"), 18, MONEY),
        ExportColumn(_("未付补偿（元）"), 18, MONEY),
        ExportColumn(_("被征收户数"), 12, INTEGER),
        ExportColumn(_("已测算户数"), 12, INTEGER),
    ]

    def rows() -> Iterable[list[Any]]:
        for row in data.rows:
            yield [
                row.project.code,
                row.project.name,
                row.project.district.name,
                row.deposits,
                row.disbursements,
                row.balance,
                row.due,
                row.paid,
                row.unpaid,
                row.households,
                row.computed,
            ]
        totals = data.totals
        yield [
            "",
            _("合计"),
            "",
            totals["deposits"],
            totals["disbursements"],
            totals["balance"],
            totals["due"],
            totals["paid"],
            totals["unpaid"],
            totals["households"],
            totals["computed"],
        ]

    return write_workbook(title=_("资金对账"), columns=columns, rows=rows())


def reconciliation_filename() -> str:
    return _("补偿资金对账-%(day)s.xlsx") % {"day": _stamp()}


def household_workbook(*, project: Project) -> bytes:
    households = reports.with_compensation(project.households.all()).order_by("code")
    columns = [
        ExportColumn(_("户号"), 12, TEXT),
        ExportColumn(_("户主姓名"), 12),
        ExportColumn(_("房屋坐落"), 30),
        ExportColumn(_("建筑面积（平方米）"), 16, "#,##0.00"),
        ExportColumn(_("签约日期"), 14, DATE),
        ExportColumn(_("补偿方式"), 12),
        ExportColumn(_("应付补偿（元）"), 18, MONEY),
        ExportColumn(_("已付（元）"), 18, MONEY),
        ExportColumn(_("未付（元）"), 18, MONEY),
        ExportColumn(_("备注"), 20),
    ]

    def rows() -> Iterable[list[Any]]:
        for household in households.iterator(chunk_size=2000):
            figures = reports.household_figures(household)
            yield [
                household.code,
                household.head_name,
                household.address,
                household.area,
                household.signed_on,
                household.get_method_display() if household.method else "",
                figures["due"] if figures["has_breakdown"] else None,
                figures["paid"],
                figures["unpaid"] if figures["has_breakdown"] else None,
                "" if figures["has_breakdown"] else _("尚未测算"),
            ]

    return write_workbook(title=_("分户补偿对账"), columns=columns, rows=rows())


def household_filename(project: Project) -> str:
    return _("%(code)s分户补偿对账-%(day)s.xlsx") % {"code": project.code, "day": _stamp()}


def ledger_workbook(*, fund: Fund) -> bytes:
    columns = [
        ExportColumn(_("序号"), 8, INTEGER),
        ExportColumn(_("日期"), 14, DATE),
        ExportColumn(_("类别"), 10),
        ExportColumn(_("资金来源/费用类别"), 16),
        ExportColumn(_("凭证号"), 16, TEXT),
        ExportColumn(_("收款方"), 24),
        ExportColumn(_("用途/摘要"), 36),
        ExportColumn(_("收入（元）"), 16, MONEY),
        ExportColumn(_("支出（元）"), 16, MONEY),
        ExportColumn(_("余额（元）"), 18, MONEY),
        ExportColumn(_("记账人"), 12),
        ExportColumn(_("记账时间"), 18, DATETIME),
        ExportColumn(_("哈希"), 66, TEXT),
    ]

    def rows() -> Iterable[list[Any]]:
        entries = fund.entries.select_related("recorded_by").order_by("sequence")
        for entry in entries.iterator(chunk_size=2000):
            yield [
                entry.sequence,
                entry.occurred_on,
                entry.get_kind_display(),
                entry.get_source_display() if entry.source else entry.get_category_display(),
                entry.voucher_number,
                entry.payee_name,
                entry.purpose,
                entry.inflow,
                entry.outflow,
                entry.balance_after,
                entry.recorded_by.get_full_name(),
                entry.recorded_at,
                entry.hash,
            ]

    return write_workbook(title=_("资金账目"), columns=columns, rows=rows())


def ledger_filename(fund: Fund) -> str:
    return _("%(code)s资金账目-%(day)s.xlsx") % {"code": fund.project.code, "day": _stamp()}
