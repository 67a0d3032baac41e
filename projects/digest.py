"""The daily digest: each liaison and handler hears, by e-mail, what falls due in their projects,
and everybody hears the notifications (core.notifications) not yet mailed: items assigned to
them, returned to them or approved.

The same lists show on their home page, their to-do list and their notifications; this module
only sends them.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clocks import DueItem, due_items
from core.formatting import cn_date
from core.models import Notification, User
from projects.models import DigestDelivery

logger = logging.getLogger(__name__)


def items_for(user: User, today: date) -> list[DueItem]:
    """The open clocks the user answers for, due within the digest's look-ahead."""
    until = today + timedelta(days=settings.DIGEST_LOOKAHEAD_DAYS)
    return [
        item for item in due_items(user, until=until, today=today) if user.pk in item.handler_ids
    ]


def notifications_for(user: User) -> list[Notification]:
    """The user's unread notifications that no digest has carried yet, oldest first."""
    return list(
        Notification.objects.filter(
            recipient=user, read_at__isnull=True, done_at__isnull=True, emailed_at__isnull=True
        ).order_by("created_at", "pk")
    )


def digest_text(
    user: User, items: list[DueItem], today: date, notes: list[Notification] = ()
) -> str:
    return render_to_string(
        "projects/email/digest.txt",
        {
            "user": user,
            "items": items,
            "notes": notes,
            "today": today,
            "site_url": settings.SITE_URL.rstrip("/"),
            "overdue": [item for item in items if item.is_overdue(today)],
            "upcoming": [item for item in items if not item.is_overdue(today)],
        },
    )


def send_digest(*, user: User, today: date) -> bool:
    """Send today's digest to one person once; a second run the same day sends nothing.
    The notifications it carries are marked mailed and are not mailed again."""
    items = items_for(user, today)
    notes = notifications_for(user)
    if not (items or notes) or not user.email:
        return False
    count = len(items) + len(notes)
    try:
        with transaction.atomic():
            DigestDelivery.objects.create(user=user, day=today, item_count=count)
    except IntegrityError:
        return False
    subject = _("征收工作期限提醒（%(day)s，%(count)s项）") % {
        "day": cn_date(today),
        "count": count,
    }
    send_mail(subject, digest_text(user, items, today, notes), None, [user.email])
    Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=timezone.now())
    logger.info("Sent digest to user %s with %s items", user.pk, count)
    return True


def send_all_digests(*, today: date) -> int:
    sent = 0
    for user in User.objects.filter(is_active=True).exclude(email="").order_by("pk"):
        sent += send_digest(user=user, today=today)
    return sent
