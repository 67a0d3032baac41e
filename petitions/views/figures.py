"""The year's petition figures (信访工作统计)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from petitions import figures
from petitions.forms import YearForm


@login_required
def petition_figures(request):
    form = YearForm(request.GET or None)
    year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year
    return render(
        request,
        "petitions/petition_figures.html",
        {"figures": figures.year_figures(year, user=request.user), "year": year, "form": form},
    )


urlpatterns = [
    path("figures/", petition_figures, name="petition_figures"),
]
