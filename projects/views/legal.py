from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import history as core_history
from core import signoffs
from core.deadlines import WorkCalendar
from core.http import bound_data, download, form_page, post_to_service
from core.scoping import get_visible_or_404
from projects import legal
from projects.forms.legal import (
    AnnounceForm,
    AnswerForm,
    ApplicationForm,
    CloseForm,
    DecisionForm,
    LitigationForm,
    ObjectionForm,
    ReconsiderationForm,
    RiskAssessmentForm,
    ServeForm,
    SuspensionForm,
    WarningForm,
)
from projects.models import CompensationDecision, Household, Notice, Objection, Project
from projects.services import ensure_office_staff
from projects.views.gates import refused_page


def _project_for(request, pk):
    return get_visible_or_404(Project.objects.select_related("district"), request.user, pk=pk)


def _decision_for(request, pk):
    return get_visible_or_404(
        CompensationDecision.objects.select_related(
            "household__project__district", "warning", "application", "announcement"
        ),
        request.user,
        pk=pk,
    )


# ---------------------------------------------------------------------------
# Compensation decisions


@login_required
def decision_create(request, pk):
    household = get_visible_or_404(
        Household.objects.select_related("project__district"), request.user, pk=pk
    )
    refused = refused_page(
        request, "decision.record", project=household.project, household=household
    )
    if refused:
        return refused
    form = DecisionForm(
        request.POST or None,
        request.FILES or None,
        initial={"amount": legal.breakdown_total(household)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = legal.record_compensation_decision(
                household=household, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("补偿决定已登记。"))
            return redirect(decision)
    return render(
        request,
        "projects/compensationdecision_form.html",
        {"form": form, "household": household, "project": household.project},
    )


@login_required
def decision_detail(request, pk):
    decision = _decision_for(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "projects/compensationdecision_detail.html",
        {
            "decision": decision,
            "household": decision.household,
            "project": decision.household.project,
            "road": legal.road(decision, today),
            "today": today,
            "history": core_history.for_object(decision),
            # The announcement's way through a leader's sign-off to 法规科's publication.
            "announcement_steps": signoffs.progress(
                signoffs.signoff_for(decision.announcement), "notice"
            )
            if decision.announcement_id
            else None,
            "forms": {
                "serve": ServeForm(),
                "reconsideration": ReconsiderationForm(
                    initial={
                        "applied_on": decision.reconsideration_applied_on,
                        "accepted_on": decision.reconsideration_accepted_on,
                        "extended_days": decision.reconsideration_extended_days,
                        "decided_on": decision.reconsideration_decided_on,
                        "received_on": decision.reconsideration_received_on,
                        "outcome": decision.reconsideration_outcome,
                    }
                ),
                "litigation": LitigationForm(
                    initial={
                        "filed_on": decision.suit_filed_on,
                        "judgment_on": decision.judgment_on,
                        "final_on": decision.judgment_final_on,
                        "served_on": decision.judgment_served_on,
                        "outcome": decision.judgment_outcome,
                    }
                ),
                "announce": AnnounceForm(initial={"published_on": today}),
                "warning": WarningForm(),
                "application": ApplicationForm(),
                "close": CloseForm(),
            },
        },
    )


def _decision_step(form_class, service, success):
    @login_required
    @require_POST
    def view(request, pk):
        decision = _decision_for(request, pk)
        form = form_class(request.POST, request.FILES)
        return post_to_service(
            request, form, service, redirect_to=decision, success=success, decision=decision
        )

    return view


decision_serve = _decision_step(ServeForm, legal.serve_decision, _("已登记送达。"))
decision_reconsideration = _decision_step(
    ReconsiderationForm, legal.record_reconsideration, _("已登记行政复议情况。")
)
decision_litigation = _decision_step(
    LitigationForm, legal.record_litigation, _("已登记行政诉讼情况。")
)
decision_announce = _decision_step(
    AnnounceForm, legal.announce_decision, _("补偿决定公告已起草，待领导签发后由法规科发布。")
)
decision_warning = _decision_step(WarningForm, legal.serve_warning, _("已登记催告。"))
decision_apply = _decision_step(
    ApplicationForm, legal.file_enforcement_application, _("已登记强制执行申请。")
)
decision_close = _decision_step(CloseForm, legal.close_decision, _("补偿决定已办结。"))


@login_required
def decision_file(request, pk, field):
    decision = _decision_for(request, pk)
    files = {
        "document": decision.document,
        "service_proof": decision.service_proof,
        "warning": getattr(getattr(decision, "warning", None), "document", None),
    }
    return download(files.get(field))


@login_required
def project_decisions(request, pk):
    """Every unsigned household of the project and its place on the road to enforcement."""
    project = _project_for(request, pk)
    today = timezone.localdate()
    calendar = WorkCalendar()
    decisions = {
        decision.household_id: decision
        for decision in CompensationDecision.objects.filter(household__project=project)
        .select_related("warning", "application", "announcement")
        # The last one per household wins: the open one (no closing day) on every database, as
        # PostgreSQL sorts NULL last in an ascending order; SQLite would put it first.
        .order_by("household_id", F("closed_on").asc(nulls_last=True), "-pk")
    }
    rows = []
    for household in project.households.filter(signed_on__isnull=True).order_by("code"):
        decision = decisions.get(household.pk)
        rows.append(
            {
                "household": household,
                "decision": decision,
                "road": legal.road(decision, today, calendar) if decision else None,
            }
        )
    return render(
        request,
        "projects/compensationdecision_list.html",
        {"project": project, "rows": rows, "today": today},
    )


# ---------------------------------------------------------------------------
# Risk assessment and suspension notice (posted from the project page)


@login_required
@require_POST
def risk_record(request, pk):
    project = _project_for(request, pk)
    refused = refused_page(request, "risk.record", project=project)
    if refused:
        return refused
    form = RiskAssessmentForm(request.POST, request.FILES)
    return post_to_service(
        request,
        form,
        legal.record_risk_assessment,
        redirect_to=project,
        success=_("社会稳定风险评估已登记。"),
        project=project,
    )


@login_required
def suspension_record(request, pk):
    """The office records a suspension notice (暂停办理通知) on its own page, reached from the
    project page's 法定程序 panel; back to the project page once saved."""
    project = _project_for(request, pk)
    ensure_office_staff(request.user)

    def page(form):
        return render(
            request,
            "projects/project_side_form.html",
            {"project": project, "form": form, "title": _("登记暂停办理通知"), "upload": True},
        )

    return form_page(
        request,
        SuspensionForm(*bound_data(request)),
        legal.record_suspension,
        page=page,
        redirect_to=project,
        success=_("暂停办理通知已登记。"),
        project=project,
    )


# ---------------------------------------------------------------------------
# Objections to the 一榜 / 二榜


def _notice_for(request, pk):
    return get_visible_or_404(Notice.objects.select_related("project"), request.user, pk=pk)


@login_required
def objection_list(request, pk):
    notice = _notice_for(request, pk)
    objections = notice.objections.select_related("household", "answered_by").order_by(
        "raised_on", "pk"
    )
    return render(
        request,
        "projects/objection_list.html",
        {
            "notice": notice,
            "project": notice.project,
            "objections": objections,
            "form": ObjectionForm(project=notice.project),
            "answer_form": AnswerForm(),
            "accepts_objections": notice.kind in legal.OBJECTION_NOTICE_KINDS,
        },
    )


@login_required
@require_POST
def objection_raise(request, pk):
    notice = _notice_for(request, pk)
    form = ObjectionForm(request.POST, project=notice.project)
    return post_to_service(
        request,
        form,
        legal.raise_objection,
        redirect_to=reverse("projects:objection_list", args=[notice.pk]),
        success=_("异议已登记。"),
        notice=notice,
    )


@login_required
@require_POST
def objection_answer(request, pk):
    objection = get_visible_or_404(Objection.objects.select_related("notice"), request.user, pk=pk)
    form = AnswerForm(request.POST)
    return post_to_service(
        request,
        form,
        legal.answer_objection,
        redirect_to=reverse("projects:objection_list", args=[objection.notice_id]),
        success=_("异议已答复。"),
        objection=objection,
    )


urlpatterns = [
    path("households/<int:pk>/decisions/new/", decision_create, name="decision_create"),
    path("decisions/<int:pk>/", decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/serve/", decision_serve, name="decision_serve"),
    path(
        "decisions/<int:pk>/reconsideration/",
        decision_reconsideration,
        name="decision_reconsideration",
    ),
    path("decisions/<int:pk>/litigation/", decision_litigation, name="decision_litigation"),
    path("decisions/<int:pk>/announce/", decision_announce, name="decision_announce"),
    path("decisions/<int:pk>/warning/", decision_warning, name="decision_warning"),
    path("decisions/<int:pk>/apply/", decision_apply, name="decision_apply"),
    path("decisions/<int:pk>/close/", decision_close, name="decision_close"),
    path("decisions/<int:pk>/files/<str:field>/", decision_file, name="decision_file"),
    path("projects/<int:pk>/decisions/", project_decisions, name="project_decisions"),
    path("projects/<int:pk>/risk/", risk_record, name="risk_record"),
    path("projects/<int:pk>/suspensions/", suspension_record, name="suspension_record"),
    path("notices/<int:pk>/objections/", objection_list, name="objection_list"),
    path("notices/<int:pk>/objections/new/", objection_raise, name="objection_raise"),
    path("objections/<int:pk>/answer/", objection_answer, name="objection_answer"),
]
