"""The narratives staff write, with the named figures they can insert and a preview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budget import narratives, services, yearbook
from budget.forms import NarrativeForm
from budget.models import Narrative
from budget.views.common import office_year


def _kind(kind: str) -> Narrative.Kind:
    if kind not in Narrative.Kind.values:
        raise Http404
    return Narrative.Kind(kind)


def _preview(book: yearbook.YearBook, body: str) -> dict:
    return {
        "lines": narratives.lines(body, book.figures),
        "unknown": narratives.unknown_names(body),
    }


@login_required
def narrative_edit(request, year, kind):
    budget_year = office_year(request, year)
    kind = _kind(kind)
    narrative = Narrative.objects.filter(budget_year=budget_year, kind=kind).first()
    form = NarrativeForm(
        request.POST or None, initial={"body": narrative.body if narrative else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_narrative(
                budget_year=budget_year, by=request.user, kind=kind, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("“%(kind)s”已保存。") % {"kind": kind.label})
            return redirect(f"{budget_year.get_absolute_url()}#narratives")
    book = yearbook.gather(budget_year)
    body = form.data.get("body", "") if form.is_bound else form.initial["body"]
    groups: dict[str, list] = {}
    for figure in book.figures:
        groups.setdefault(str(figure.spec.group), []).append(figure)
    return render(
        request,
        "budget/narrative_form.html",
        {
            "form": form,
            "budget_year": budget_year,
            "kind": kind,
            "narrative": narrative,
            "groups": groups,
            "preview": _preview(book, body),
        },
    )


@login_required
@require_POST
def narrative_preview(request, year, kind):
    """The text as the report will print it (htmx swaps it in beside the editor)."""
    budget_year = office_year(request, year)
    _kind(kind)
    book = yearbook.gather(budget_year)
    return render(
        request,
        "budget/_narrative_preview.html",
        {"preview": _preview(book, request.POST.get("body", ""))},
    )


urlpatterns = [
    path("<int:year>/narratives/<str:kind>/", narrative_edit, name="narrative_edit"),
    path("<int:year>/narratives/<str:kind>/preview/", narrative_preview, name="narrative_preview"),
]
