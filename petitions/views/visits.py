"""The reception log (来访接待记录)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core.http import paginate
from core.models import District
from core.scoping import get_visible_or_404, visible_to
from petitions import services
from petitions.forms import VisitFilterForm, VisitForm
from petitions.models import Visit


def _visit_for(request, pk) -> Visit:
    return get_visible_or_404(
        Visit.objects.select_related("district", "project", "receptionist", "petition"),
        request.user,
        pk=pk,
    )


@login_required
def visit_list(request):
    districts = visible_to(District.objects.active(), request.user)
    form = VisitFilterForm(request.GET or None, districts=districts)
    visits = form.filter(visible_to(Visit, request.user)).select_related(
        "district", "project", "receptionist", "petition"
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "petitions/visit_list.html",
        {
            "form": form,
            "page": paginate(request, visits.order_by("-visited_on", "-pk"), per_page=50),
            "query": query.urlencode(),
        },
    )


@login_required
def visit_create(request):
    services.ensure_office_staff(request.user)
    form = VisitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.record_visit(by=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("来访接待记录已保存。"))
            return redirect(visit)
    return render(request, "petitions/visit_form.html", {"form": form})


@login_required
def visit_edit(request, pk):
    visit = _visit_for(request, pk)
    services.ensure_office_staff(request.user)
    form = VisitForm(request.POST or None, instance=visit, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_visit(visit=visit, by=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("来访接待记录已保存。"))
            return redirect(visit)
    return render(request, "petitions/visit_form.html", {"form": form, "visit": visit})


@login_required
def visit_detail(request, pk):
    visit = _visit_for(request, pk)
    return render(
        request,
        "petitions/visit_detail.html",
        {"visit": visit, "is_office": request.user.is_office_staff},
    )


urlpatterns = [
    path("visits/", visit_list, name="visit_list"),
    path("visits/new/", visit_create, name="visit_create"),
    path("visits/<int:pk>/", visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", visit_edit, name="visit_edit"),
]
