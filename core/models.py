from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.roles import Section
from core.scoping import DistrictScopedQuerySet


class Office(models.Model):
    """The office this deployment serves: name and public contacts (one row)."""

    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    parent_body = models.CharField(_("主管部门"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位信息")
        verbose_name_plural = _("单位信息")

    def __str__(self):
        return self.name

    @classmethod
    def current_name(cls) -> str:
        office = cls.objects.order_by("pk").first()
        return office.name if office else settings.OFFICE_NAME

    PAGE_NAME_KEY = "core:office-name"
    PAGE_NAME_SECONDS = 300

    @classmethod
    def page_name(cls) -> str:
        """`current_name` for every page's frame (title, brand, footer), kept in the cache for
        PAGE_NAME_SECONDS at most: saving or deleting the office row forgets it
        (`forget_page_name`, connected in core.apps). Inside a transaction the row is read, and
        not kept, so that a name that may yet be rolled back is never cached."""
        if connection.in_atomic_block:
            return cls.current_name()
        name = cache.get(cls.PAGE_NAME_KEY)
        if name is None:
            name = cls.current_name()
            cache.set(cls.PAGE_NAME_KEY, name, cls.PAGE_NAME_SECONDS)
        return name

    @classmethod
    def forget_page_name(cls, **kwargs) -> None:
        cache.delete(cls.PAGE_NAME_KEY)


class DistrictQuerySet(DistrictScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class District(models.Model):
    """A district, county or development zone whose office carries out projects."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        COUNTY = "county", _("县/市")
        ZONE = "zone", _("开发区")

    # The scoping rule (core.scoping) reads this path to find an object's district.
    district_path = "pk"

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.DISTRICT)
    office_name = models.CharField(_("征收部门名称"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = DistrictQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("区县")
        verbose_name_plural = _("区县")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("core:district_detail", args=[self.pk])


class User(AbstractUser):
    """A person who logs in: office staff (by section) or a district user bound to one district."""

    name = models.CharField(_("姓名"), max_length=30, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("填写后该用户为区县征收部门用户，只能看到本区县的数据。"),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name or super().get_full_name() or self.username

    @property
    def is_district_user(self) -> bool:
        return self.district_id is not None

    @property
    def is_office_staff(self) -> bool:
        """Office staff see every district; superusers count as staff of the office."""
        return self.is_active and self.district_id is None

    # Set on the user of each request (core.backends) to the user's group names, a list of str.
    GROUP_NAMES = "group_names"

    @cached_property
    def sections(self) -> list[Section]:
        """The sections (groups) the user belongs to, read once for the user object, which
        lives for one request: from the names read with the user (GROUP_NAMES: how each
        request's user is loaded, core.backends), else from prefetched groups, else in one
        query. A change of groups therefore counts from the next request on."""
        names = self.__dict__.get(self.GROUP_NAMES)
        if names is not None:
            names = set(names)
        elif "groups" in getattr(self, "_prefetched_objects_cache", {}):
            names = {g.name for g in self.groups.all()}
        else:  # the names only: no Group objects built
            names = set(Group.objects.filter(user=self.pk).values_list("name", flat=True))
        return [section for section in Section if section.value in names]

    def in_section(self, section: Section) -> bool:
        return self.is_active and section in self.sections

    @property
    def is_leader(self) -> bool:
        return self.in_section(Section.LEADER)

    @property
    def role_label(self) -> str:
        if self.district_id:
            return str(_("%(district)s征收部门") % {"district": self.district.name})
        labels = [str(section.label) for section in self.sections]
        if labels:
            return "、".join(labels)
        if self.is_superuser:
            return str(_("系统管理员"))
        return str(_("市征收办"))


class HolidayArrangement(models.Model):
    """That the State Council's holiday arrangement for a year (国务院办公厅关于某年部分节假日
    安排的通知) has been entered, by whom and when.

    Its days are CalendarDay rows of that year. Once a year has an arrangement, the deadline
    engine reads that year only from it: its rows are the holidays and make-up working days, and
    every other day counts Monday to Friday as working days (the library and the statutory
    derivation no longer apply). Entered through core.calendar_arrangement.enter_arrangement.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    notice_number = models.CharField(
        _("通知文号"), max_length=60, blank=True, help_text=_("如：国办发明电〔2026〕7号。")
    )
    text = models.TextField(_("录入内容"), help_text=_("粘贴或上传的原文，原样保存。"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self):
        return str(_("%(year)d年节假日安排") % {"year": self.year})


class CalendarDay(models.Model):
    """One day in the staff-kept holiday table (本系统节假日表).

    The deadline engine (core.deadlines) reads this table first. For a year with a
    HolidayArrangement the rows are the State Council's schedule; otherwise a row corrects one
    day of the library's (or the statutory derivation's) schedule.
    """

    day = models.DateField(_("日期"), unique=True)
    arrangement = models.ForeignKey(
        HolidayArrangement,
        verbose_name=_("所属年度安排"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="days",
        help_text=_("由年度安排录入的日期；空白表示单独更正的日期。"),
    )
    is_working_day = models.BooleanField(
        _("工作日"),
        default=False,
        help_text=_("勾选表示当天上班（含调休上班日）；不勾选表示当天放假。"),
    )
    name = models.CharField(
        _("名称"), max_length=30, blank=True, help_text=_("如：春节、国庆节、调休上班。")
    )
    note = models.CharField(
        _("备注"), max_length=200, blank=True, help_text=_("如：依据的国务院办公厅通知文号。")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日表")
        ordering = ["day"]

    def __str__(self):
        kind = _("上班") if self.is_working_day else _("放假")
        return f"{self.day.isoformat()} {self.name or kind}"


class SignOffQuerySet(DistrictScopedQuerySet):
    def waiting_for(self, user):
        """Items whose pending step belongs to one of the user's sections (office staff)."""
        if not (user.is_active and user.is_office_staff):
            return self.none()
        return self.waiting_for_sections(user.sections)

    def waiting_for_sections(self, sections):
        """Items whose pending step belongs to one of `sections`."""
        return self.filter(state=SignOff.State.PENDING, section__in=list(sections))

    def returned_to(self, user):
        """Items sent back to the user's side: their district's, or the ones they submitted."""
        if user.is_district_user:
            return self.returned_to_district(user.district_id)
        return self.returned_to_office(user.pk, user.sections if user.is_office_staff else [])

    def returned_to_district(self, district_id: int):
        """Items sent back to district `district_id`'s office."""
        return self.filter(state=SignOff.State.RETURNED, district_id=district_id)

    def returned_to_office(self, user_pk: int, sections):
        """Items sent back to office member `user_pk`: the ones they submitted, and those
        prepared by a scheduled job (no submitter) for one of their `sections`."""
        return self.filter(state=SignOff.State.RETURNED).filter(
            models.Q(submitted_by_id=user_pk, submitted_by_district__isnull=True)
            | models.Q(
                submitted_by__isnull=True,
                submitted_by_district__isnull=True,
                responsible__in=list(sections),
            )
        )


class SignOff(models.Model):
    """Where one item (a plan version, a notice, an approval document) stands in its sign-off
    chain (core.signoffs.CHAINS): the step waiting, the section it waits for, the last comment.

    Every change is a history row (who, when, which step, which comment), and that history is
    the item's sign-off record; core.signoffs is the only writer.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("审核中")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已通过")
        CLOSED = "closed", _("已关闭")

    district_path = "district"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    chain = models.CharField(_("审核流程"), max_length=30)
    district = models.ForeignKey(
        District,
        verbose_name=_("区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("事项"), max_length=300)
    url = models.CharField(_("链接"), max_length=300)
    step = models.PositiveSmallIntegerField(_("当前步骤"), default=0)
    section = models.CharField(_("待办科室"), max_length=20, choices=Section.choices, blank=True)
    responsible = models.CharField(
        _("责任科室"), max_length=20, choices=Section.choices, blank=True
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The submitter's district at the time (null: office staff); a return goes back there.
    submitted_by_district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=20, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    # Who has passed a step since the last submission (one person signs one step of a round).
    round_signers = models.JSONField(_("本轮签署人"), default=list, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = SignOffQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审核签发")
        verbose_name_plural = _("审核签发")
        ordering = ["updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="signoff_one_per_item"
            ),
            models.CheckConstraint(
                condition=Q(state="pending", section__gt="") | ~Q(state="pending"),
                name="signoff_pending_has_section",
            ),
        ]
        indexes = [models.Index(fields=["state", "section"])]

    def __str__(self):
        return f"{self.title}: {self.get_state_display()}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        """New to the user: neither opened nor overtaken by a decision on its item."""
        return self.filter(read_at__isnull=True, done_at__isnull=True)


class Notification(models.Model):
    """A message to one person: an item was assigned to them, returned to them or approved."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("待办")
        RETURNED = "returned", _("退回")
        APPROVED = "approved", _("通过")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=300)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # The item it is about moved on (a step passed or returned, a notice published, a payment
    # decided): the notification is no longer news, whether or not it was read.
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.text

    @property
    def is_new(self) -> bool:
        return self.read_at is None and self.done_at is None


class DueDate(models.Model):
    """到期事项: one running legal clock, stored when the event that starts or changes it is
    recorded (core.due), so that lists of clocks read rows instead of counting periods.

    Rows are derived data: core.due rewrites a source object's rows whenever that object (or
    one it follows) is saved, and the rows touching a year whenever that year's holidays change
    (`manage.py recompute_due_dates` rewrites them all). A clock that is done has no row.
    """

    district_path = "district"

    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    # A code registered in core.due.KINDS ("petitions.accept"); its label comes from that dict.
    kind = models.CharField(_("期限"), max_length=40)
    title = models.CharField(_("事项"), max_length=300)
    url = models.CharField(_("链接"), max_length=300)
    district = models.ForeignKey(
        District,
        verbose_name=_("区县"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The project's id, not a foreign key: core sits below the projects app.
    project_id = models.PositiveBigIntegerField(_("项目"), null=True, blank=True, db_index=True)
    # The users answerable for the clock (the case's assignee, the project's liaison and leader).
    handler_ids = models.JSONField(_("负责人"), default=list, blank=True)
    started_on = models.DateField(_("起算事件日"))
    due_on = models.DateField(_("到期日"))
    length = models.PositiveIntegerField(_("期间长度"))
    unit = models.CharField(_("计算单位"), max_length=20)
    basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    explanation = models.JSONField(_("计算过程"), default=list)
    calendar_source = models.CharField(_("节假日依据"), max_length=300, blank=True)
    provisional_years = models.JSONField(_("暂按推算的年度"), default=list, blank=True)
    is_provisional = models.BooleanField(_("暂按推算"), default=False)
    # The days on which the clock is listed: from the event (null) or a later day, until done
    # (null, listed as overdue once past due_on) or a last day (a window that simply closes).
    shown_from = models.DateField(_("显示起始日"), null=True, blank=True)
    shown_until = models.DateField(_("显示截止日"), null=True, blank=True)
    # The first day of the holiday calendar the computation depended on: a change to a year's
    # holidays recomputes the rows whose [counted_from, due_on] touches that year.
    counted_from = models.DateField(_("计算所依据的首日"))
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("到期事项")
        verbose_name_plural = _("到期事项")
        ordering = ["due_on", "kind", "title", "pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["due_on", "kind", "title", "id"]),
            models.Index(fields=["district", "due_on"]),
            models.Index(fields=["counted_from", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(shown_from__isnull=True)
                | Q(shown_until__isnull=True)
                | Q(shown_from__lte=F("shown_until")),
                name="due_date_shown_window_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.due_on.isoformat()} {self.title}"


class DueRecompute(models.Model):
    """重新计算到期日: one recomputation of the stored due dates after the holiday table changed
    (core.due.schedule_recompute), run by a Celery job so that the change is saved at once and
    the pages keep showing the rows computed before it until the job has rewritten them.

    Pending while `finished_at` and `failed_at` are both empty; a failed run keeps its cause."""

    # The years whose holidays changed: the rows whose counting touches them are recomputed.
    years = models.JSONField(_("年度"), default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    written = models.PositiveIntegerField(_("重新计算的期限数"), null=True, blank=True)
    failed_at = models.DateTimeField(_("失败时间"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)

    class Meta:
        verbose_name = _("重新计算到期日")
        verbose_name_plural = _("重新计算到期日")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return "、".join(str(year) for year in self.years)

    @property
    def is_pending(self) -> bool:
        return self.finished_at is None and self.failed_at is None
