"""Safety inspections of demolition sites and the rectification of what they find."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from core.spreadsheets import DATE, ExportColumn, write_workbook
from projects.models import Hazard, Inspection
from projects.services import ensure_can_edit_project, ensure_office_staff


@transaction.atomic
def create_inspection(*, by: User, **fields: Any) -> Inspection:
    ensure_office_staff(by)
    inspection = Inspection(led_by=by, **fields)
    inspection.full_clean()
    inspection.save()
    return inspection


@transaction.atomic
def record_hazard(*, inspection: Inspection, by: User, **fields: Any) -> Hazard:
    ensure_office_staff(by)
    hazard = Hazard(inspection=inspection, found_by=by, **fields)
    if hazard.due_on < inspection.started_on:
        raise ValidationError(_("整改期限不能早于检查开始日期。"))
    hazard.full_clean()
    hazard.save()
    return hazard


@transaction.atomic
def update_hazard(
    *, hazard: Hazard, by: User, status: str, rectified_on: date | None = None
) -> Hazard:
    """The responsible district reports progress; rectified needs the date it was done."""
    ensure_can_edit_project(by, hazard.project)
    if status == Hazard.Status.RECTIFIED:
        if rectified_on is None:
            raise ValidationError(_("请填写整改完成日期。"))
        if rectified_on > timezone.localdate():
            raise ValidationError(_("整改完成日期不能晚于今天。"))
    else:
        rectified_on = None
    hazard.status = status
    hazard.rectified_on = rectified_on
    hazard.save(update_fields=["status", "rectified_on"])
    return hazard


def hazard_workbook(hazards) -> bytes:
    """问题隐患及整改措施清单, one row per hazard."""
    columns = [
        ExportColumn(_("序号"), 6),
        ExportColumn(_("项目"), 20),
        ExportColumn(_("隐患类别"), 16),
        ExportColumn(_("隐患部位"), 24),
        ExportColumn(_("问题描述"), 36),
        ExportColumn(_("责任单位"), 20),
        ExportColumn(_("整改措施"), 36),
        ExportColumn(_("整改期限"), 12, DATE),
        ExportColumn(_("整改状态"), 10),
        ExportColumn(_("整改完成日期"), 14, DATE),
    ]
    rows = (
        [
            number,
            hazard.project.name,
            hazard.get_category_display(),
            hazard.place,
            hazard.description,
            hazard.responsible_unit,
            hazard.measures,
            hazard.due_on,
            hazard.get_status_display(),
            hazard.rectified_on,
        ]
        for number, hazard in enumerate(hazards, start=1)
    )
    return write_workbook(title=_("问题隐患及整改措施清单"), columns=columns, rows=rows)
