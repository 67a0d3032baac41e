"""What pages show of the gates (projects.gates), and the leader's recorded override.

One pattern for every page whose form takes a gated action: the view asks `refused_page(...)`
first, on GET and on POST alike, before it binds its form. When the action is blocked (and no
leader's override waits for it) the page shows the 办理条件 panel instead of the form: what the
action is, the Chinese reasons in the table's order (the stage first), and for a leader the
override form. A POST is refused the same way before its form is validated, so the stage reason
is the first and only error, never a field error of a form that could not be used anyway.
Inline forms on detail pages include `projects/_gate_refusal.html` with `gate_refusal(...)`.

The override: one form, posted from the panel or the project or household page, naming the
action, the household (if any) and the reason; the leader comes back to the page he was on.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.http import address_by_pk, report_form_errors, report_validation_error
from core.markup import html_format
from core.scoping import get_visible_or_404
from projects import gates
from projects.models import Household, Project


@dataclass(frozen=True)
class Refusal:
    """A blocked action as a page shows it instead of its form."""

    action: str
    label: str
    reasons: list[str]
    project: Project | None
    household: Household | None
    can_override: bool  # the user is a leader and the override form can name the target


def gate_refusal(
    user, action: str, *, project: Project | None, household: Household | None = None, obj=None
) -> Refusal | None:
    """None when `action` may be taken now (or a leader's override for it waits); otherwise what
    the 办理条件 panel shows: the reasons of `gates.blockers` (Chinese, the stage first)."""
    reasons = gates.blockers(action, project=project, household=household, obj=obj)
    if not reasons:
        return None
    target = obj if obj is not None else household if household is not None else project
    if gates.override_waiting(action, target):
        return None
    return Refusal(
        action=action,
        label=gates.action_label(action),
        reasons=reasons,
        project=project,
        household=household,
        # The override form names a project or a household; other targets (a notice, a plan)
        # are overridden from their own pages, where there are any.
        can_override=bool(user.is_leader and obj is None and project is not None),
    )


def status_refusal(
    user, status: gates.Status, *, project: Project, household: Household | None = None
) -> Refusal | None:
    """`gate_refusal` for an action of the project's (or household's) `gates.statuses`, which
    already read its blockers and waiting override: no further query."""
    if status.is_allowed or status.override is not None:
        return None
    return Refusal(
        action=status.action,
        label=status.label,
        reasons=status.missing,
        project=project,
        household=household,
        can_override=bool(user.is_leader),
    )


_ROW = "<tr><td>{label}</td><td>{state}</td></tr>"
_BLOCKED = '<span class="badge">{label}</span><ul class="muted">{reasons}</ul>{override}'
_OVERRIDE = (
    '<details class="inline-form"><summary>{summary}</summary>'
    '<form method="post" action="{url}">{csrf}'
    '<input type="hidden" name="action" value="{action}">{household}'
    '<label>{reason}<textarea name="reason" rows="2" required></textarea></label>'
    '<button type="submit">{button}</button></form></details>'
)


def gate_rows(
    request, statuses: list[gates.Status], *, project: Project, household: Household | None = None
) -> SafeString:
    """The rows of the 办理条件 table (projects/_gates.html) for `statuses`, written in Python
    (a score of rows with their reasons is most of what a template would spend on the project
    page): each action's label and state, a blocked one's reasons and, for a leader, the
    override form naming the action (and the household)."""
    allowed = html_format('<span class="badge ok">{}</span>', _("可办理"))
    overridden = html_format('<span class="badge warn">{}</span>', _("领导已准予越过"))
    override = None
    if request.user.is_leader:
        target = (
            html_format('<input type="hidden" name="household" value="{}">', household.pk)
            if household is not None
            else ""
        )
        override = {
            "summary": _("越过办理条件"),
            "url": address_by_pk("projects:gate_override")(project.pk),
            "csrf": csrf_input(request),
            "household": SafeString(target),
            "reason": _("越过理由（将记入审计记录）"),
            "button": _("准予越过"),
        }
    blocked_label = _("暂不可办理")
    rows = []
    for status in statuses:
        if status.is_allowed:
            state = allowed
        elif status.override is not None:
            state = overridden
        else:
            state = html_format(
                _BLOCKED,
                label=blocked_label,
                reasons=SafeString(
                    "".join(html_format("<li>{}</li>", reason) for reason in status.missing)
                ),
                override=html_format(_OVERRIDE, action=status.action, **override)
                if override
                else "",
            )
        rows.append(html_format(_ROW, label=status.label, state=state))
    return SafeString("".join(rows))


def refused_page(
    request,
    action: str,
    *,
    project: Project | None,
    household: Household | None = None,
    obj=None,
    template: str = "projects/gate_refused.html",
    context: dict | None = None,
) -> HttpResponse | None:
    """The page a gated form view returns instead of its form while `action` is blocked, on GET
    (200) and on POST (409, nothing validated or saved); None when the view may go on.

    `template` extends projects/gate_refused.html where the form's own pages lead back another
    way (a fund's pages: 补偿资金 → project → 资金账户): it overrides the `breadcrumbs` and
    `back` blocks, reading the objects given in `context`."""
    refusal = gate_refusal(request.user, action, project=project, household=household, obj=obj)
    if refusal is None:
        return None
    return render(
        request,
        template,
        {"gate": refusal, "project": project, "household": household, **(context or {})},
        status=409 if request.method == "POST" else 200,
    )


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
    after = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = after
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
