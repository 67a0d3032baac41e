"""The compensation items on people's to-do lists (core.todo): payment requests waiting for a
leader's approval (maker-checker: never the requester's own), and cost budgets and final
accounts waiting for a leader's approval (those in their sign-off chain come from core.todo)."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from compensation.models import CostBudget, DisbursementRequest, FinalAccount
from core import permissions
from core.models import SignOff
from core.scoping import visible_to
from core.todo import TodoItem


def todo_items(user, *, today) -> list[TodoItem]:
    items = []
    if permissions.allowed(user, "compensation.approve_payment"):
        pending = (
            visible_to(DisbursementRequest.objects.pending(), user)
            .exclude(requested_by=user)
            .select_related("fund__project", "household")
            .order_by("requested_at", "pk")
        )
        for request in pending:
            items.append(
                TodoItem(
                    "money",
                    _("待审批划拨"),
                    f"{request.fund.project.name} · {request}",
                    request.get_absolute_url(),
                    request.requested_at,
                )
            )
    if permissions.allowed(user, "compensation.approve_accounts"):
        for model, kind in ((CostBudget, _("待审定概算")), (FinalAccount, _("待审定决算"))):
            # Those in a sign-off chain are on the list through core.todo (waiting or returned);
            # these are the drafts prepared before sign-offs were kept.
            in_chain = SignOff.objects.filter(
                content_type=ContentType.objects.get_for_model(model)
            ).values("object_id")
            drafts = (
                visible_to(model.objects.filter(status="draft"), user)
                .exclude(pk__in=in_chain)
                .select_related("project")
            )
            for account in drafts.order_by("pk"):
                items.append(TodoItem("money", kind, str(account), account.get_absolute_url()))
    return items
