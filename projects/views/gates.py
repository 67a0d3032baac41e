"""The leader's recorded override of a gate (projects.gates): one form, posted from the project
or household page, naming the action, the household (if any) and the reason."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.http import report_form_errors, report_validation_error
from core.scoping import get_visible_or_404
from projects import gates
from projects.models import Household, Project


class OverrideForm(forms.Form):
    action = forms.ChoiceField(choices=[(key, key) for key in gates.RULES])
    household = forms.IntegerField(required=False)
    reason = forms.CharField(
        label=gettext_lazy("越过理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


@login_required
@require_POST
def gate_override(request, pk):
    project = get_visible_or_404(Project.objects.all(), request.user, pk=pk)
    if not request.user.is_leader:
        raise PermissionDenied(_("只有领导可以越过办理条件。"))
    form = OverrideForm(request.POST)
    household = None
    if form.is_valid() and form.cleaned_data["household"]:
        household = get_visible_or_404(
            Household.objects.filter(project=project),
            request.user,
            pk=form.cleaned_data["household"],
        )
    back = household or project
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect(back)
    try:
        gates.override(
            action=form.cleaned_data["action"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            project=project,
            household=household,
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("已记录越过办理条件，该事项可办理一次。"))
    return redirect(back)


urlpatterns = [
    path("projects/<int:pk>/gates/override/", gate_override, name="gate_override"),
]
