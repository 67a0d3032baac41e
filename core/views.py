from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import clocks, health, panels
from core.models import District
from core.scoping import get_visible_or_404, visible_to


def _my_clocks(user, today):
    """The clocks falling due this week on the projects and cases the user answers for."""
    items = clocks.due_items(user, until=today + timedelta(days=settings.DIGEST_LOOKAHEAD_DAYS))
    return [
        {"item": item, "overdue": item.is_overdue(today)}
        for item in items
        if user.pk in item.handler_ids
    ]


@login_required
def home(request):
    today = timezone.localdate()
    districts = visible_to(District.objects.active(), request.user)
    return render(
        request,
        "core/home.html",
        {
            "districts": districts,
            "panels": panels.panels_for(year=today.year, user=request.user),
            "mine": _my_clocks(request.user, today),
            "today": today,
        },
    )


@login_required
def deadline_list(request):
    """Every running clock the user may see: overdue first, then the next 30 days."""
    today = timezone.localdate()
    lookahead = settings.DEADLINES_LOOKAHEAD_DAYS
    items = clocks.due_items(request.user, until=today + timedelta(days=lookahead))
    if request.GET.get("mine"):
        items = [item for item in items if request.user.pk in item.handler_ids]
    return render(
        request,
        "core/deadline_list.html",
        {
            "overdue": [item for item in items if item.is_overdue(today)],
            "upcoming": [item for item in items if not item.is_overdue(today)],
            "lookahead": lookahead,
            "today": today,
            "mine": bool(request.GET.get("mine")),
        },
    )


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
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
