"""Notifications in the system: a row per recipient, shown in the navigation badge and at
/notifications/, and carried by e-mail in the next daily digest (projects.digest).

A notification is new until its recipient opens it (/notifications/<id>/, which leads on to
the item) or the item it is about moves on: whoever acts on the item next (a sign-off step
passed or returned, a notice published, a payment decided) marks every earlier notification
about it done (`mark_done`, by the item's URL, which every notification about it carries).

Recipients are resolved here: a section means its active office staff; a submitter means the
district office's active users when a district submitted, otherwise the staff member.
"""

from django.db.models import Count, QuerySet
from django.utils import timezone

from core.compiled import CompiledValues
from core.models import Notification, SignOff, User
from core.roles import Section


def section_members(section: Section) -> QuerySet:
    return User.objects.filter(
        is_active=True, district__isnull=True, groups__name=section.value
    ).distinct()


def _create(recipients, *, kind: str, text: str, url: str) -> int:
    now = timezone.now()
    rows = [
        Notification(recipient=user, kind=kind, text=text[:500], url=url, created_at=now)
        for user in recipients
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notify_section(*, section: Section, kind: str, text: str, url: str) -> int:
    return _create(section_members(section), kind=kind, text=text, url=url)


def notify_submitter(*, signoff: SignOff, kind: str, text: str) -> int:
    if signoff.submitted_by_district_id:
        recipients = User.objects.filter(
            is_active=True, district_id=signoff.submitted_by_district_id
        )
    elif signoff.submitted_by_id:
        recipients = User.objects.filter(pk=signoff.submitted_by_id, is_active=True)
    elif signoff.responsible:  # prepared by a scheduled job: its responsible section
        return notify_section(
            section=Section(signoff.responsible), kind=kind, text=text, url=signoff.url
        )
    else:
        recipients = User.objects.none()
    return _create(recipients, kind=kind, text=text, url=signoff.url)


def notify_users(users, *, kind: str, text: str, url: str) -> int:
    return _create([u for u in users if u.is_active], kind=kind, text=text, url=url)


def unread_count(user) -> int:
    """The navigation badge: notifications neither opened nor done. One query, its SQL
    written once per process (core.compiled): it runs after every page."""
    return sum(row["count"] for row in _unread_counts(user.pk))


@CompiledValues
def _unread_counts(user_pk: int):
    """The user's unread notifications counted: one row, or none when there are none."""
    return (
        Notification.objects.filter(recipient=user_pk)
        .unread()
        .values("recipient")
        .annotate(count=Count("pk"))
        .order_by()
    )


def mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's notifications read (all of them, or the given ids); returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


def mark_done(*, url: str) -> int:
    """Every notification about the item at `url` that is not done yet is done now (its item
    was acted on); returns how many. Call it before notifying the next people."""
    if not url:
        return 0
    return Notification.objects.filter(url=url, done_at__isnull=True).update(done_at=timezone.now())
