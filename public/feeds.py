from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from core.models import Office
from public.views import published_notices


class NoticeFeed(Feed):
    """An Atom feed of the newest published notices."""

    feed_type = Atom1Feed
    subtitle = _("房屋征收公告公示")

    def title(self):
        return _("%(office)s 公告公示") % {"office": Office.current_name()}

    def link(self):
        return reverse("public:notice_list")

    def items(self):
        return published_notices().order_by("-published_on", "-pk")[:30]

    def item_title(self, notice):
        return f"{notice.project.name} {notice.title}"

    def item_description(self, notice):
        return notice.body[:300]

    def item_link(self, notice):
        return reverse("public:notice_detail", args=[notice.pk])

    def item_pubdate(self, notice):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(notice.published_on, time(9, 0)))
