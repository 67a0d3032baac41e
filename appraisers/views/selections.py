"""A project's selection of its appraisal firm: candidates, negotiation, vote, random draw, and the
commission. Anyone who may see the project reads it; office staff act on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appraisers import draws, services
from appraisers.forms import (
    CommissionForm,
    DrawForm,
    NegotiationForm,
    SelectionOpenForm,
    VoteForm,
)
from appraisers.models import Commission, FirmSelection
from core import signoffs
from core.http import add_service_error, report_form_errors, report_validation_error
from core.scoping import get_visible_or_404
from projects.models import Project
from projects.services import ensure_office_staff
from projects.views.gates import gate_refusal, refused_page


def _project_for(request, pk):
    return get_visible_or_404(Project.objects.select_related("district"), request.user, pk=pk)


def _selection_of(project) -> FirmSelection | None:
    return (
        FirmSelection.objects.filter(project=project)
        .select_related("winner", "notice", "opened_by", "decided_by")
        .first()
    )


def _open_selection_or_404(request, pk):
    """The project's selection, for office staff acting on it (nothing to act on is a 404)."""
    project = _project_for(request, pk)
    ensure_office_staff(request.user)
    selection = _selection_of(project)
    if selection is None:
        raise Http404
    return project, selection


@login_required
def selection_detail(request, pk):
    project = _project_for(request, pk)
    selection = _selection_of(project)
    is_staff = request.user.is_office_staff
    today = timezone.localdate()
    context = {"project": project, "selection": selection, "is_staff": is_staff}
    if selection is not None:
        candidates = services.candidates_of(selection)
        assessed = {
            result.firm.pk: result
            for result in services.assess_firms([c.firm for c in candidates], today=today)
        }
        context["candidates"] = [(c, assessed[c.firm_id]) for c in candidates]
        context["tally"] = services.tally(selection)
        context["vote_count"] = context["tally"].votes_cast
        context["commission"] = Commission.objects.filter(selection=selection).first()
        if selection.method == FirmSelection.Method.DRAW:
            context["draw"] = services.draw_record(selection)
        if is_staff and not selection.is_decided:
            context["select_refusal"] = gate_refusal(request.user, "firm.select", project=project)
            context["negotiation_form"] = NegotiationForm(
                selection=selection, initial={"decided_on": today}
            )
            context["vote_form"] = VoteForm(selection=selection)
            context["draw_form"] = DrawForm()
        if selection.notice_id:
            # The result notice's way through a leader's sign-off to its publication.
            context["notice_steps"] = signoffs.progress(
                signoffs.signoff_for(selection.notice), "notice"
            )
        if is_staff and selection.is_decided and context["commission"] is None:
            context["commission_form"] = CommissionForm(initial={"signed_on": today})
            context["commission_refusal"] = gate_refusal(
                request.user, "firm.commission", project=project
            )
    context["algorithm_steps"] = draws.algorithm_steps()
    context["algorithm_python"] = draws.ALGORITHM_PYTHON
    return render(request, "appraisers/firmselection_detail.html", context)


@login_required
def selection_open(request, pk):
    project = _project_for(request, pk)
    ensure_office_staff(request.user)
    if refused := refused_page(request, "firm.select", project=project):
        return refused
    today = timezone.localdate()
    eligible = services.eligible_firms(today=today)
    selection = _selection_of(project)
    initial = {"opened_on": today}
    if selection is not None:
        initial["firms"] = [c.firm_id for c in selection.candidates.all()]
    form = SelectionOpenForm(request.POST or None, eligible=eligible, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.open_selection(
                project=project,
                by=request.user,
                firms=form.cleaned_data["firms"],
                opened_on=form.cleaned_data["opened_on"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("候选机构已公布。"))
            return redirect("appraisers:selection_detail", pk=project.pk)
    return render(
        request,
        "appraisers/firmselection_form.html",
        {"project": project, "form": form, "selection": selection, "eligible": eligible},
    )


def _back(project):
    return redirect("appraisers:selection_detail", pk=project.pk)


@login_required
@require_POST
def selection_negotiate(request, pk):
    project, selection = _open_selection_or_404(request, pk)
    if refused := refused_page(request, "firm.select", project=project):
        return refused
    form = NegotiationForm(request.POST, selection=selection)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(project)
    try:
        services.record_negotiation(selection=selection, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request, _("已按协商结果选定评估机构；选定结果公告已起草，待领导签发后由业务科发布。")
        )
    return _back(project)


@login_required
@require_POST
def vote_record(request, pk):
    project, selection = _open_selection_or_404(request, pk)
    if refused := refused_page(request, "firm.select", project=project):
        return refused
    form = VoteForm(request.POST, selection=selection)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(project)
    code = form.cleaned_data["household_code"].strip()
    household = project.households.filter(code=code).first()
    if household is None:
        messages.error(request, _("本项目没有户号为%(code)s的被征收户。") % {"code": code})
        return _back(project)
    try:
        services.record_vote(
            selection=selection,
            by=request.user,
            household=household,
            firm=form.cleaned_data["firm"],
        )
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request,
            _("已录入%(code)s户的投票：%(firm)s。")
            % {"code": household.code, "firm": form.cleaned_data["firm"]},
        )
    return _back(project)


@login_required
@require_POST
def vote_close(request, pk):
    project, selection = _open_selection_or_404(request, pk)
    if refused := refused_page(request, "firm.select", project=project):
        return refused
    try:
        result = services.close_vote(selection=selection, by=request.user)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        if result.winner:
            messages.success(
                request,
                _("计票完成：%(firm)s得票超过半数，已选定；选定结果公告待领导签发后发布。")
                % {"firm": result.winner},
            )
        else:
            messages.warning(
                request, _("计票完成：没有机构获得超过半数被征收户的投票，可以采取随机方式确定。")
            )
    return _back(project)


@login_required
@require_POST
def selection_draw(request, pk):
    project, selection = _open_selection_or_404(request, pk)
    if refused := refused_page(request, "firm.select", project=project):
        return refused
    form = DrawForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(project)
    try:
        selection = services.run_draw(selection=selection, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request,
            _("随机确定完成：%(firm)s。选定结果公告待领导签发后发布。")
            % {"firm": selection.winner},
        )
    return _back(project)


@login_required
@require_POST
def commission_record(request, pk):
    project, selection = _open_selection_or_404(request, pk)
    if refused := refused_page(request, "firm.commission", project=project):
        return refused
    form = CommissionForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(project)
    try:
        services.record_commission(selection=selection, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_validation_error(request, error)
    else:
        messages.success(request, _("委托合同已录入。"))
    return _back(project)


urlpatterns = [
    path("projects/<int:pk>/selection/", selection_detail, name="selection_detail"),
    path("projects/<int:pk>/selection/open/", selection_open, name="selection_open"),
    path(
        "projects/<int:pk>/selection/negotiation/",
        selection_negotiate,
        name="selection_negotiate",
    ),
    path("projects/<int:pk>/selection/votes/", vote_record, name="vote_record"),
    path("projects/<int:pk>/selection/tally/", vote_close, name="vote_close"),
    path("projects/<int:pk>/selection/draw/", selection_draw, name="selection_draw"),
    path("projects/<int:pk>/selection/commission/", commission_record, name="commission_record"),
]
