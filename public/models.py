from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PolicyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class PolicyDocument(models.Model):
    """法规政策: a law, regulation or local rule the office publishes for the public."""

    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("发布机关"), max_length=100)
    number = models.CharField(_("文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("发布日期"))
    summary = models.TextField(_("内容摘要"), blank=True)
    file = models.FileField(_("全文"), upload_to="policies/", blank=True)
    is_published = models.BooleanField(_("公开"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = PolicyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("法规政策")
        verbose_name_plural = _("法规政策")
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("public:policy_detail", args=[self.pk])
