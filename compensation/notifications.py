"""Who hears of a payment request (core.notifications): the leaders when one waits for their
approval, its maker when it is approved or rejected."""

from django.utils.translation import gettext as _

from compensation.models import DisbursementRequest
from core import notifications
from core.models import Notification
from core.roles import Section


def payment_requested(request: DisbursementRequest) -> None:
    notifications.notify_section(
        section=Section.LEADER,
        kind=Notification.Kind.ASSIGNED,
        text=_("待审批划拨：%(project)s %(request)s")
        % {"project": request.fund.project.name, "request": request},
        url=request.get_absolute_url(),
    )


def payment_decided(request: DisbursementRequest) -> None:
    notifications.mark_done(url=request.get_absolute_url())  # the leaders' "待审批划拨"
    posted = request.status == DisbursementRequest.Status.POSTED
    text = _("划拨申请已批准并划拨：%(request)s") if posted else _("划拨申请被驳回：%(request)s")
    if not posted and request.decision_note:
        text += _("（%(note)s）") % {"note": request.decision_note}
    notifications.notify_users(
        [request.requested_by] if request.requested_by else [],
        kind=Notification.Kind.APPROVED if posted else Notification.Kind.RETURNED,
        text=text % {"request": request},
        url=request.get_absolute_url(),
    )
