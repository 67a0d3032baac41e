"""Petition work (信访): cases with their statutory clocks, visits, duty rosters.

A petition case (`Petition`) moves through the states of the 2022 信访工作条例: registered, then
accepted, not accepted, transferred to the body with authority or diverted to a legal route
(依法分流); an accepted case is replied to (信访处理意见书), may be reviewed (复查) and then
re-checked (复核), after which the same request is not taken again. Every step is a
`PetitionStep` row (who, when, the document); the dates that drive the clocks are also kept on
the case so the clocks can be computed without reading the steps.

Personal data of petitioners lives in `Petitioner` and `Visit`; `__str__` of a case never shows
it, because case titles appear on shared pages (the deadlines page, the home page).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import PersonNameField, PhoneField, ResidentIdField
from core.models import District
from core.scoping import DistrictScopedQuerySet
from core.validators import validate_phone, validate_resident_id
from projects.models import Household, Project

# A visit of five people or more is counted as collective (集体访): the 信访工作条例 asks
# more than five people to choose representatives, at most five of them.
COLLECTIVE_MIN_PEOPLE = 5


class Channel(models.TextChoices):
    VISIT = "visit", _("来访")
    LETTER = "letter", _("来信")
    ONLINE = "online", _("网上信访")
    PHONE = "phone", _("电话")
    REFERRED = "referred", _("上级交办")


class Category(models.TextChoices):
    STANDARD = "standard", _("补偿标准")
    RESETTLEMENT = "resettlement", _("安置")
    PROCEDURE = "procedure", _("程序")
    DEMOLITION = "demolition", _("强拆")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    REGISTERED = "registered", _("待受理")
    ACCEPTED = "accepted", _("已受理，办理中")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    TRANSFERRED = "transferred", _("已转送")
    DIVERTED = "diverted", _("已依法分流")
    REPLIED = "replied", _("已答复")
    REVIEW_REQUESTED = "review_requested", _("复查中")
    REVIEWED = "reviewed", _("已复查")
    RECHECK_REQUESTED = "recheck_requested", _("复核中")
    RECHECKED = "rechecked", _("已复核（终结）")
    CLOSED = "closed", _("已结案")


# States in which the office still has something to do (or a superior body has, on review).
OPEN_STATUSES = (
    Status.REGISTERED,
    Status.ACCEPTED,
    Status.REPLIED,
    Status.REVIEW_REQUESTED,
    Status.REVIEWED,
    Status.RECHECK_REQUESTED,
    Status.TRANSFERRED,
)


class Route(models.TextChoices):
    """The legal routes a complaint is diverted to (依法分流)."""

    RECONSIDERATION = "reconsideration", _("行政复议")
    LITIGATION = "litigation", _("行政诉讼")
    ARBITRATION = "arbitration", _("仲裁")
    OTHER = "other", _("其他法定途径")


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", _("维持原处理意见")
    CHANGED = "changed", _("变更原处理意见")
    REVOKED = "revoked", _("撤销原处理意见，责令重新办理")


class PetitionCounter(models.Model):
    """The last reference number given for a year (rows are locked while numbering)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    last = models.PositiveIntegerField(_("已用编号"), default=0)

    class Meta:
        verbose_name = _("信访件编号")
        verbose_name_plural = _("信访件编号")

    def __str__(self):
        return f"{self.year}: {self.last}"


class PetitionQuerySet(DistrictScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_clock(self):
        """Open cases whose statutory clock runs: legacy cases are tracked until resolved
        instead, since their periods ran out long before they were registered here."""
        return self.filter(
            status__in=[
                Status.REGISTERED,
                Status.ACCEPTED,
                Status.REVIEW_REQUESTED,
                Status.RECHECK_REQUESTED,
            ],
            is_legacy=False,
        )

    def received_in(self, year: int):
        return self.filter(received_on__year=year)

    def legacy(self):
        return self.filter(is_legacy=True)


class Petition(models.Model):
    """信访件: one petition case."""

    district_path = "district"

    reference = models.CharField(_("信访件编号"), max_length=20, unique=True, editable=False)
    # The look-up code is given to the petitioner once; only its keyed hash is kept.
    lookup_digest = models.CharField(_("查询码摘要"), max_length=64, editable=False)
    # Codes issued before November 2026 were 6 digits: still accepted (the petitioner holds
    # one) under the per-case lockout, flagged so that staff issue a long one.
    has_short_code = models.BooleanField(_("旧式6位查询码"), default=False, editable=False)
    received_on = models.DateField(_("收到日期"))
    channel = models.CharField(_("信访形式"), max_length=20, choices=Channel.choices)
    referred_by = models.CharField(
        _("交办机关"),
        max_length=100,
        blank=True,
        help_text=_("上级交办时填写，如：省巡视组、市信访局。"),
    )
    referral_number = models.CharField(_("交办文号"), max_length=100, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="petitions"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("涉及项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("涉及被征收户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    category = models.CharField(_("信访类别"), max_length=20, choices=Category.choices)
    request = models.TextField(_("信访事项"), help_text=_("信访人反映的问题和诉求。"))
    people_count = models.PositiveSmallIntegerField(
        _("信访人数"), default=1, validators=[MinValueValidator(1)]
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("重复信访的原信访件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
        help_text=_("以同一事实和理由再次提出的，关联原信访件。"),
    )
    status = models.CharField(
        _("办理状态"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_petitions",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    # The dates of the steps, set by the services (the steps keep who and the document).
    decided_on = models.DateField(_("受理决定日期"), null=True, blank=True, editable=False)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True, editable=False)
    transferred_to = models.CharField(_("转送机关"), max_length=100, blank=True, editable=False)
    diverted_to = models.CharField(
        _("分流途径"), max_length=20, choices=Route.choices, blank=True, editable=False
    )
    extension_days = models.PositiveSmallIntegerField(_("延长天数"), default=0, editable=False)
    extension_reason = models.CharField(_("延期理由"), max_length=500, blank=True, editable=False)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True, editable=False)
    # The day the petitioner received the reply (送达日期): the 复查 window runs from it
    # (信访工作条例 第三十五条). Unknown until recorded; the clock then assumes replied_on.
    reply_served_on = models.DateField(
        _("答复意见书送达日期"), null=True, blank=True, editable=False
    )
    reply_number = models.CharField(_("意见书文号"), max_length=100, blank=True, editable=False)
    reply_findings = models.TextField(_("调查核实情况"), blank=True, editable=False)
    reply_opinion = models.TextField(_("处理意见"), blank=True, editable=False)
    review_body = models.CharField(_("复查机关"), max_length=100, blank=True, editable=False)
    review_requested_on = models.DateField(_("请求复查日期"), null=True, blank=True, editable=False)
    reviewed_on = models.DateField(_("复查意见日期"), null=True, blank=True, editable=False)
    review_served_on = models.DateField(
        _("复查意见书送达日期"), null=True, blank=True, editable=False
    )
    review_outcome = models.CharField(
        _("复查结论"), max_length=20, choices=ReviewOutcome.choices, blank=True, editable=False
    )
    recheck_body = models.CharField(_("复核机关"), max_length=100, blank=True, editable=False)
    recheck_requested_on = models.DateField(
        _("请求复核日期"), null=True, blank=True, editable=False
    )
    rechecked_on = models.DateField(_("复核意见日期"), null=True, blank=True, editable=False)
    recheck_outcome = models.CharField(
        _("复核结论"), max_length=20, choices=ReviewOutcome.choices, blank=True, editable=False
    )
    reported_on = models.DateField(_("报送交办机关日期"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True, editable=False)
    # Steps taken after their statutory deadline are allowed and recorded as late, by how many
    # days past the deadline as computed on the day of the step (0: on time or not yet taken).
    accept_late_days = models.PositiveSmallIntegerField(
        _("受理决定逾期天数"), default=0, editable=False
    )
    reply_late_days = models.PositiveSmallIntegerField(_("答复逾期天数"), default=0, editable=False)
    review_late_days = models.PositiveSmallIntegerField(
        _("复查意见逾期天数"), default=0, editable=False
    )
    recheck_late_days = models.PositiveSmallIntegerField(
        _("复核意见逾期天数"), default=0, editable=False
    )

    is_legacy = models.BooleanField(_("遗留积案"), default=False, editable=False)
    legacy_resolved_on = models.DateField(_("积案化解日期"), null=True, blank=True, editable=False)
    legacy_resolution = models.TextField(_("化解情况"), blank=True, editable=False)

    objects = PetitionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信访件")
        verbose_name_plural = _("信访件")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["district", "status"]),
            models.Index(fields=["received_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(people_count__gte=1), name="petition_people"),
            models.CheckConstraint(
                condition=~Q(channel="referred") | ~Q(referred_by=""),
                name="petition_referred_names_body",
                violation_error_message=_("上级交办的信访件须填写交办机关。"),
            ),
            models.CheckConstraint(
                condition=Q(household__isnull=True) | Q(project__isnull=False),
                name="petition_household_needs_project",
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("received_on")),
                name="petition_accepted_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(replied_on__isnull=True)
                | Q(accepted_on__isnull=False, replied_on__gte=F("accepted_on")),
                name="petition_reply_after_acceptance",
            ),
            models.CheckConstraint(
                condition=Q(extension_days=0)
                | (Q(accepted_on__isnull=False) & ~Q(extension_reason="")),
                name="petition_extension_accepted_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(review_requested_on__isnull=True)
                | Q(replied_on__isnull=False, review_requested_on__gte=F("replied_on")),
                name="petition_review_after_reply",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_on__isnull=True)
                | Q(review_requested_on__isnull=False, reviewed_on__gte=F("review_requested_on")),
                name="petition_reviewed_after_request",
            ),
            models.CheckConstraint(
                condition=Q(recheck_requested_on__isnull=True)
                | Q(reviewed_on__isnull=False, recheck_requested_on__gte=F("reviewed_on")),
                name="petition_recheck_after_review",
            ),
            models.CheckConstraint(
                condition=Q(rechecked_on__isnull=True)
                | Q(
                    recheck_requested_on__isnull=False,
                    rechecked_on__gte=F("recheck_requested_on"),
                ),
                name="petition_rechecked_after_request",
            ),
            models.CheckConstraint(
                condition=Q(reply_served_on__isnull=True)
                | Q(replied_on__isnull=False, reply_served_on__gte=F("replied_on")),
                name="petition_reply_served_after_reply",
            ),
            models.CheckConstraint(
                condition=Q(review_served_on__isnull=True)
                | Q(reviewed_on__isnull=False, review_served_on__gte=F("reviewed_on")),
                name="petition_review_served_after_review",
            ),
            models.CheckConstraint(
                condition=Q(legacy_resolved_on__isnull=True) | Q(is_legacy=True),
                name="petition_resolved_only_if_legacy",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_on__isnull=False),
                name="petition_accepted_status_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="replied") | Q(replied_on__isnull=False),
                name="petition_replied_status_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="petition_closed_status_has_date",
            ),
        ]

    def __str__(self):
        # Never the petitioners' names: this string appears on shared pages.
        return _("信访件 %(reference)s") % {"reference": self.reference}

    def get_absolute_url(self):
        return reverse("petitions:petition_detail", args=[self.pk])

    @property
    def is_collective(self) -> bool:
        return self.people_count >= COLLECTIVE_MIN_PEOPLE

    @property
    def is_final(self) -> bool:
        """After the second review (复核) the same request is not taken again."""
        return self.rechecked_on is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_extended(self) -> bool:
        return self.extension_days > 0

    @property
    def is_legacy_resolved(self) -> bool:
        return self.legacy_resolved_on is not None


class Petitioner(models.Model):
    """A person who brought the case (several for a joint or collective petition)."""

    district_path = "petition__district"

    petition = models.ForeignKey(
        Petition, verbose_name=_("信访件"), on_delete=models.CASCADE, related_name="petitioners"
    )
    name = PersonNameField(_("姓名"), max_length=50)
    id_number = ResidentIdField(
        _("身份证号码"), max_length=18, blank=True, validators=[validate_resident_id]
    )
    phone = PhoneField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    address = models.CharField(_("住址"), max_length=200, blank=True)
    is_representative = models.BooleanField(_("代表人"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信访人")
        verbose_name_plural = _("信访人")
        ordering = ["petition", "-is_representative", "pk"]

    def __str__(self):
        return self.name


class PetitionDocument(models.Model):
    """A document of the case: the letter received, the reply, review opinions, reports."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("来信及附件")
        REFERRAL = "referral", _("交办函")
        DECISION = "decision", _("受理（不予受理）告知书")
        TRANSFER = "transfer", _("转送函")
        EXTENSION = "extension", _("延期告知书")
        INVESTIGATION = "investigation", _("调查材料")
        REPLY = "reply", _("信访处理意见书")
        REVIEW = "review", _("复查意见书")
        RECHECK = "recheck", _("复核意见书")
        REPORT = "report", _("办理情况报告")
        RESOLUTION = "resolution", _("化解协议")
        OTHER = "other", _("其他")

    district_path = "petition__district"

    petition = models.ForeignKey(
        Petition, verbose_name=_("信访件"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    number = models.CharField(_("文号"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to="petitions/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信访材料")
        verbose_name_plural = _("信访材料")
        ordering = ["petition", "uploaded_at", "pk"]

    def __str__(self):
        return self.title


class PetitionStep(models.Model):
    """One step of a case: what was done, on which date, by whom, with which document."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("登记")
        ACCEPTED = "accepted", _("受理")
        NOT_ACCEPTED = "not_accepted", _("不予受理")
        TRANSFERRED = "transferred", _("转送")
        DIVERTED = "diverted", _("依法分流")
        ASSIGNED = "assigned", _("指定承办人")
        EXTENDED = "extended", _("延长办理期限")
        REPLIED = "replied", _("答复")
        SERVED = "served", _("登记送达")
        REVIEW_REQUESTED = "review_requested", _("请求复查")
        REVIEWED = "reviewed", _("复查意见")
        RECHECK_REQUESTED = "recheck_requested", _("请求复核")
        RECHECKED = "rechecked", _("复核意见")
        REPORTED = "reported", _("报送交办机关")
        CLOSED = "closed", _("结案")
        LEGACY_FLAGGED = "legacy_flagged", _("列为遗留积案")
        LEGACY_RESOLVED = "legacy_resolved", _("积案化解")
        CODE_RESET = "code_reset", _("重设查询码")

    district_path = "petition__district"

    petition = models.ForeignKey(
        Petition, verbose_name=_("信访件"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("环节"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("日期"))
    note = models.TextField(_("说明"), blank=True)
    document = models.ForeignKey(
        PetitionDocument,
        verbose_name=_("文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="steps",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["petition", "at", "pk"]

    def __str__(self):
        return f"{self.petition}: {self.get_kind_display()}"


class VisitQuerySet(DistrictScopedQuerySet):
    def in_year(self, year: int):
        return self.filter(visited_on__year=year)


class Visit(models.Model):
    """来访接待记录: one visit received at the office."""

    district_path = "district"

    visited_on = models.DateField(_("来访日期"))
    district = models.ForeignKey(
        District, verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="visits"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("涉及项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    people_count = models.PositiveSmallIntegerField(
        _("来访人数"), default=1, validators=[MinValueValidator(1)]
    )
    visitor_name = PersonNameField(
        _("来访人（代表）姓名"), max_length=50, help_text=_("集体来访时填写代表人。")
    )
    visitor_id_number = ResidentIdField(
        _("身份证号码"), max_length=18, blank=True, validators=[validate_resident_id]
    )
    visitor_phone = PhoneField(
        _("联系电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    summary = models.TextField(_("反映问题摘要"))
    handling = models.TextField(_("接待处理情况"), blank=True)
    receptionist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接待人"),
        on_delete=models.PROTECT,
        related_name="received_visits",
    )
    petition = models.ForeignKey(
        Petition,
        verbose_name=_("关联信访件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("来访接待记录")
        verbose_name_plural = _("来访接待记录")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["visited_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(people_count__gte=1), name="visit_people"),
        ]

    def __str__(self):
        return _("%(day)s 来访接待") % {"day": self.visited_on.isoformat()}

    def get_absolute_url(self):
        return reverse("petitions:visit_detail", args=[self.pk])

    @property
    def is_collective(self) -> bool:
        return self.people_count >= COLLECTIVE_MIN_PEOPLE


class DutyRoster(models.Model):
    """值班表: a period of duty, ordinary or special (e.g. 24-hour leadership duty)."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("日常值班")
        SPECIAL = "special", _("专项值班")

    title = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    is_round_the_clock = models.BooleanField(_("24小时值班"), default=False)
    note = models.TextField(_("值班要求"), blank=True)
    phone = models.CharField(_("值班电话"), max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编排人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("编排时间"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("值班表")
        verbose_name_plural = _("值班表")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="roster_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("petitions:roster_detail", args=[self.pk])


class DutyShift(models.Model):
    """One person on duty in one role from one moment to another."""

    class Role(models.TextChoices):
        LEADER = "leader", _("带班领导")
        STAFF = "staff", _("值班人员")

    roster = models.ForeignKey(
        DutyRoster, verbose_name=_("值班表"), on_delete=models.CASCADE, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    role = models.CharField(_("职责"), max_length=20, choices=Role.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("值班人"),
        on_delete=models.PROTECT,
        related_name="duty_shifts",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["roster", "starts_at", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("结束时间须晚于开始时间。"),
            ),
            models.UniqueConstraint(
                fields=["roster", "person", "starts_at"],
                name="shift_person_once_per_start",
                violation_error_message=_("该人员在此时间已有值班安排。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.person}"
