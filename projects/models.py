from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.compact_json import CompactJSONEncoder
from core.fields import IdentifierField, PersonNameField, PhoneField, ResidentIdField
from core.labels import label
from core.models import District
from core.scoping import DistrictScopedQuerySet
from core.validators import validate_phone, validate_resident_id
from projects import tally


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
    def by_code(self, code: str) -> "Project":
        """The project whose code is `code` typed in any case (2022-jk-01 is 2022-JK-01): the
        one spelled exactly so when there is one, else the only one spelled in another case
        (codes are unique as typed, not in every case). Project.DoesNotExist when there is
        none; Project.MultipleObjectsReturned when several differ from `code` only in case
        and none is spelled exactly so."""
        matches = list(self.filter(code__iexact=code).order_by("pk")[:10])
        exact = [project for project in matches if project.code == code]
        if exact:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise self.model.DoesNotExist(f"no project's code is {code!r} in any case")
        raise self.model.MultipleObjectsReturned(f"several codes are {code!r} in other cases")

    def started_by(self, day: date):
        return self.filter(started_on__isnull=False, started_on__lte=day)

    def new_in(self, year: int):
        """Projects whose 启动公告 is dated in `year`."""
        return self.filter(started_on__year=year)

    def in_progress_in(self, year: int):
        """Started on or before the end of `year` and not completed before its start."""
        return self.in_progress_between(date(year, 1, 1), date(year, 12, 31))

    def in_progress_between(self, first_day: date, last_day: date):
        """Started on or before `last_day` and not completed before `first_day` (both
        inclusive; `in_progress_in` with the year's first and last day)."""
        return self.started_by(last_day).filter(
            Q(completed_on__isnull=True) | Q(completed_on__gte=first_day)
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
        # Projects not started yet (no date) first on every database, as PostgreSQL sorts NULL
        # in a descending order; SQLite (`make run`) would put them last.
        ordering = [F("started_on").desc(nulls_first=True), "-pk"]
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

    # Labels for tables (core.labels): get_…_display() costs a dictionary per row.
    @property
    def stage_label(self) -> str:
        return label(Stage, self.stage)

    @property
    def kind_label(self) -> str:
        return label(self.Kind, self.kind)


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


def unsettled_condition() -> Q:
    """The condition on Household of a compensation not yet settled: not signed, not moved out,
    and not under a compensation decision the court enforced.

    Compensation comes before the move (条例 第二十七条), and only a signed or decided household
    may be recorded as moved out (projects.gates' `household.move_out`), so a decided household
    that moved out has had its decision carried out; one that did not is settled only once the
    court enforced the decision (条例 第二十八条). A decision still within its reconsideration or
    litigation window settles nothing: it may yet be revoked. The one rule the archive stage and
    the final accounts' approval both apply."""
    enforced = CompensationDecision.objects.filter(
        closure=CompensationDecision.Closure.ENFORCED
    ).values("household_id")
    return Q(signed_on__isnull=True, moved_out_on__isnull=True) & ~Q(pk__in=enforced)


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
    code = IdentifierField(_("户号"), max_length=30)
    head_name = PersonNameField(_("户主姓名"), max_length=50)
    id_number = ResidentIdField(_("身份证号码"), max_length=18, validators=[validate_resident_id])
    phone = PhoneField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
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
    is_public_housing = models.BooleanField(
        _("公有房屋"), default=False, help_text=_("公房由产权单位与承租人按方案比例分配补偿。")
    )
    owner_unit = models.CharField(_("产权单位"), max_length=100, blank=True)
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
    # The day the household was registered in the survey, which may be before the day its row
    # was entered (created_at): the year's figures count a household from this day on.
    registered_on = models.DateField(
        _("登记日期"),
        default=timezone.localdate,
        help_text=_("调查登记的日期；补录以前登记的户时，填写实际登记的日期。"),
    )
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
        indexes = [
            models.Index(fields=["project", "signed_on"]),
            # The public look-up finds a 户号 typed in either case (public.lookup).
            models.Index(F("project"), Upper("code"), name="household_code_any_case"),
        ]
        # PostgreSQL keeps HouseholdTally equal to the households (projects.tally).
        triggers = tally.TRIGGERS

    def __str__(self):
        return f"{self.code} {self.head_name}"

    def get_absolute_url(self):
        return reverse("projects:household_detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.signed_on is not None

    # Labels for tables (core.labels): get_…_display() costs a dictionary per row.
    @property
    def use_label(self) -> str:
        return label(self.Use, self.use)

    @property
    def hardship_label(self) -> str:
        return label(self.Hardship, self.hardship)

    @property
    def method_label(self) -> str:
        return label(self.Method, self.method)


class HouseholdTally(models.Model):
    """How many households a project has, and their area (m²), per year registered and year
    signed: what the year's figures add up (projects.figures), a few rows per project instead
    of every household.

    PostgreSQL keeps it: statement triggers on the households table (projects.tally, declared
    on Household) add each inserted, updated or deleted household to its group in the same
    transaction, whatever wrote it (services, imports, bulk_create, update(), the admin, a
    shell), so it is never stale. SQLite has no such triggers: there the figures count the
    households themselves.
    """

    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        # The triggers delete a group when its last household goes; no foreign key, so that
        # deleting a project with its households never trips over its groups.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="tallies",
    )
    registered_year = models.PositiveSmallIntegerField(_("登记年度"))
    signed_year = models.PositiveSmallIntegerField(_("签约年度"), help_text=_("0：未签约"))
    households = models.IntegerField(_("户数"))
    area = models.DecimalField(_("面积（平方米）"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("被征收户汇总")
        verbose_name_plural = _("被征收户汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "registered_year", "signed_year"], name="household_tally_group"
            )
        ]

    def __str__(self):
        return f"{self.project_id} {self.registered_year}/{self.signed_year}: {self.households}"


class FamilyMember(models.Model):
    district_path = "household__project__district"

    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.CASCADE, related_name="members"
    )
    name = PersonNameField(_("姓名"), max_length=50)
    relation = models.CharField(_("与户主关系"), max_length=20)
    id_number = ResidentIdField(
        _("身份证号码"), max_length=18, blank=True, validators=[validate_resident_id]
    )
    phone = PhoneField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])

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
        RANGE = "range", _("征收范围公告")
        FIRST_LIST = "first_list", _("一榜公示")
        PLAN_COMMENT = "plan_comment", _("补偿方案征求意见公告")
        DECISION = "decision", _("征收决定公告")
        SECOND_LIST = "second_list", _("二榜公示")
        COMPENSATION_DECISION = "compensation_decision", _("补偿决定公告")
        HARDSHIP = "hardship", _("困难补助公示")
        SELECTION_ORDER = "selection_order", _("选房顺序公告")
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
    # Computed by the deadline engine when the notice is published (services.publish_notice),
    # and kept: the legal end of a posting period is fixed on the day it starts.
    ends_on = models.DateField(_("公示期届满日"), null=True, blank=True, editable=False)
    period_explanation = models.TextField(_("期限计算说明"), blank=True, editable=False)
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
        # Drafts (no date) first on every database, as PostgreSQL sorts NULL in a descending
        # order; SQLite (`make run`) would put them last.
        ordering = [F("published_on").desc(nulls_first=True), "-pk"]
        indexes = [models.Index(fields=["project", "kind", "published_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:notice_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_on is not None

    def is_open_on(self, day: date) -> bool:
        """Whether `day` falls inside the posting period (objections are taken then): from the
        posting day itself, when the list is already on the wall, to the period's last day."""
        return self.ends_on is not None and self.published_on <= day <= self.ends_on

    def has_ended(self, today: date) -> bool:
        return self.ends_on is not None and today > self.ends_on


class CompensationPlan(models.Model):
    """补偿方案: one version of a district's compensation plan for a project."""

    class Rounding(models.TextChoices):
        FEN = "fen", _("保留到分")
        YUAN = "yuan", _("四舍五入到元")

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
        _("困难补助：低保（元/户）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    subsidy_tekun = models.DecimalField(
        _("困难补助：特困（元/户）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    subsidy_disabled = models.DecimalField(
        _("困难补助：残疾（元/户）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    subsidy_poverty = models.DecimalField(
        _("困难补助：建档立卡贫困户（元/户）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    swap_rules = models.TextField(_("产权调换规则"), blank=True)
    compensation_budget = models.DecimalField(
        _("补偿资金总额（元）"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("作出征收决定前须足额存入补偿资金专户（《条例》第十二条）。"),
    )
    # What the compensation calculation (compensation.calculation) needs beyond the above.
    monetary_temporary_months = models.PositiveSmallIntegerField(
        _("货币补偿临时安置费（月）"), default=0
    )
    swap_unit_price = models.DecimalField(
        _("产权调换房屋价格（元/平方米）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    business_loss_rate = models.DecimalField(
        _("停产停业损失补偿比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("非住宅房屋按评估价值的该比例补偿停产停业损失。"),
    )
    public_tenant_percent = models.DecimalField(
        _("公房承租人补偿比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("公有房屋补偿款中归承租人的比例，其余归产权单位。"),
    )
    rounding = models.CharField(
        _("金额取整规则"), max_length=10, choices=Rounding.choices, default=Rounding.FEN
    )
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
            models.CheckConstraint(
                condition=Q(
                    compensation_budget__gte=0,
                    relocation_allowance__gte=0,
                    temporary_rate__gte=0,
                    early_signing_bonus__gte=0,
                    subsidy_dibao__gte=0,
                    subsidy_tekun__gte=0,
                    subsidy_disabled__gte=0,
                    subsidy_poverty__gte=0,
                    swap_unit_price__gte=0,
                    business_loss_rate__gte=0,
                    business_loss_rate__lte=100,
                    public_tenant_percent__gte=0,
                    public_tenant_percent__lte=100,
                ),
                name="plan_amounts_in_range",
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
        PASS = "pass", _("审核通过")
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
        IMPORTING = "importing", _("正在导入")
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
    # What the upload's check found, kept so that the preview and the confirmation never
    # read or check the file again: the checked rows (projects.imports.CheckResult.records),
    # packed by column ({"row": [5, 6, ...], "code": ["A001", ...], ...}, see
    # projects.imports.pack_records; PostgreSQL compresses the column with lz4), and the
    # warnings (same shape as `errors`).
    records = models.JSONField(
        _("已校验的行"), default=list, blank=True, editable=False, encoder=CompactJSONEncoder
    )
    warnings = models.JSONField(_("提示"), default=list, blank=True, editable=False)
    # The Celery job saving a large file (its progress is in the job's result).
    job_id = models.CharField(_("导入任务"), max_length=50, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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


# ---------------------------------------------------------------------------
# Legal clocks: objections, the stability risk assessment, the suspension notice,
# compensation decisions and their road to enforcement, safety inspections.


class Objection(models.Model):
    """异议: a household's objection raised inside a 一榜/二榜 posting period, and its answer."""

    district_path = "notice__project__district"

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.PROTECT, related_name="objections"
    )
    raised_on = models.DateField(_("提出日期"))
    content = models.TextField(_("异议内容"))
    answer = models.TextField(_("答复意见"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=models.F("raised_on")),
                name="objection_answered_after_raised",
            ),
        ]

    def __str__(self):
        return f"{self.household} · {self.notice.get_kind_display()}"

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None


class RiskAssessment(models.Model):
    """社会稳定风险评估: required before the expropriation decision."""

    class Level(models.TextChoices):
        LOW = "low", _("低风险")
        MEDIUM = "medium", _("中风险")
        HIGH = "high", _("高风险")

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="risk_assessments"
    )
    assessed_on = models.DateField(_("评估日期"))
    households_surveyed = models.PositiveIntegerField(_("调查户数"))
    households_opposed = models.PositiveIntegerField(_("反对户数"))
    # Set by services.record_risk_assessment from the thresholds in settings.
    level = models.CharField(_("风险等级"), max_length=10, choices=Level.choices, editable=False)
    conclusion = models.TextField(_("评估结论"), blank=True)
    document = models.FileField(_("评估报告"), upload_to="risk/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社会稳定风险评估")
        verbose_name_plural = _("社会稳定风险评估")
        ordering = ["project", "-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(households_surveyed__gt=0), name="risk_surveyed_positive"
            ),
            models.CheckConstraint(
                condition=Q(households_opposed__lte=models.F("households_surveyed")),
                name="risk_opposed_not_above_surveyed",
            ),
        ]

    def __str__(self):
        return f"{self.project} {self.get_level_display()}"

    @property
    def opposed_share(self) -> Decimal:
        """Share of surveyed households opposed, in percent to one decimal."""
        return (
            Decimal(self.households_opposed) * 100 / Decimal(self.households_surveyed)
        ).quantize(Decimal("0.1"))


class SuspensionNotice(models.Model):
    """暂停办理相关手续通知书: tells other agencies to stop new building, transfers and
    business registrations inside the area, for at most one year (Decree 590 art. 16)."""

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="suspensions"
    )
    number = models.CharField(_("文号"), max_length=100)
    issued_on = models.DateField(_("发文日期"))
    months = models.PositiveSmallIntegerField(_("暂停期限（月）"))
    # Set by services.record_suspension through the deadline engine.
    expires_on = models.DateField(_("届满日期"), editable=False)
    agencies = models.CharField(
        _("送达部门"), max_length=300, help_text=_("例如：不动产登记中心、市场监督管理局、公安局")
    )
    scope = models.TextField(_("暂停办理事项"))
    document = models.FileField(_("通知书"), upload_to="suspensions/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("暂停办理通知")
        verbose_name_plural = _("暂停办理通知")
        ordering = ["project", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=12), name="suspension_at_most_one_year"
            ),
        ]

    def __str__(self):
        return self.number


class CompensationDecisionQuerySet(DistrictScopedQuerySet):
    def open(self):
        """Decisions still on the road: not revoked, not settled by agreement, not enforced."""
        return self.filter(closed_on__isnull=True)


class CompensationDecision(models.Model):
    """补偿决定 for a household that did not sign, and what happened after it was served."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("维持")
        REVOKED = "revoked", _("撤销")

    class Closure(models.TextChoices):
        ENFORCED = "enforced", _("已强制执行")
        AGREED = "agreed", _("达成补偿协议")
        REVOKED = "revoked", _("决定被撤销")

    district_path = "household__project__district"

    household = models.ForeignKey(
        Household,
        verbose_name=_("被征收户"),
        on_delete=models.PROTECT,
        related_name="compensation_decisions",
    )
    number = models.CharField(_("决定书文号"), max_length=100)
    decided_on = models.DateField(_("作出日期"))
    amount = models.DecimalField(
        _("补偿金额（元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    # Empty when the amount is the household's computed breakdown total (legal.py).
    amount_reason = models.TextField(_("金额调整理由"), blank=True)
    document = models.FileField(_("决定书"), upload_to="decisions/%Y/", blank=True)
    # Whether the decision told the household its rights, the periods and the bodies to apply
    # to; when it did not, the longer limits apply (行政复议法 第二十条第三款; 行政诉讼法解释
    # 第六十四条).
    states_rights = models.BooleanField(
        _("决定书已告知复议、诉讼权利、期限和受理机关"), default=True
    )
    reconsideration_body = models.CharField(_("行政复议机关"), max_length=100, blank=True)
    court = models.CharField(_("管辖法院"), max_length=100, blank=True)
    announcement = models.OneToOneField(
        Notice,
        verbose_name=_("补偿决定公告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compensation_decision",
    )
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    service_proof = models.FileField(_("送达回证"), upload_to="decisions/%Y/", blank=True)
    reconsideration_applied_on = models.DateField(_("申请复议日期"), null=True, blank=True)
    reconsideration_accepted_on = models.DateField(_("复议受理日期"), null=True, blank=True)
    reconsideration_extended_days = models.PositiveSmallIntegerField(
        _("复议期限延长（日）"), default=0
    )
    reconsideration_decided_on = models.DateField(_("复议决定日期"), null=True, blank=True)
    reconsideration_received_on = models.DateField(_("复议决定书送达日期"), null=True, blank=True)
    reconsideration_outcome = models.CharField(
        _("复议结果"), max_length=10, choices=Outcome.choices, blank=True
    )
    suit_filed_on = models.DateField(_("起诉日期"), null=True, blank=True)
    judgment_on = models.DateField(_("判决日期"), null=True, blank=True)
    judgment_final_on = models.DateField(_("判决生效日期"), null=True, blank=True)
    judgment_served_on = models.DateField(_("生效判决送达日期"), null=True, blank=True)
    judgment_outcome = models.CharField(
        _("判决结果"), max_length=10, choices=Outcome.choices, blank=True
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closure = models.CharField(_("办结方式"), max_length=10, choices=Closure.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CompensationDecisionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补偿决定")
        verbose_name_plural = _("补偿决定")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(served_on__isnull=True) | Q(served_on__gte=models.F("decided_on")),
                name="decision_served_after_decided",
            ),
            models.CheckConstraint(
                condition=Q(reconsideration_applied_on__isnull=True)
                | Q(served_on__isnull=False, reconsideration_applied_on__gte=models.F("served_on")),
                name="decision_reconsideration_after_service",
            ),
            models.CheckConstraint(
                condition=Q(suit_filed_on__isnull=True)
                | Q(served_on__isnull=False, suit_filed_on__gte=models.F("served_on")),
                name="decision_suit_after_service",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closure="")
                | (Q(closed_on__isnull=False) & ~Q(closure="")),
                name="decision_closed_with_closure",
            ),
            models.CheckConstraint(
                # 行政复议法 第六十二条: the extension is at most 30 days.
                condition=Q(reconsideration_extended_days__lte=30),
                name="decision_reconsideration_extension_at_most_30_days",
            ),
            models.CheckConstraint(
                condition=Q(reconsideration_accepted_on__isnull=True)
                | Q(
                    reconsideration_applied_on__isnull=False,
                    reconsideration_accepted_on__gte=models.F("reconsideration_applied_on"),
                ),
                name="decision_reconsideration_accepted_after_applied",
            ),
            models.CheckConstraint(
                condition=Q(reconsideration_received_on__isnull=True)
                | Q(
                    reconsideration_decided_on__isnull=False,
                    reconsideration_received_on__gte=models.F("reconsideration_decided_on"),
                ),
                name="decision_reconsideration_received_after_decided",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(closed_on__isnull=True),
                name="decision_one_open_per_household",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("projects:decision_detail", args=[self.pk])


class EnforcementWarning(models.Model):
    """催告: the formal warning served before applying to the court (行政强制法 art. 54)."""

    district_path = "decision__household__project__district"

    decision = models.OneToOneField(
        CompensationDecision,
        verbose_name=_("补偿决定"),
        on_delete=models.PROTECT,
        related_name="warning",
    )
    served_on = models.DateField(_("催告书送达日期"))
    document = models.FileField(_("催告书"), upload_to="decisions/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("催告")
        verbose_name_plural = _("催告")

    def __str__(self):
        return _("%(decision)s 催告") % {"decision": self.decision}


class EnforcementApplication(models.Model):
    """申请法院强制执行, with the checklist of what the application must contain."""

    class Ruling(models.TextChoices):
        PENDING = "", _("待裁定")
        GRANTED = "granted", _("准予执行")
        REFUSED = "refused", _("不予执行")

    district_path = "decision__household__project__district"

    decision = models.OneToOneField(
        CompensationDecision,
        verbose_name=_("补偿决定"),
        on_delete=models.PROTECT,
        related_name="application",
    )
    filed_on = models.DateField(_("申请日期"))
    court = models.CharField(_("受理法院"), max_length=100)
    has_decision = models.BooleanField(_("附补偿决定书"), default=False)
    has_service_proof = models.BooleanField(_("附送达回证"), default=False)
    has_risk_assessment = models.BooleanField(_("附社会稳定风险评估"), default=False)
    has_compensation_proof = models.BooleanField(
        _("附补偿款专户存储或产权调换房源证明"), default=False
    )
    ruling = models.CharField(_("裁定结果"), max_length=10, choices=Ruling.choices, blank=True)
    ruled_on = models.DateField(_("裁定日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("强制执行申请")
        verbose_name_plural = _("强制执行申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    has_decision=True,
                    has_service_proof=True,
                    has_risk_assessment=True,
                    has_compensation_proof=True,
                ),
                name="application_checklist_complete",
                violation_error_message=_("强制执行申请材料不全。"),
            ),
        ]

    def __str__(self):
        return _("%(decision)s 强制执行申请") % {"decision": self.decision}


class Inspection(models.Model):
    """A safety inspection campaign (安全专项整治督查) over the projects' demolition sites."""

    name = models.CharField(_("检查名称"), max_length=200)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    description = models.TextField(_("检查内容"), blank=True)
    led_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("牵头人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("安全检查")
        verbose_name_plural = _("安全检查")
        ordering = ["-started_on", "-pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:inspection_detail", args=[self.pk])


class HazardQuerySet(DistrictScopedQuerySet):
    def open(self):
        return self.exclude(status=Hazard.Status.RECTIFIED)


class Hazard(models.Model):
    """A safety hazard found in an inspection, and its rectification (问题隐患及整改措施清单)."""

    class Category(models.TextChoices):
        DEMOLITION = "demolition", _("拆除作业安全")
        ELECTRICITY = "electricity", _("施工临时用电")
        FENCING = "fencing", _("围挡与警示标识")
        FIRE = "fire", _("消防安全")
        STRUCTURE = "structure", _("危旧房屋结构")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        RECTIFYING = "rectifying", _("整改中")
        RECTIFIED = "rectified", _("已整改")

    district_path = "project__district"

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("安全检查"), on_delete=models.PROTECT, related_name="hazards"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="hazards"
    )
    category = models.CharField(_("隐患类别"), max_length=20, choices=Category.choices)
    place = models.CharField(_("隐患部位"), max_length=200)
    description = models.TextField(_("问题描述"))
    responsible_unit = models.CharField(_("责任单位"), max_length=100)
    measures = models.TextField(_("整改措施"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(
        _("整改状态"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = HazardQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("安全隐患")
        verbose_name_plural = _("安全隐患")
        ordering = ["inspection", "category", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="rectified", rectified_on__isnull=False)
                | (~Q(status="rectified") & Q(rectified_on__isnull=True)),
                name="hazard_rectified_with_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()}：{self.place}"


class DigestDelivery(models.Model):
    """One daily digest sent to one person: the job is safe to run twice on the same day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    item_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("到期提醒发送记录")
        verbose_name_plural = _("到期提醒发送记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_per_day")
        ]

    def __str__(self):
        return f"{self.user} {self.day}"


class GateOverride(models.Model):
    """A leader's recorded decision to let one action on one object through despite what
    projects.gates says is missing; used up by the action it let through."""

    district_path = "project__district"

    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gate_overrides",
    )
    action = models.CharField(_("事项"), max_length=40)
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField()
    target_label = models.CharField(_("办理对象"), max_length=200)
    blocked_by = models.TextField(_("未满足的条件"))
    reason = models.TextField(_("理由"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    used_at = models.DateTimeField(_("办理时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("越过办理条件记录")
        verbose_name_plural = _("越过办理条件记录")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="override_has_reason"),
            models.UniqueConstraint(
                fields=["action", "target_type", "target_id"],
                condition=Q(used_at__isnull=True),
                name="override_one_waiting_per_target",
            ),
        ]

    def __str__(self):
        return f"{self.action} {self.target_label}"

    @property
    def action_label(self) -> str:
        from projects.gates import action_label

        return action_label(self.action)
