"""Compensation plans (补偿方案): the district submits, the city office returns or approves,
both write in the review thread. Every read goes through core.scoping, so another
district's plan or document is a 404."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions, signoffs
from core.http import add_service_error, download, error_messages, paginate, post_to_service
from core.scoping import get_visible_or_404, visible_to
from projects import plan_sections, services
from projects.forms.plans import (
    ApprovePlanForm,
    PlanForm,
    PlanReplyForm,
    ReturnPlanForm,
)
from projects.models import CompensationPlan, PlanReview, Project
from projects.views.gates import gate_refusal, refused_page

Status = CompensationPlan.Status
# While a version waits for review or once one is approved, no new version can be submitted.
OPEN_STATUSES = {Status.SUBMITTED, Status.APPROVED}


def _project_for(request, pk):
    return get_visible_or_404(Project.objects.select_related("district"), request.user, pk=pk)


def _plan_for(request, pk):
    plans = CompensationPlan.objects.select_related(
        "project__district", "submitted_by", "decided_by"
    )
    return get_visible_or_404(plans, request.user, pk=pk)


def _versions(project):
    """Every version of the project's plan, newest first, with its thread."""
    reviews = (
        PlanReview.objects.select_related("author__district")
        .prefetch_related("author__groups")
        .order_by("created_at", "pk")
    )
    return list(
        project.plans.select_related("submitted_by", "decided_by")
        .prefetch_related(Prefetch("reviews", queryset=reviews))
        .order_by("-version")
    )


def _is_district_of(user, project) -> bool:
    return user.district_id is not None and user.district_id == project.district_id


@login_required
def plan_list(request, pk):
    project = _project_for(request, pk)
    plans = list(project.plans.select_related("submitted_by", "decided_by").order_by("-version"))
    context = {
        "project": project,
        "plans": plans,
        # Only which button to show; submit_plan itself refuses what is not allowed.
        "can_submit": _is_district_of(request.user, project)
        and not any(plan.status in OPEN_STATUSES for plan in plans),
    }
    return render(request, "projects/compensationplan_list.html", context)


@login_required
def plan_submit(request, pk):
    """The district submits the first version, or a new one after a return."""
    project = _project_for(request, pk)
    try:
        services.ensure_district_of_project(request.user, project)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
        return redirect("projects:plan_list", project.pk)
    if blocked := refused_page(request, "plan.submit", project=project):
        return blocked
    previous = project.plans.order_by("-version").first()
    form = PlanForm(request.POST or None, request.FILES or None, previous=previous)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.submit_plan(
                project=project,
                by=request.user,
                comment=form.cleaned_data["comment"],
                **form.standards(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("补偿方案第%(version)s版已提交，等待市征收办审核。") % {"version": plan.version},
            )
            return redirect(plan)
    # The form is not offered while a version waits or after approval; a POST that arrives
    # anyway gets submit_plan's own refusal on the form.
    blocked = None
    if request.method != "POST" and previous and previous.status in OPEN_STATUSES:
        blocked = previous
    context = {"project": project, "form": form, "previous": previous, "blocked_by": blocked}
    return render(request, "projects/compensationplan_form.html", context)


def _render_detail(request, plan, *, status=200, **forms):
    project = plan.project
    versions = _versions(project)
    latest = versions[0]
    user = request.user
    is_district = _is_district_of(user, project)
    # A version that kept the earlier text points at the same stored file.
    first_with_document = {}
    for version in reversed(versions):
        first_with_document.setdefault(version.document.name, version.version)
    carried_from = first_with_document.get(plan.document.name)
    context = {
        "project": project,
        "plan": plan,
        "versions": versions,
        "latest": latest,
        "carried_from": carried_from if carried_from != plan.version else None,
        "can_review": plan.status == Status.SUBMITTED
        and permissions.allowed(user, "projects.review_plan", plan),
        "can_resubmit": is_district and plan.pk == latest.pk and plan.status == Status.RETURNED,
        # The thread is between the district and the step the plan waits at: other sections
        # (人事秘书科, a step already passed) see the progress only.
        "can_reply": plan.pk == latest.pk and services.may_comment_on_plan(user, plan),
        "approve_refusal": gate_refusal(user, "plan.approve", project=project, obj=plan)
        if plan.status == Status.SUBMITTED
        else None,
        "return_form": forms.get("return_form") or ReturnPlanForm(prefix="return"),
        "approve_form": forms.get("approve_form") or ApprovePlanForm(prefix="approve"),
        "reply_form": forms.get("reply_form") or PlanReplyForm(prefix="reply"),
        **signoffs.page_context(plan, "plan"),
        "plan_sections": plan_sections.render_sections(request, plan),
    }
    return render(request, "projects/compensationplan_detail.html", context, status=status)


@login_required
def plan_detail(request, pk):
    return _render_detail(request, _plan_for(request, pk))


@login_required
@require_POST
def plan_return(request, pk):
    plan = _plan_for(request, pk)
    return post_to_service(
        request,
        ReturnPlanForm(request.POST, prefix="return"),
        services.return_plan,
        redirect_to=plan,
        success=_("方案已退回区县修改。"),
        invalid=lambda form: _render_detail(request, plan, return_form=form),
        plan=plan,
    )


def _approved_message(plan) -> str:
    if plan.status == Status.APPROVED:
        return _("补偿方案第%(version)s版已批准。") % {"version": plan.version}
    return _("已审核通过，转下一审核环节。")


@login_required
@require_POST
def plan_approve(request, pk):
    plan = _plan_for(request, pk)
    # The one whose step it is meets the stage (the 办理条件 page) before the form; everybody
    # else gets approve_plan's own refusal (whose step it is, or that nothing waits).
    may_review = plan.status == Status.SUBMITTED and permissions.allowed(
        request.user, "projects.review_plan", plan
    )
    if may_review and (
        refused := refused_page(request, "plan.approve", project=plan.project, obj=plan)
    ):
        return refused
    return post_to_service(
        request,
        ApprovePlanForm(request.POST, prefix="approve"),
        services.approve_plan,
        redirect_to=plan,
        success=_approved_message,
        invalid=lambda form: _render_detail(request, plan, approve_form=form),
        plan=plan,
    )


@login_required
@require_POST
def plan_reply(request, pk):
    plan = _plan_for(request, pk)
    form = PlanReplyForm(request.POST, prefix="reply")
    if not form.is_valid():
        return _render_detail(request, plan, reply_form=form)
    try:
        services.comment_on_plan(plan=plan, by=request.user, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("答复已记入审核记录。"))
    return redirect(plan)


@login_required
def plan_document(request, pk):
    plan = _plan_for(request, pk)
    suffix = PurePath(plan.document.name).suffix.lower()
    filename = _("%(project)s补偿方案第%(version)s版") % {
        "project": plan.project.name,
        "version": plan.version,
    }
    return download(plan.document, filename=f"{filename}{suffix}")


@login_required
def plan_review_queue(request):
    """The plans waiting for the city office's review, oldest submission first, each with the
    review step it waits at."""
    services.ensure_office_staff(request.user)
    pending = visible_to(CompensationPlan.objects.filter(status=Status.SUBMITTED), request.user)
    pending = pending.select_related("project__district", "submitted_by").order_by(
        "submitted_at", "pk"
    )
    page = paginate(request, pending)
    waiting = signoffs.signoffs_for(page.object_list)
    for plan in page.object_list:
        signoff = waiting.get(plan.pk)
        plan.waiting_step = signoffs.current_step(signoff) if signoff else None
        # The review button only for whom plan_approve would let act: the section whose step
        # the plan waits at (the same sign-off rule, read from the row already loaded) when the
        # gate allows it; the gate's reasons for that section otherwise; the status for others.
        plan.may_review = signoffs.can_act(request.user, signoff)
        plan.gate = (
            gate_refusal(request.user, "plan.approve", project=plan.project, obj=plan)
            if plan.may_review
            else None
        )
    return render(request, "projects/compensationplan_review_queue.html", {"page": page})


urlpatterns = [
    path("projects/<int:pk>/plans/", plan_list, name="plan_list"),
    path("projects/<int:pk>/plans/new/", plan_submit, name="plan_submit"),
    path("plans/review/", plan_review_queue, name="plan_review_queue"),
    path("plans/<int:pk>/", plan_detail, name="plan_detail"),
    path("plans/<int:pk>/document/", plan_document, name="plan_document"),
    path("plans/<int:pk>/return/", plan_return, name="plan_return"),
    path("plans/<int:pk>/approve/", plan_approve, name="plan_approve"),
    path("plans/<int:pk>/reply/", plan_reply, name="plan_reply"),
]
