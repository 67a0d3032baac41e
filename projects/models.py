from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import District
from core.scoping import DistrictScopedQuerySet
from core.validators import validate_phone, validate_resident_id


class Stage(models.TextChoices):
    """The legal stages of a project, in order (DESIGN.md, "The legal workflow")."""

    INITIATION = "initiation", _("立项启动")
    SURVEY = "survey", _("调查登记")
    PLAN = "plan", _("补偿方案")
    DECISION = "decision", _("征收决定")
    APPRAISAL = "appraisal", _("评估")
    SIGNING = "signing", _("签约")
    ENFORCEMENT = "enforcement", _("补偿决定")
    ARCHIVED = "archived", _("完成归档")

    @classmethod
    def ordered(cls) -> list["Stage"]:
        return list(cls)

    @property
    def position(self) -> int:
        return Stage.ordered().index(self)

    @property
    def next(self) -> "Stage | None":
        stages = Stage.ordered()
        return stages[self.position + 1] if self.position + 1 < len(stages) else None


class ProjectQuerySet(DistrictScopedQuerySet):
    def started_by(self, day: date):
        return self.filter(started_on__isnull=False, started_on__lte=day)

    def new_in(self, year: int):
        """Projects whose 启动公告 is dated in `year`."""
        return self.filter(started_on__year=year)

    def in_progress_in(self, year: int):
        """Started on or before the end of `year` and not completed before its start."""
        return self.started_by(date(year, 12, 31)).filter(
            Q(completed_on__isnull=True) | Q(completed_on__gte=date(year, 1, 1))
        )


class Project(models.Model):
    class Kind(models.TextChoices):
        SHANTYTOWN = "shantytown", _("棚户区改造")
        ROAD = "road", _("道路")
        PUBLIC = "public", _("公益性项目")
        OTHER = "other", _("其他")

    district_path = "district"

    code = models.SlugField(
        _("项目编号"),
        max_length=40,
        unique=True,
        help_text=_("字母、数字和连字符，例如 2022-BT-C12；导入被征收户时使用。"),
    )
    name = models.CharField(_("项目名称"), max_length=100)
    district = models.ForeignKey(
        District, verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="projects"
    )
    kind = models.CharField(_("项目类型"), max_length=20, choices=Kind.choices)
    is_key = models.BooleanField(_("市重点项目"), default=False)
    location = models.CharField(_("征收范围"), max_length=200, blank=True)
    description = models.TextField(_("项目概况"), blank=True)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("项目联系人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_projects",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
    )
    stage = models.CharField(
        _("当前阶段"), max_length=20, choices=Stage.choices, default=Stage.INITIATION
    )
    # Set by the services: the date of the published 启动公告, and the archiving date.
    started_on = models.DateField(_("启动日期"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("征收项目")
        verbose_name_plural = _("征收项目")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=False, completed_on__gte=models.F("started_on")),
                name="project_completed_after_start",
            ),
        ]
        indexes = [models.Index(fields=["district", "stage"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)


class Approval(models.Model):
    """An approval the project needs on file (立项批复, 规划, 国土), verified by the city office."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("立项批复")
        PLANNING = "planning", _("规划许可")
        LAND = "land", _("国土审批")

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="approvals"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("文号"), max_length=100)
    issued_on = models.DateField(_("批准日期"))
    file = models.FileField(_("扫描件"), upload_to="approvals/%Y/", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审批手续")
        verbose_name_plural = _("审批手续")
        ordering = ["project", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="approval_one_per_kind"),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True, verified_at__isnull=True)
                | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="approval_verified_by_and_at_together",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class StageChange(models.Model):
    """One step of a project's timeline: who moved it from which stage to which, and when."""

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.project}: {self.get_to_stage_display()}"


class HouseholdQuerySet(DistrictScopedQuerySet):
    def signed_by(self, day: date):
        return self.filter(signed_on__isnull=False, signed_on__lte=day)


class Household(models.Model):
    """被征收户: one expropriated household (or unit) within a project."""

    class Use(models.TextChoices):
        RESIDENTIAL = "residential", _("住宅")
        NON_RESIDENTIAL = "non_residential", _("非住宅")

    class Hardship(models.TextChoices):
        NONE = "", _("无")
        DIBAO = "dibao", _("低保")
        TEKUN = "tekun", _("特困")
        DISABLED = "disabled", _("残疾")
        POVERTY = "poverty", _("建档立卡贫困户")

    class Ruling(models.TextChoices):
        REGISTERED = "", _("已登记")
        LEGAL = "legal", _("合法建筑")
        ILLEGAL = "illegal", _("违法建筑")
        TEMPORARY = "temporary", _("临时建筑")

    class Method(models.TextChoices):
        NONE = "", _("未签约")
        MONETARY = "monetary", _("货币补偿")
        SWAP = "swap", _("产权调换")

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="households"
    )
    code = models.CharField(_("户号"), max_length=30)
    head_name = models.CharField(_("户主姓名"), max_length=50)
    id_number = models.CharField(_("身份证号码"), max_length=18, validators=[validate_resident_id])
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    address = models.CharField(_("房屋坐落"), max_length=200)
    use = models.CharField(_("房屋用途"), max_length=20, choices=Use.choices)
    area = models.DecimalField(
        _("建筑面积（平方米）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    hardship = models.CharField(
        _("困难类型"), max_length=20, choices=Hardship.choices, blank=True, default=""
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    ruling = models.CharField(
        _("未登记建筑认定"),
        max_length=20,
        choices=Ruling.choices,
        blank=True,
        default="",
        help_text=_("《国有土地上房屋征收与补偿条例》第二十四条"),
    )
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    method = models.CharField(
        _("补偿方式"), max_length=20, choices=Method.choices, blank=True, default=""
    )
    moved_out_on = models.DateField(_("搬迁日期"), null=True, blank=True)
    demolished_on = models.DateField(_("拆除日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    objects = HouseholdQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("被征收户")
        verbose_name_plural = _("被征收户")
        ordering = ["project", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"],
                name="household_code_per_project",
                violation_error_message=_("本项目中已有相同户号的被征收户。"),
            ),
            models.CheckConstraint(condition=Q(area__gt=0), name="household_area_positive"),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True, method="")
                | (Q(signed_on__isnull=False) & ~Q(method="")),
                name="household_signed_with_method",
            ),
        ]
        indexes = [models.Index(fields=["project", "signed_on"])]

    def __str__(self):
        return f"{self.code} {self.head_name}"

    def get_absolute_url(self):
        return reverse("projects:household_detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.signed_on is not None


class FamilyMember(models.Model):
    district_path = "household__project__district"

    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与户主关系"), max_length=20)
    id_number = models.CharField(
        _("身份证号码"), max_length=18, blank=True, validators=[validate_resident_id]
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "pk"]

    def __str__(self):
        return self.name


class HouseholdDocument(models.Model):
    """一户一档: a scanned document in a household's archive."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("权属证明")
        SURVEY = "survey", _("调查登记表")
        AGREEMENT = "agreement", _("补偿协议")
        VALUATION = "valuation", _("评估报告")
        OTHER = "other", _("其他")

    district_path = "household__project__district"

    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to="households/%Y/%m/")
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
        verbose_name = _("档案文件")
        verbose_name_plural = _("档案文件")
        ordering = ["household", "-uploaded_at"]

    def __str__(self):
        return self.title


class NoticeQuerySet(DistrictScopedQuerySet):
    def published(self):
        return self.filter(published_on__isnull=False)


class Notice(models.Model):
    """公告/公示 of a project; published ones are what the public page shows."""

    class Kind(models.TextChoices):
        START = "start", _("启动公告")
        FIRST_LIST = "first_list", _("一榜公示")
        PLAN_COMMENT = "plan_comment", _("补偿方案征求意见公告")
        DECISION = "decision", _("征收决定公告")
        SECOND_LIST = "second_list", _("二榜公示")
        COMPENSATION_DECISION = "compensation_decision", _("补偿决定公告")
        HARDSHIP = "hardship", _("困难补助公示")
        OTHER = "other", _("其他公告")

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    attachment = models.FileField(_("附件"), upload_to="notices/%Y/", blank=True)
    period_days = models.PositiveSmallIntegerField(
        _("公示期（日）"), default=0, help_text=_("0 表示不设公示期。")
    )
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起草人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("起草时间"), default=timezone.now)

    objects = NoticeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公告公示")
        verbose_name_plural = _("公告公示")
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["project", "kind", "published_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:notice_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_on is not None

    @property
    def ends_on(self) -> date | None:
        """Last day of the posting period: the publication day does not count."""
        if not self.published_on or not self.period_days:
            return None
        return self.published_on + timedelta(days=self.period_days)

    def has_ended(self, today: date) -> bool:
        return self.ends_on is not None and today > self.ends_on


class CompensationPlan(models.Model):
    """补偿方案: one version of a district's compensation plan for a project."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已批准")
        SUPERSEDED = "superseded", _("已被新版本替代")

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="plans"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    valuation_basis = models.TextField(
        _("评估价值依据"), help_text=_("被征收房屋价值的评估依据与时点。")
    )
    relocation_allowance = models.DecimalField(
        _("搬迁费（元/次）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    temporary_rate = models.DecimalField(
        _("临时安置费（元/平方米/月）"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    temporary_months = models.PositiveSmallIntegerField(_("临时安置期（月）"))
    early_signing_bonus = models.DecimalField(
        _("提前签约奖励（元/户）"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    early_signing_deadline = models.DateField(_("提前签约奖励截止日期"), null=True, blank=True)
    subsidy_dibao = models.DecimalField(
        _("困难补助：低保（元/户）"), max_digits=10, decimal_places=2, default=0
    )
    subsidy_tekun = models.DecimalField(
        _("困难补助：特困（元/户）"), max_digits=10, decimal_places=2, default=0
    )
    subsidy_disabled = models.DecimalField(
        _("困难补助：残疾（元/户）"), max_digits=10, decimal_places=2, default=0
    )
    subsidy_poverty = models.DecimalField(
        _("困难补助：建档立卡贫困户（元/户）"), max_digits=10, decimal_places=2, default=0
    )
    swap_rules = models.TextField(_("产权调换规则"), blank=True)
    document = models.FileField(_("方案文本"), upload_to="plans/%Y/")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补偿方案")
        verbose_name_plural = _("补偿方案")
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status="approved"),
                name="plan_one_approved_per_project",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status="submitted"),
                name="plan_one_pending_per_project",
            ),
        ]

    def __str__(self):
        return _("%(project)s 补偿方案 第%(version)s版") % {
            "project": self.project,
            "version": self.version,
        }

    def get_absolute_url(self):
        return reverse("projects:plan_detail", args=[self.pk])

    def subsidy_for(self, hardship: str) -> Decimal:
        return {
            Household.Hardship.DIBAO: self.subsidy_dibao,
            Household.Hardship.TEKUN: self.subsidy_tekun,
            Household.Hardship.DISABLED: self.subsidy_disabled,
            Household.Hardship.POVERTY: self.subsidy_poverty,
        }.get(hardship, Decimal("0"))


class PlanReview(models.Model):
    """One entry of a plan's review thread: submission, return with comments, reply, approval."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        RETURN = "return", _("退回修改")
        REPLY = "reply", _("答复")
        APPROVE = "approve", _("批准")

    district_path = "plan__project__district"

    plan = models.ForeignKey(
        CompensationPlan,
        verbose_name=_("补偿方案"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices)
    comment = models.TextField(_("意见"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("方案审核记录")
        verbose_name_plural = _("方案审核记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.plan}: {self.get_action_display()}"


class HouseholdImport(models.Model):
    """An uploaded household survey file: checked first, saved whole or not at all."""

    class Status(models.TextChoices):
        FAILED = "failed", _("有错误，未导入")
        VALIDATED = "validated", _("校验通过，待确认")
        IMPORTED = "imported", _("已导入")

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="imports"
    )
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    # [{"row": 5, "column": "身份证号码", "message": "..."}], in the order found.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("被征收户导入")
        verbose_name_plural = _("被征收户导入")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("projects:import_detail", args=[self.pk])
