"""The selection pages: a project's rounds, the order (by signing or a public draw) and its
notice, and the selection day (叫号, 过号, 补叫, 选房, 撤销). Anyone who may see the project reads
them; office staff and the project's district office act (resettlement.selection checks)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appraisers import draws
from core import permissions
from core.http import add_service_error, report_form_errors, report_validation_error
from core.scoping import get_visible_or_404
from projects import gates
from projects.models import Project
from resettlement import selection as services
from resettlement.models import Flat, Selection, SelectionOrder, SelectionRound
from resettlement.selection_forms import CancelForm, DrawForm, RoundForm, WaiveForm


def _project_for(request, pk):
    return get_visible_or_404(Project.objects.select_related("district"), request.user, pk=pk)


def _round_for(request, pk) -> SelectionRound:
    return get_visible_or_404(
        SelectionRound.objects.select_related("project__district", "notice", "created_by"),
        request.user,
        pk=pk,
    )


def _can_act(user, project) -> bool:
    return permissions.allowed(user, "resettlement.run_selection", project)


@login_required
def round_list(request, pk):
    project = _project_for(request, pk)
    can_act = _can_act(request.user, project)
    form = RoundForm(request.POST or None) if can_act else None
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied
        if form.is_valid():
            try:
                selection_round = services.create_round(
                    project=project, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("已创建选房，请确定选房顺序。"))
                return redirect("resettlement:selection_round", pk=selection_round.pk)
    return render(
        request,
        "resettlement/selection/round_list.html",
        {
            "project": project,
            "rounds": project.selection_rounds.select_related("notice").order_by("-created_at"),
            "form": form,
            "can_act": can_act,
            "blockers": gates.blockers("selection.order", project=project),
        },
    )


@login_required
def round_detail(request, pk):
    """The round: its order, the order notice, and on the selection day the calling desk."""
    selection_round = _round_for(request, pk)
    services._sync_published(selection_round)
    project = selection_round.project
    can_act = _can_act(request.user, project)
    orders = list(
        selection_round.orders.select_related("household").prefetch_related("selections__flat")
    )
    current = services.current_order(selection_round)
    terms = services.swap_terms(project)
    context = {
        "project": project,
        "round": selection_round,
        "orders": orders,
        "current": current,
        "can_act": can_act,
        "is_published": services.is_order_published(selection_round),
        "board": services.board(project, selection_round=selection_round),
        "terms": terms,
        "absent": [order for order in orders if order.absent],
        "left_out": services.left_out(selection_round),
        "draw_form": DrawForm(),
        "cancel_form": CancelForm(),
        "waive_form": WaiveForm(selection_round=selection_round) if can_act else None,
        "call_blockers": gates.blockers("selection.call", project=project, obj=selection_round),
        "order_steps": draws.order_steps(),
        "order_python": draws.ORDER_ALGORITHM_PYTHON,
    }
    if selection_round.method == SelectionRound.Method.DRAW and selection_round.seed:
        context["verifies"] = services.verifies(selection_round)
    if current is not None and terms is not None:
        context["entitlement"] = services.entitlement_of(current.household, terms)
        context["current_selections"] = services.active_selections(current.household)
    return render(request, "resettlement/selection/round_detail.html", context)


def _back(selection_round):
    return redirect("resettlement:selection_round", pk=selection_round.pk)


def _act(request, selection_round, service, success, **kwargs):
    try:
        result = service(selection_round=selection_round, by=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as error:
        report_validation_error(request, error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


# One POST per desk action: (service, success message).
ACTIONS = {
    "order": (services.order_by_signing, _("已按签约先后确定选房顺序。")),
    "publish": (
        services.publish_order,
        lambda notice: (
            _("已起草选房顺序公告，送领导签发后由业务科发布：%(title)s") % {"title": notice.title}
        ),
    ),
    "call": (
        services.call_next,
        lambda order: (
            _("请%(number)s号（%(code)s户）选房。")
            % {"number": order.number, "code": order.household.code}
        ),
    ),
    "absent": (
        services.mark_absent,
        lambda order: _("%(number)s号过号，可稍后补叫。") % {"number": order.number},
    ),
    "finish": (
        services.finish_current,
        lambda order: _("%(number)s号选房完成。") % {"number": order.number},
    ),
    "close": (services.close_round, _("本次选房已结束。")),
}


@login_required
@require_POST
def round_action(request, pk, action):
    selection_round = _round_for(request, pk)
    if action not in ACTIONS:
        raise PermissionDenied
    service, success = ACTIONS[action]
    _act(request, selection_round, service, success)
    return _back(selection_round)


@login_required
@require_POST
def round_draw(request, pk):
    selection_round = _round_for(request, pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(selection_round)
    _act(
        request,
        selection_round,
        services.draw_order,
        _("摇号完成，选房顺序已确定。"),
        **form.cleaned_data,
    )
    return _back(selection_round)


@login_required
@require_POST
def round_recall(request, pk, order_pk):
    selection_round = _round_for(request, pk)
    order = get_object_or_404(SelectionOrder, pk=order_pk, round=selection_round)
    _act(
        request,
        selection_round,
        services.recall,
        lambda order: _("补叫%(number)s号。") % {"number": order.number},
        order=order,
    )
    return _back(selection_round)


@login_required
@require_POST
def round_waive(request, pk):
    """放弃选房 / 改选货币补偿: the household leaves the call order, with its reason."""
    selection_round = _round_for(request, pk)
    form = WaiveForm(request.POST, selection_round=selection_round)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(selection_round)
    _act(
        request,
        selection_round,
        services.waive,
        lambda order: (
            _("已登记%(number)s号（%(code)s户）%(waiver)s，不再叫号。")
            % {
                "number": order.number,
                "code": order.household.code,
                "waiver": order.get_waiver_display(),
            }
        ),
        **form.cleaned_data,
    )
    return _back(selection_round)


@login_required
@require_POST
def round_pick(request, pk):
    """The called household picks a flat: the posted `order` must be the one called."""
    selection_round = _round_for(request, pk)
    order = get_object_or_404(
        SelectionOrder.objects.select_related("household"),
        pk=request.POST.get("order") or 0,
        round=selection_round,
    )
    flat = get_object_or_404(
        Flat.objects.visible_to(request.user), pk=request.POST.get("flat") or 0
    )
    try:
        selection = services.pick(order=order, flat=flat, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        report_validation_error(request, error)
    else:
        messages.success(
            request,
            _("%(number)s号（%(code)s户）选定%(flat)s。")
            % {"number": order.number, "code": order.household.code, "flat": selection.flat},
        )
    return _back(selection_round)


@login_required
@require_POST
def selection_cancel(request, pk):
    selection = get_visible_or_404(
        Selection.objects.select_related("household__project", "order__round", "flat"),
        request.user,
        pk=pk,
    )
    form = CancelForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            services.cancel_selection(
                selection=selection, by=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as error:
            report_validation_error(request, error)
        else:
            messages.success(
                request, _("已撤销选房，房源%(flat)s恢复为冻结。") % {"flat": selection.flat}
            )
    if selection.order is not None:
        return _back(selection.order.round)
    return redirect("resettlement:selection_rounds", pk=selection.household.project_id)
