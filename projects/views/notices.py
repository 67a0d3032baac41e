"""Notices (公告/公示): the district or the office drafts, the office publishes.

Published notices are what the public disclosure page shows; these are the staff and
district pages, read through core.scoping like every other."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import history as core_history
from core import permissions, signoffs
from core.forms import ReturnForm, SignOffForm
from core.http import add_service_error, download, paginate, post_to_service
from core.scoping import get_visible_or_404, visible_to
from projects import gates, services
from projects.forms.notices import (
    NoticeFilterForm,
    NoticeForm,
    NoticeOverrideForm,
    PublishNoticeForm,
)
from projects.models import Notice, Project


def _project_for(request, pk):
    return get_visible_or_404(Project.objects.select_related("district"), request.user, pk=pk)


def _notice_for(request, pk):
    notices = Notice.objects.select_related("project__district", "created_by", "published_by")
    return get_visible_or_404(notices, request.user, pk=pk)


def _can_draft(user, project) -> bool:
    return user.is_office_staff or user.district_id == project.district_id


def _filtered(request, notices):
    form = NoticeFilterForm(request.GET or None)
    query = request.GET.copy()
    query.pop("page", None)
    return form, form.filter(notices), query.urlencode()


@login_required
def notice_list(request, pk):
    project = _project_for(request, pk)
    form, notices, query = _filtered(request, project.notices.all())
    # Drafts (no date) first on every database, as PostgreSQL sorts NULL in a descending order.
    page = paginate(request, notices.order_by(F("published_on").desc(nulls_first=True), "-pk"))
    context = {
        "project": project,
        "form": form,
        "page": page,
        "query": query,
        "can_draft": _can_draft(request.user, project),
    }
    return render(request, "projects/notice_list.html", context)


@login_required
def notice_index(request):
    """Every notice the user may see (all of them for office staff), filtered and paged."""
    notices = visible_to(Notice, request.user).select_related("project__district")
    form, notices, query = _filtered(request, notices)
    # Drafts (no date) first on every database, as PostgreSQL sorts NULL in a descending order.
    page = paginate(request, notices.order_by(F("published_on").desc(nulls_first=True), "-pk"))
    return render(
        request, "projects/notice_index.html", {"form": form, "page": page, "query": query}
    )


@login_required
def notice_create(request, pk):
    project = _project_for(request, pk)
    services.ensure_can_edit_project(request.user, project)
    form = NoticeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.draft_notice(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("公告草稿已保存，待领导签发后由责任科室发布。"))
            return redirect(notice)
    return render(request, "projects/notice_form.html", {"project": project, "form": form})


@login_required
def notice_edit(request, pk):
    notice = _notice_for(request, pk)
    services.ensure_can_edit_project(request.user, notice.project)
    form = NoticeForm(request.POST or None, request.FILES or None, instance=notice)
    if notice.is_published:
        messages.error(request, _("公告已发布，不能修改。"))
        return redirect(notice)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_notice(notice=notice, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("公告草稿已修改，已重新提交领导签发。"))
            return redirect(notice)
    return render(
        request,
        "projects/notice_form.html",
        {"project": notice.project, "form": form, "notice": notice},
    )


def _render_detail(
    request, notice, *, publish_form=None, sign_off_form=None, return_form=None, override_form=None
):
    user = request.user
    draft = not notice.is_published
    blockers = (
        gates.blockers(gates.notice_action(notice), project=notice.project, obj=notice)
        if draft
        else []
    )
    pending_override = gates.open_override(gates.notice_action(notice), notice) if draft else None
    context = {
        "notice": notice,
        "project": notice.project,
        "can_publish": draft and permissions.allowed(user, "projects.publish_notice", notice),
        "can_sign_off": draft and permissions.allowed(user, "projects.sign_off_notice", notice),
        "can_return": draft and permissions.allowed(user, "projects.return_notice", notice),
        "can_edit": draft and permissions.allowed(user, "projects.edit_project", notice.project),
        # A leader may let a gated publication through once, with a recorded reason.
        "can_override": draft and bool(blockers) and pending_override is None and user.is_leader,
        "publish_form": publish_form or PublishNoticeForm(),
        "publish_blockers": blockers,
        "pending_override": pending_override,
        "sign_off_form": sign_off_form or SignOffForm(prefix="signoff"),
        "return_form": return_form or ReturnForm(prefix="return"),
        "override_form": override_form or NoticeOverrideForm(prefix="override"),
        **signoffs.page_context(notice, "notice"),
        "history": core_history.for_object(notice),
    }
    return render(request, "projects/notice_detail.html", context)


@login_required
def notice_detail(request, pk):
    return _render_detail(request, _notice_for(request, pk))


@login_required
@require_POST
def notice_publish(request, pk):
    notice = _notice_for(request, pk)
    return post_to_service(
        request,
        PublishNoticeForm(request.POST),
        lambda by, published_on: services.publish_notice(notice=notice, by=by, on=published_on),
        redirect_to=notice,
        success=_("公告已发布。"),
        invalid=lambda form: _render_detail(request, notice, publish_form=form),
    )


@login_required
@require_POST
def notice_sign_off(request, pk):
    """A leader signs the draft off (签发); the responsible section then publishes it."""
    notice = _notice_for(request, pk)
    return post_to_service(
        request,
        SignOffForm(request.POST, prefix="signoff"),
        services.sign_off_notice,
        redirect_to=notice,
        success=_("公告已签发，待责任科室发布。"),
        invalid=lambda form: _render_detail(request, notice, sign_off_form=form),
        notice=notice,
    )


@login_required
@require_POST
def notice_return(request, pk):
    """Send the draft back to whoever drafted it, with a comment."""
    notice = _notice_for(request, pk)
    return post_to_service(
        request,
        ReturnForm(request.POST, prefix="return"),
        services.return_notice,
        redirect_to=notice,
        success=_("公告草稿已退回起草单位。"),
        invalid=lambda form: _render_detail(request, notice, return_form=form),
        notice=notice,
    )


@login_required
@require_POST
def notice_override(request, pk):
    """A leader lets the publication of a gated notice through once, with a recorded reason
    (projects.gates.override; listed on the project page and in the history)."""
    notice = _notice_for(request, pk)
    if not request.user.is_leader:
        raise PermissionDenied(_("只有领导可以越过办理条件。"))
    return post_to_service(
        request,
        NoticeOverrideForm(request.POST, prefix="override"),
        lambda by, reason: gates.override(
            action=gates.notice_action(notice),
            by=by,
            reason=reason,
            project=notice.project,
            obj=notice,
        ),
        redirect_to=notice,
        success=_("已记录越过办理条件，该公告可发布一次。"),
        invalid=lambda form: _render_detail(request, notice, override_form=form),
    )


@login_required
def notice_attachment(request, pk):
    notice = _notice_for(request, pk)
    suffix = PurePath(notice.attachment.name).suffix.lower()
    return download(notice.attachment, filename=f"{notice.title}{suffix}")


urlpatterns = [
    path("projects/<int:pk>/notices/", notice_list, name="notice_list"),
    path("projects/<int:pk>/notices/new/", notice_create, name="notice_create"),
    path("notices/", notice_index, name="notice_index"),
    path("notices/<int:pk>/", notice_detail, name="notice_detail"),
    path("notices/<int:pk>/edit/", notice_edit, name="notice_edit"),
    path("notices/<int:pk>/publish/", notice_publish, name="notice_publish"),
    path("notices/<int:pk>/sign-off/", notice_sign_off, name="notice_sign_off"),
    path("notices/<int:pk>/return/", notice_return, name="notice_return"),
    path("notices/<int:pk>/override/", notice_override, name="notice_override"),
    path("notices/<int:pk>/attachment/", notice_attachment, name="notice_attachment"),
]
