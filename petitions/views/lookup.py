"""The petitioner's look-up (public, no login): reference number + code → where the case stands.

Failed attempts are counted per client address and per case in the shared cache
(core.lockouts); past the limit either is refused for the rest of the window, whatever it
sends. A success does not clear the count, so holding one valid code does not help to guess
others. An unknown reference and a wrong code get
the same answer, so the page never tells whether a case exists. The result shows no names, no
request text and no staff: only the case's own dates and state.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.lockouts import Lockout
from petitions import deadlines, services
from petitions.forms import LookupForm
from petitions.models import Petition, PetitionStep

LOCKOUT = Lockout("PETITION_LOOKUP")

# Steps a petitioner sees; internal ones (assignment, a new code) stay inside the office.
PUBLIC_STEPS = [
    kind
    for kind in PetitionStep.Kind
    if kind not in (PetitionStep.Kind.ASSIGNED, PetitionStep.Kind.CODE_RESET)
]


def _find(reference: str, code: str) -> Petition | None:
    petition = Petition.objects.filter(reference=reference).first()
    if petition is None or not services.code_matches(petition, code):
        return None
    return petition


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request):
    form = LookupForm(request.POST or None)
    context = {"form": form, "minutes": settings.PETITION_LOOKUP_WINDOW_SECONDS // 60}
    if request.method != "POST" or not form.is_valid():
        return render(request, "petitions/petition_lookup.html", context)
    reference = form.cleaned_data["reference"]
    if LOCKOUT.is_locked(request, subject=reference):
        context["locked"] = True
        return render(request, "petitions/petition_lookup.html", context, status=429)
    petition = _find(reference, form.cleaned_data["code"])
    if petition is None:
        LOCKOUT.record_failure(request, subject=reference)
        form.add_error(None, _("信访件编号或查询码不正确，请核对登记回执。"))
        return render(request, "petitions/petition_lookup.html", context)
    clock = deadlines.current_clock(petition)
    context.update(
        {
            "petition": petition,
            "clock": clock,
            "steps": petition.steps.filter(kind__in=PUBLIC_STEPS).order_by("on", "at", "pk"),
            "today": timezone.localdate(),
            "form": LookupForm(),
        }
    )
    return render(request, "petitions/petition_lookup.html", context)


urlpatterns = [
    path("lookup/", lookup, name="lookup"),
]
