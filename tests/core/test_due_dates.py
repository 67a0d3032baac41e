"""Stored due dates (core.due): clocks are computed when their event is recorded and when the
holiday calendar changes; the due list, the deadlines page and the navigation's counts read the
stored rows, a page at a time, with the same number of queries whatever the page size."""

import re
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.calendar_arrangement import enter_arrangement
from core.deadlines import LIBRARY_SOURCE
from core.models import CalendarDay, DueDate
from petitions import services
from petitions.models import Category, Channel, Petition, Status
from tests.auth import login
from tests.core.test_holiday_calendar import LINES_2027
from tests.factories import staff
from tests.html import visible_text
from tests.petitions.factories import register

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return time_machine.travel(datetime(*args, 9, 0, tzinfo=SHANGHAI), tick=False)


def bulk_cases(n: int, district, user, received_on: date) -> list[Petition]:
    """`n` registered cases written in bulk, as a migration or an import would: no signals."""
    return Petition.objects.bulk_create(
        Petition(
            reference=f"BULK-{index:04d}",
            lookup_digest="0" * 64,
            received_on=received_on,
            channel=Channel.LETTER,
            district=district,
            category=Category.STANDARD,
            request="测试信访事项。",
            status=Status.REGISTERED,
            assignee=user,
            received_by=user,
        )
        for index in range(n)
    )


def test_a_registered_case_stores_its_clock_and_accepting_it_replaces_the_clock(
    office_user, district
):
    today = timezone.localdate()
    petition = register(
        by=office_user, district=district, received_on=today - timedelta(days=3), today=today
    ).petition
    row = DueDate.objects.get(source_id=petition.pk, kind="petitions.accept")
    assert row.due_on >= today - timedelta(days=3) + timedelta(days=15)
    assert row.explanation[0].startswith("自收到信访事项之日起15日内")
    assert row.district_id == district.pk and row.handler_ids == []

    services.accept_petition(petition=petition, by=office_user, on=today, today=today)
    kinds = list(DueDate.objects.filter(source_id=petition.pk).values_list("kind", flat=True))
    assert kinds == ["petitions.reply"]


def test_the_recompute_command_fills_the_table_for_rows_written_in_bulk(
    client, office_user, district
):
    today = timezone.localdate()
    bulk_cases(3, district, office_user, received_on=today - timedelta(days=20))
    login(client, "clerk")
    assert "BULK-0000" not in client.get(reverse("petitions:petition_due")).content.decode()

    out = StringIO()
    call_command("recompute_due_dates", stdout=out)
    assert "已重新计算到期事项3项" in out.getvalue()
    html = client.get(reverse("petitions:petition_due")).content.decode()
    assert "BULK-0000" in html and "已逾期（3件）" in html


@pytest.mark.parametrize("url_name", ["petitions:petition_due", "core:deadline_list"])
def test_a_page_of_500_runs_the_same_queries_as_a_page_of_10(
    client, office_user, district, url_name
):
    today = timezone.localdate()
    bulk_cases(510, district, office_user, received_on=today - timedelta(days=20))
    call_command("recompute_due_dates", stdout=StringIO())
    login(client, "clerk")
    url = reverse(url_name)
    counts = {}
    for per_page in (10, 500):
        client.get(url, {"per_page": per_page})  # sessions, caches warmed alike
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"per_page": per_page})
        assert response.status_code == 200
        counts[per_page] = len(queries)
        assert response.content.decode().count("BULK-0") == per_page
    assert counts[10] == counts[500]


def test_the_navigation_count_runs_the_same_queries_for_one_clock_and_for_510(
    client, office_user, district
):
    today = timezone.localdate()
    bulk_cases(1, district, office_user, received_on=today - timedelta(days=20))
    call_command("recompute_due_dates", stdout=StringIO())
    login(client, "clerk")
    url = reverse("core:nav_counts")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert 'id="nav-todo-count" data-count="1"' in client.get(url).content.decode()
    Petition.objects.all().delete()
    bulk_cases(510, district, office_user, received_on=today - timedelta(days=20))
    call_command("recompute_due_dates", stdout=StringIO())
    with CaptureQueriesContext(connection) as many:
        assert 'id="nav-todo-count" data-count="510"' in client.get(url).content.decode()
    assert len(one) == len(many)


def test_the_lists_are_paginated_25_a_page(client, office_user, district):
    today = timezone.localdate()
    bulk_cases(30, district, office_user, received_on=today - timedelta(days=20))
    call_command("recompute_due_dates", stdout=StringIO())
    login(client, "clerk")
    for name in ("petitions:petition_due", "core:deadline_list"):
        first = client.get(reverse(name)).content.decode()
        second = client.get(reverse(name), {"page": 2}).content.decode()
        assert first.count("BULK-0") == 25 and second.count("BULK-0") == 5
        assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
        # The heading counts every overdue case, not only this page's.
        assert "已逾期（30" in first and "已逾期（30" in second
        assert "BULK-0029" in second and "BULK-0029" not in first


def _pager_links(html: str) -> dict[str, str]:
    """The pager's links, text → address (the page-size links by their number)."""
    nav = html.split('<nav class="pagination"', 1)[1].split("</nav>", 1)[0]
    return {
        text.strip(): href.replace("&amp;", "&")
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    }


def test_the_deadlines_pager_has_first_and_last_page_links_that_keep_the_filters(
    client, office_user, district
):
    today = timezone.localdate()
    bulk_cases(60, district, office_user, received_on=today - timedelta(days=20))
    call_command("recompute_due_dates", stdout=StringIO())
    login(client, "clerk")
    url = reverse("core:deadline_list")

    def links(page):
        return _pager_links(client.get(url, {"days": 20, "page": page}).content.decode())

    first = links(1)
    assert "第一页" not in first and "上一页" not in first
    assert first["下一页"] == "?days=20&page=2"
    assert first["最后一页"] == "?days=20&page=3"
    middle = links(2)
    assert (middle["第一页"], middle["上一页"]) == ("?days=20&page=1", "?days=20&page=1")
    assert (middle["下一页"], middle["最后一页"]) == ("?days=20&page=3", "?days=20&page=3")
    for page in (3, 99):  # past the end: the last page
        last = links(page)
        assert last["第一页"] == "?days=20&page=1" and last["上一页"] == "?days=20&page=2"
        assert "下一页" not in last and "最后一页" not in last
    # The page sizes every list offers, keeping the filters and starting again at page 1.
    assert {size: last.get(size) for size in ("25", "50", "100")} == {
        "25": None,  # the current size, not a link
        "50": "?days=20&per_page=50",
        "100": "?days=20&per_page=100",
    }
    html = client.get(url, {"days": 20, "per_page": 100}).content.decode()
    assert html.count("BULK-0") == 60 and '<nav class="pagination"' in html
    assert "第一页" not in _pager_links(html) and "最后一页" not in _pager_links(html)


def test_the_navigation_count_reads_the_stored_clocks_of_the_assignee(
    client, office_user, district
):
    today = timezone.localdate()
    petition = register(
        by=office_user, district=district, received_on=today - timedelta(days=20), today=today
    ).petition
    login(client, "clerk")
    before = client.get(reverse("core:nav_counts")).content.decode()
    services.assign_petition(petition=petition, by=office_user, assignee=office_user)
    assert DueDate.objects.get(source_id=petition.pk).handler_ids == [office_user.pk]
    after = client.get(reverse("core:nav_counts")).content.decode()
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert petition.reference in todo and "已逾期" in todo
    assert 'id="nav-todo-count" data-count="0"' in before
    assert 'id="nav-todo-count" data-count="1"' in after


def _todo_clock_rows(html: str) -> list[list[str]]:
    section = html.split('id="todo-clock"')[1].split("</section>")[0]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r'<tr class="todo-item">(.*?)</tr>', section, re.S)
    ]


def test_the_todo_page_shows_a_clocks_due_date_once_in_its_own_column(
    client, office_user, district
):
    today = timezone.localdate()
    # Accepted within 15 days: overdue, long overdue, due within the week.
    for days_ago in (20, 60, 12):
        petition = register(
            by=office_user,
            district=district,
            received_on=today - timedelta(days=days_ago),
            today=today,
        ).petition
        services.assign_petition(petition=petition, by=office_user, assignee=office_user)
    login(client, "clerk")
    html = client.get(reverse("core:todo_list")).content.decode()
    section = html.split('id="todo-clock"')[1].split("</section>")[0]
    assert "<th>到期日</th>" in section
    rows = _todo_clock_rows(html)
    assert len(rows) == 3
    due_dates = set(DueDate.objects.values_list("due_on", flat=True))
    notes = set()
    for kind, title, shown_due, note in rows:
        day = date.fromisoformat(shown_due)
        assert day in due_dates
        assert shown_due not in f"{kind} {title} {note}"
        assert note == ("已逾期" if day < today else "")
        notes.add(note)
    assert notes == {"已逾期", ""}


def test_entering_a_years_arrangement_recomputes_its_due_dates_and_drops_the_badge(
    client, office_user, district, django_capture_on_commit_callbacks
):
    # Received 2027-09-20: 15 days end on Tuesday 5 October. Derived from the law (provisional),
    # 3 October (a Sunday) is made up on the 5th, so the case is due Wednesday the 6th; the
    # arrangement entered later gives 1–7 October off, so it is due Friday the 8th.
    with at(2027, 9, 25):
        petition = register(
            by=office_user,
            district=district,
            received_on=date(2027, 9, 20),
            today=date(2027, 9, 25),
        ).petition
        row = DueDate.objects.get(source_id=petition.pk)
        assert (row.due_on, row.is_provisional) == (date(2027, 10, 6), True)
        login(client, "clerk")
        html = client.get(reverse("core:deadline_list")).content.decode()
        assert "2027-10-06" in html and "暂按推算" in html

        # The recomputation is a job sent on commit (run in-process here).
        with django_capture_on_commit_callbacks(execute=True):
            enter_arrangement(year=2027, text=LINES_2027, by=office_user, notice_number="测试")
        row = DueDate.objects.get(source_id=petition.pk)
        assert (row.due_on, row.is_provisional) == (date(2027, 10, 8), False)
        html = client.get(reverse("core:deadline_list")).content.decode()
        assert "2027-10-08" in html and "暂按推算" not in html
    with at(2027, 10, 3):  # within the due list's 7 days
        login(client, "clerk")
        due = client.get(reverse("petitions:petition_due")).content.decode()
        assert petition.reference in due
        assert "2027-10-08" in due and "暂按推算" not in due


def test_a_day_corrected_in_the_holiday_table_moves_the_stored_due_date(
    office_user, district, django_capture_on_commit_callbacks
):
    with at(2027, 9, 25):
        petition = register(
            by=office_user,
            district=district,
            received_on=date(2027, 9, 20),
            today=date(2027, 9, 25),
        ).petition
        # Staff mark the derived make-up day a working day: the period ends on it again.
        with django_capture_on_commit_callbacks(execute=True):
            day = CalendarDay.objects.create(
                day=date(2027, 10, 5), is_working_day=True, name="上班"
            )
        assert DueDate.objects.get(source_id=petition.pk).due_on == date(2027, 10, 5)
        with django_capture_on_commit_callbacks(execute=True):
            day.delete()
        assert DueDate.objects.get(source_id=petition.pk).due_on == date(2027, 10, 6)


def test_the_deadlines_page_names_the_holiday_calendar_in_chinese_for_new_and_stored_rows(
    client, office_user, district
):
    today = timezone.localdate()
    new = register(
        by=office_user, district=district, received_on=today - timedelta(days=3), today=today
    ).petition
    row = DueDate.objects.get(source_id=new.pk, kind="petitions.accept")
    assert row.calendar_source == LIBRARY_SOURCE  # stored as the engine wrote it
    assert f"节假日依据：{LIBRARY_SOURCE}" in row.explanation
    # A row stored under an older release of the library, with its provisional step.
    old = register(
        by=office_user, district=district, received_on=today - timedelta(days=4), today=today
    ).petition
    old_steps = [
        "2027年的节假日安排国务院尚未公布（本系统未录入，chinesecalendar 1.10.2未收录）。",
        "节假日依据：chinesecalendar 1.10.2",
    ]
    DueDate.objects.filter(source_id=old.pk).update(
        calendar_source="chinesecalendar 1.10.2", explanation=old_steps
    )
    login(client, "clerk")

    html = client.get(reverse("core:deadline_list")).content.decode()

    text = visible_text(html)
    assert "chinesecalendar" not in text
    assert text.count("节假日依据：国务院办公厅历年节假日安排") == 2
    assert "（本系统未录入，国务院办公厅历年节假日安排未收录）" in text
    for version in (LIBRARY_SOURCE, "chinesecalendar 1.10.2"):
        assert f'title="据 {version} 数据（收录国务院办公厅历年部分节假日安排的通知）"' in html
    # The page changed nothing stored.
    assert DueDate.objects.get(source_id=old.pk).explanation == old_steps
    assert DueDate.objects.get(pk=row.pk).calendar_source == LIBRARY_SOURCE


def test_the_navigation_count_and_the_to_do_list_end_the_look_ahead_on_its_seventh_day(
    client, office_user, district
):
    today = timezone.localdate()
    cases = bulk_cases(4, district, office_user, received_on=today - timedelta(days=3))
    call_command("recompute_due_dates", stdout=StringIO())
    for petition, days in zip(cases, (-1, 0, 7, 8), strict=True):
        DueDate.objects.filter(source_id=petition.pk).update(due_on=today + timedelta(days=days))
    login(client, "clerk")
    counts = client.get(reverse("core:nav_counts")).content.decode()
    todo = client.get(reverse("core:todo_list")).content.decode()
    assert 'id="nav-todo-count" data-count="3"' in counts
    assert [petition.reference in todo for petition in cases] == [True, True, True, False]
    # Another member of staff answers for none of them.
    staff(username="other-clerk", name="孙测试")
    client.logout()
    login(client, "other-clerk")
    counts = client.get(reverse("core:nav_counts")).content.decode()
    assert 'id="nav-todo-count" data-count="0"' in counts
