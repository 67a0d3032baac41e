from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import clocks, deadlines, due, health, notifications, panels, todo
from core.calendar_arrangement import enter_arrangement
from core.exceptions import NotYet
from core.forms import ArrangementForm
from core.http import paginate
from core.models import District, DueRecompute, HolidayArrangement, Notification
from core.scoping import get_visible_or_404, visible_to

# How many of my clocks the home page lists; the rest are on the deadlines page
# (my_clocks_address).
HOME_CLOCKS_SHOWN = 10


def _my_clocks(user, today) -> dict:
    """The clocks falling due this week, or overdue, on the projects and cases the user
    answers for: `rows`, the first HOME_CLOCKS_SHOWN soonest first ({"item": DueItem,
    "overdue": bool}); `count`, how many there are in all; `provisional_years`, the years any
    of them was computed provisionally for. At most three queries, however many there are (a
    large office's petition section answers for hundreds; issue 16), the first two written
    once per process (core.due.handled_rows and handled_count); one when there are none."""
    until = today + timedelta(days=settings.DIGEST_LOOKAHEAD_DAYS)
    shown = due.handled_rows(user, today=today, until=until, limit=HOME_CLOCKS_SHOWN)
    items = [clocks.DueItem.from_row(row) for row in shown]
    if len(items) < HOME_CLOCKS_SHOWN:
        count = len(items)
    else:
        count = due.handled_count(user, today=today, until=until)
    if items:
        rows = due.handled_by(due.shown(user, today=today, until=until), user)
        provisional_years = due.provisional_years(rows)
    else:
        provisional_years = []
    return {
        "rows": [{"item": item, "overdue": item.is_overdue(today)} for item in items],
        "count": count,
        "provisional_years": provisional_years,
    }


def _calendar_warning(today, provisional_years) -> list[int]:
    """The years to warn about: this year's or (from 1 November) next year's schedule not yet
    entered, and any year a shown deadline was computed with provisionally."""
    years = set(deadlines.years_awaiting_arrangement(today))
    years.update(provisional_years)
    return sorted(years)


@login_required
def home(request):
    today = timezone.localdate()
    districts = visible_to(District.objects.active(), request.user)
    mine = _my_clocks(request.user, today)
    return render(
        request,
        "core/home.html",
        {
            "districts": districts,
            "panels": panels.panels_for(year=today.year, user=request.user),
            "mine": mine["rows"],
            "mine_count": mine["count"],
            "my_clocks_address": my_clocks_address(),
            "today": today,
            "provisional_years": _calendar_warning(today, mine["provisional_years"]),
        },
    )


DEADLINES_PAGE_SIZE = 25


def _lookahead_days(asked: str) -> int:
    """How many days ahead the deadlines page lists: ?days=N from 1 to DEADLINES_LOOKAHEAD_DAYS
    (30 by default), as the home page and the to-do list link to it with their own window
    (DIGEST_LOOKAHEAD_DAYS, 7) so that its count is theirs; anything else gives the default."""
    widest = settings.DEADLINES_LOOKAHEAD_DAYS
    return min(max(int(asked), 1), widest) if asked.isdigit() else widest


def my_clocks_address() -> str:
    """The deadlines page narrowed to my clocks within the home page's and the to-do list's
    window (DIGEST_LOOKAHEAD_DAYS): where their "see all" link leads."""
    return f"{reverse('core:deadline_list')}?mine=1&days={settings.DIGEST_LOOKAHEAD_DAYS}"


@login_required
def deadline_list(request):
    """Every running clock the user may see: overdue first, then the next 30 days (?days=N
    fewer, see _lookahead_days); 25 a page
    (?page=, ?per_page= from 10 to 500), read from the stored clocks (core.due) with a fixed
    number of queries whatever the page size."""
    today = timezone.localdate()
    lookahead = _lookahead_days(request.GET.get("days", ""))
    rows = due.listed(request.user, today=today, until=today + timedelta(days=lookahead))
    mine = bool(request.GET.get("mine"))
    if mine:
        rows = due.handled_by(rows, request.user)
    counts = rows.aggregate(all=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    asked = request.GET.get("per_page", "")
    per_page = min(max(int(asked), 10), 500) if asked.isdigit() else DEADLINES_PAGE_SIZE
    page = paginate(request, rows, per_page, count=counts["all"])
    items = [clocks.DueItem.from_row(row) for row in page.object_list]
    years = set(deadlines.years_awaiting_arrangement(today))
    years.update(due.provisional_years(rows))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/deadline_list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "overdue_items": [item for item in items if item.is_overdue(today)],
            "upcoming_items": [item for item in items if not item.is_overdue(today)],
            "overdue_count": counts["overdue"],
            "upcoming_count": counts["all"] - counts["overdue"],
            "lookahead": lookahead,
            "today": today,
            "mine": mine,
            "provisional_years": sorted(years),
            "recompute_pending": due.pending_recompute(),
        },
    )


def _ensure_office_staff(user) -> None:
    if not user.is_office_staff:
        raise PermissionDenied


@login_required
def holiday_calendar(request):
    """The holiday schedule of each year around today: where it comes from, who entered it."""
    _ensure_office_staff(request.user)
    today = timezone.localdate()
    calendar = deadlines.WorkCalendar()
    arrangements = {a.year: a for a in HolidayArrangement.objects.select_related("entered_by")}
    years = [
        {
            "year": year,
            "coverage": calendar.coverage(year),
            "arrangement": arrangements.get(year),
        }
        for year in range(today.year - 1, today.year + 3)
    ]
    history = HolidayArrangement.history.select_related("history_user", "entered_by")[:30]
    return render(
        request,
        "core/holiday_calendar.html",
        {
            "years": years,
            "history": history,
            "recompute": _latest_recompute(),
            "provisional_years": deadlines.years_awaiting_arrangement(today, calendar=calendar),
            "library": deadlines.LIBRARY_SOURCE,
        },
    )


@login_required
def holiday_arrangement_entry(request, year: int):
    """Staff paste or upload the State Council's arrangement of `year`, check the preview and
    save it (all-or-nothing, core.calendar_arrangement.enter_arrangement)."""
    _ensure_office_staff(request.user)
    today = timezone.localdate()
    if not today.year - 1 <= year <= today.year + 5:
        raise Http404
    existing = HolidayArrangement.objects.filter(year=year).first()
    preview = None
    if request.method == "POST":
        form = ArrangementForm(request.POST, request.FILES, year=year)
        if form.is_valid():
            if request.POST.get("action") == "save":
                try:
                    enter_arrangement(
                        year=year,
                        text=form.cleaned_data["text"],
                        notice_number=form.cleaned_data["notice_number"],
                        by=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _(
                            "已录入%(year)d年节假日安排，共%(n)d个日期；该年度期限按此安排计算。"
                            "已保存的各项期限的到期日正在后台重新计算，完成后本页会显示。"
                        )
                        % {"year": year, "n": len(form.cleaned_data["days"])},
                    )
                    return redirect(reverse("core:holiday_calendar"))
            else:
                preview = _preview(form.cleaned_data["days"], year)
    else:
        initial = (
            {"text": existing.text, "notice_number": existing.notice_number} if existing else {}
        )
        form = ArrangementForm(initial=initial, year=year)
    return render(
        request,
        "core/holiday_arrangement_form.html",
        {"form": form, "year": year, "existing": existing, "preview": preview},
    )


def _latest_recompute():
    """The latest recomputation of the stored due dates (core.due.schedule_recompute), or None."""
    return DueRecompute.objects.select_related("requested_by").first()


@login_required
@require_GET
def due_recompute_status(request):
    """The holiday page's note on the recomputation of due dates (polled by htmx while it runs)."""
    _ensure_office_staff(request.user)
    return render(request, "core/_due_recompute.html", {"recompute": _latest_recompute()})


@login_required
@require_POST
def due_recompute_retry(request, pk: int):
    """Start a failed recomputation again (the broker was down, or the job failed)."""
    _ensure_office_staff(request.user)
    failed = get_object_or_404(DueRecompute, pk=pk, failed_at__isnull=False)
    due.schedule_recompute(failed.years, by=request.user)
    messages.success(request, _("已重新开始计算各项期限的到期日，完成后本页会显示。"))
    return redirect(reverse("core:holiday_calendar"))


def _preview(days, year: int) -> list[dict]:
    """The parsed days beside what the engine assumes without the arrangement."""
    calendar = deadlines.WorkCalendar()
    rows = []
    for arranged in days:
        before = calendar.status(arranged.day)
        rows.append(
            {
                "day": arranged,
                "changes": before.is_working_day != arranged.is_working_day,
                "before": before,
            }
        )
    return rows


# How many legal clocks the to-do page lists; the rest are on the deadlines page
# (my_clocks_address).
TASK_LIST_CLOCKS_SHOWN = 20


@login_required
def todo_list(request):
    """What waits for me or my section: reviews and sign-offs, returned items to answer,
    payments and accounts to approve, and legal clocks due within 7 days on my projects (the
    TASK_LIST_CLOCKS_SHOWN soonest, with their number and a link to the rest)."""
    today = timezone.localdate()
    items = todo.items_for(request.user, today, clocks_shown=TASK_LIST_CLOCKS_SHOWN)
    shown = sum(1 for item in items if item.group == "clock")
    clock_count = (
        todo.clock_count(request.user, today=today) if shown == TASK_LIST_CLOCKS_SHOWN else shown
    )
    return render(
        request,
        "core/todo_list.html",
        {
            "groups": todo.grouped(items),
            "count": len(items) - shown + clock_count,
            "clock_count": clock_count,
            "my_clocks_address": my_clocks_address(),
            "today": today,
        },
    )


@never_cache
@login_required
def nav_counts(request):
    """The navigation bar's counts (fetched by htmx after each page): my to-do items, and my
    unread notifications swapped in out of band."""
    count = todo.count_for(request.user, timezone.localdate())
    unread = notifications.unread_count(request.user)
    return render(request, "core/_nav_counts.html", {"count": count, "unread": unread})


@login_required
def notification_list(request):
    """My notifications, newest first: new ones marked 新, those whose item was since acted on
    marked 已办结. A notification is read when it is opened (notification_open)."""
    page = paginate(request, Notification.objects.filter(recipient=request.user))
    return render(request, "core/notification_list.html", {"page": page})


@login_required
def notification_open(request, pk):
    """Open one of my notifications: it is read, and the item it is about opens."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications.mark_read(user=request.user, notification_ids=[notification.pk])
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("core:notification_list")
    return redirect(notification.url)


@login_required
@require_POST
def notification_read_all(request):
    notifications.mark_read(user=request.user)
    return redirect("core:notification_list")


@login_required
def district_detail(request, pk):
    district = get_visible_or_404(District, request.user, pk=pk)
    users = district.users.filter(is_active=True).order_by("username")
    return render(request, "core/district_detail.html", {"district": district, "users": users})


@never_cache
@require_GET
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    down = [name for name, ok in checks.items() if not ok]
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    return JsonResponse(body, status=503 if down else 200)


def permission_denied(request, exception=None):
    """The 403 page, naming the refusal's cause when the code gave one (our services raise
    PermissionDenied with a translated message, e.g. 只有领导可以关账或重新开账。)."""
    reason = str(exception) if exception is not None else ""
    not_yet = isinstance(exception, NotYet)
    return render(request, "403.html", {"reason": reason, "not_yet": not_yet}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


class LogoutView(auth_views.LogoutView):
    """Django's log-out (POST only), then says so on the page it leads to: the message is
    added after the session is flushed, so that it outlives it (a cookie holds it)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("您已退出登录。"))
        return response
