from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health
from core.models import District, Office
from core.scoping import get_visible_or_404, visible_to


@login_required
def home(request):
    districts = visible_to(District.objects.active(), request.user)
    return render(request, "core/home.html", {"districts": districts})


@login_required
def district_detail(request, pk):
    district = get_visible_or_404(District, request.user, pk=pk)
    users = district.users.filter(is_active=True).order_by("username")
    return render(request, "core/district_detail.html", {"district": district, "users": users})


def public_home(request):
    office = Office.objects.order_by("pk").first()
    districts = District.objects.active()
    return render(request, "public/home.html", {"office": office, "districts": districts})


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
