"""Entering the State Council's holiday arrangement of a year
(国务院办公厅关于某年部分节假日安排的通知).

Staff paste (or upload as .txt / .docx) either

- one date a line: ``2027-01-01 元旦``, ``2027-02-05至2027-02-11 春节``, ``2027-02-07 调休上班``
  (a name containing 上班 makes the day a working day; every other line is a day off), or
- the notice's own text: ``二、春节：2月5日（农历除夕、周五）至11日（农历正月初七、周四）放假调休，
  共7天。2月7日（周日）、2月20日（周六）上班。``

parse_arrangement turns either into a list of ArrangedDay and reports every problem it finds at
once; enter_arrangement saves a year all-or-nothing. Once saved the arrangement overrides the
library and the statutory derivation for that year (core.deadlines.WorkCalendar).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import due, holidays
from core.formatting import cn_date
from core.models import CalendarDay, HolidayArrangement, User

WEEKDAYS = "一二三四五六日"
MAX_UPLOAD_BYTES = 1_000_000


@dataclass(frozen=True)
class ArrangedDay:
    day: date
    is_working_day: bool
    name: str

    @property
    def weekday(self) -> str:
        return _("星期%(day)s") % {"day": WEEKDAYS[self.day.weekday()]}


# One date: 2027-01-01, 2027/1/1, 2027.1.1 or 2027年1月1日
_ISO = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_LINE = re.compile(rf"^\s*{_ISO}(?:\s*(?:至|到|~|～|--|—)\s*{_ISO})?\s*[,，\t ]*\s*(.*?)\s*$")
_STARTS_WITH_DATE = re.compile(rf"^\s*{_ISO}")
# Notice text: 2月5日（农历除夕、周五）至11日（…）放假 / 2022年12月31日至2023年1月2日放假
_PAREN = r"(?:[（(][^）)]*[）)])?"
_MONTH_DAY = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"
_OFF = re.compile(rf"{_MONTH_DAY}{_PAREN}(?:\s*至\s*{_MONTH_DAY}{_PAREN})?\s*(?:放假|休息)")
_WORK_LIST = re.compile(rf"((?:(?:\d{{4}}年)?\d{{1,2}}月\d{{1,2}}日{_PAREN}[、，,和及]?\s*)+)上班")
_ONE_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_SECTION = re.compile(r"[一二三四五六七八九十]+、\s*([^：:，。\s]{1,8})\s*[：:]")


def parse_arrangement(text: str, *, year: int) -> list[ArrangedDay]:
    """The days of `year`'s arrangement in `text`, sorted; ValidationError listing every problem.

    Dates may lie in `year` or in the December before it (元旦 holidays that begin on 31
    December are in the next year's notice). Checks: every date is real and in range; no date is
    both a day off and a working day; a make-up working day is a Saturday or Sunday; each
    statutory holiday of 全国年节及纪念日放假办法 第二条 in `year` is a day off.
    """
    errors: list[str] = []
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError(_("请粘贴或上传国务院办公厅节假日安排通知的内容。"))
    if any(_STARTS_WITH_DATE.match(line) for line in lines):
        entries = _parse_lines(lines, errors)
    else:
        entries = _parse_notice(text, year, errors)
        if not entries and not errors:
            errors.append(
                _(
                    "未能从内容中识别出任何日期。请按“2027-01-01 元旦”“2027-02-07 调休上班”"
                    "的格式每行填写一个日期，或粘贴通知原文。"
                )
            )

    days: dict[date, ArrangedDay] = {}
    first_allowed = date(year - 1, 12, 1)
    for entry in entries:
        day = entry.day
        if not first_allowed <= day <= date(year, 12, 31):
            errors.append(
                _("%(day)s不在%(year)d年安排的范围内。") % {"day": cn_date(day), "year": year}
            )
            continue
        known = days.get(day)
        if known and known.is_working_day != entry.is_working_day:
            errors.append(_("%(day)s既列为放假又列为上班，请核对。") % {"day": cn_date(day)})
            continue
        if entry.is_working_day and day.weekday() < 5:
            errors.append(
                _("%(day)s是%(weekday)s，调休上班日应为星期六或星期日，请核对。")
                % {"day": cn_date(day), "weekday": entry.weekday}
            )
            continue
        days.setdefault(day, entry)

    if not errors:
        for day, name in holidays.festival_days(year).items():
            arranged = days.get(day)
            if arranged is None or arranged.is_working_day:
                errors.append(
                    _(
                        "缺少法定节日：%(day)s（%(name)s）应为放假日"
                        "（全国年节及纪念日放假办法 第二条）。"
                    )
                    % {"day": cn_date(day), "name": name}
                )
    if errors:
        raise ValidationError(errors)
    return sorted(days.values(), key=lambda arranged: arranged.day)


def _date_or_error(parts: tuple, where: str, errors: list[str]) -> date | None:
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        errors.append(
            _("%(where)s：日期%(text)s不存在。") % {"where": where, "text": "-".join(parts)}
        )
        return None


def _expand(first: date, last: date, is_working_day: bool, name: str) -> list[ArrangedDay]:
    days = []
    day = first
    while day <= last:
        days.append(ArrangedDay(day, is_working_day, name))
        day += timedelta(days=1)
    return days


def _parse_lines(lines: list[str], errors: list[str]) -> list[ArrangedDay]:
    entries: list[ArrangedDay] = []
    for number, line in enumerate(lines, start=1):
        where = _("第%(n)d行") % {"n": number}
        match = _LINE.match(line)
        if not match:
            errors.append(
                _("%(where)s无法识别：“%(line)s”（应为“2027-01-01 元旦”或“2027-02-07 调休上班”）。")
                % {"where": where, "line": line.strip()[:40]}
            )
            continue
        groups = match.groups()
        first = _date_or_error(groups[0:3], where, errors)
        last = _date_or_error(groups[3:6], where, errors) if groups[3] else first
        name = groups[6] or ""
        if first is None or last is None:
            continue
        if last < first or (last - first).days > 14:
            errors.append(_("%(where)s：日期区间不正确。") % {"where": where})
            continue
        is_working_day = "上班" in name
        entries += _expand(
            first, last, is_working_day, name or (_("上班") if is_working_day else _("放假"))
        )
    return entries


def _parse_notice(text: str, year: int, errors: list[str]) -> list[ArrangedDay]:
    """The days of a notice's text, section by section (一、元旦：… 二、春节：…)."""
    entries: list[ArrangedDay] = []
    sections = list(_SECTION.finditer(text))
    for index, section in enumerate(sections):
        name = section.group(1)
        end = sections[index + 1].start() if index + 1 < len(sections) else len(text)
        body = text[section.end() : end]
        for match in _OFF.finditer(body):
            y1, m1, d1, y2, m2, d2 = match.groups()
            if m1 is None:
                continue  # "共7天" and the like carry no month: not a date
            first_year = int(y1) if y1 else year
            first = _date_or_error((str(first_year), m1, d1), name, errors)
            if first is None:
                continue
            last = first
            if d2:
                last_year = int(y2) if y2 else first_year
                last_month = m2 or str(first.month)
                last = _date_or_error((str(last_year), last_month, d2), name, errors)
                if last is None:
                    continue
                if last < first and not y2:  # 12月31日至1月2日
                    last = date(last.year + 1, last.month, last.day)
            if last < first or (last - first).days > 14:
                errors.append(_("%(name)s：日期区间不正确。") % {"name": name})
                continue
            entries += _expand(first, last, False, name)
        for match in _WORK_LIST.finditer(body):
            for one in _ONE_DAY.finditer(match.group(1)):
                y, m, d = one.groups()
                day = _date_or_error((y or str(year), m, d), name, errors)
                if day:
                    entries.append(ArrangedDay(day, True, _("%(name)s调休上班") % {"name": name}))
    return entries


def read_upload(upload) -> str:
    """The text of an uploaded .txt (UTF-8 or GB18030) or .docx file; ValidationError else."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("上传的文件过大（不超过1MB）。"))
    name = upload.name.lower()
    data = upload.read()
    if name.endswith(".docx"):
        from io import BytesIO

        import docx

        try:
            document = docx.Document(BytesIO(data))
        except Exception as error:  # python-docx raises several kinds for a damaged file
            raise ValidationError(_("无法读取该Word文件，请另存为.docx或直接粘贴原文。")) from error
        return "\n".join(paragraph.text for paragraph in document.paragraphs)
    if name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("无法识别该文本文件的编码，请另存为UTF-8。"))
    raise ValidationError(_("只能上传.txt或.docx文件。"))


@transaction.atomic
def enter_arrangement(
    *, year: int, text: str, by: User, notice_number: str = ""
) -> HolidayArrangement:
    """Save `year`'s State Council arrangement parsed from `text`, replacing any earlier entry.

    All-or-nothing: raises ValidationError (every problem listed) and saves nothing when the
    text does not parse; PermissionDenied for anyone but office staff. Every day of the year
    already in the table (corrections, an earlier entry) is replaced; the history keeps them.
    """
    if not by.is_office_staff:
        raise PermissionDenied
    days = parse_arrangement(text, year=year)
    arrangement = HolidayArrangement.objects.select_for_update().filter(year=year).first()
    if arrangement is None:
        arrangement = HolidayArrangement(year=year)
    arrangement.notice_number = notice_number.strip()
    arrangement.text = text
    arrangement.entered_by = by
    arrangement.entered_at = timezone.now()
    arrangement.save()

    replaced = CalendarDay.objects.filter(day__year=year) | CalendarDay.objects.filter(
        day__in=[arranged.day for arranged in days]
    )
    # The stored due dates touching the years changed are recomputed once, by a job sent on
    # commit (core.due.schedule_recompute).
    with due.calendar_batch(by=by) as years:
        years.add(year)
        for row in replaced:
            row.delete()  # one by one, so that the history records each
        for arranged in days:
            CalendarDay.objects.create(
                day=arranged.day,
                arrangement=arrangement,
                is_working_day=arranged.is_working_day,
                name=arranged.name[:30],
                note=arrangement.notice_number[:200],
            )
    return arrangement
