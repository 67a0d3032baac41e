"""The appraisers' items on people's to-do lists (core.todo): credit lists whose evaluation
period has ended, waiting for a leader to publish them."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from appraisers.models import CreditList
from core import permissions
from core.models import SignOff
from core.todo import TodoItem


def todo_items(user, *, today) -> list[TodoItem]:
    if not permissions.allowed(user, "appraisers.publish_credit_list"):
        return []
    # Lists in their sign-off chain (returned, resubmitted) are on the lists through core.todo.
    in_chain = SignOff.objects.filter(
        content_type=ContentType.objects.get_for_model(CreditList)
    ).values("object_id")
    drafts = (
        CreditList.objects.filter(status="draft", period_end__lte=today)
        .exclude(pk__in=in_chain)
        .order_by("period_end")
    )
    return [
        TodoItem("review", _("待公布信用名录"), str(c), c.get_absolute_url(), c.period_end)
        for c in drafts
    ]
