"""Appraisal firms (房地产估价机构), their selection for a project, commissioning, valuations with
their re-checks and expert reviews, and the credit system with its published credit list.

The rules that span rows (eligibility, the vote's majority, the random draw, credit scores) live
in appraisers.services and appraisers.draws; the models hold the facts and what the database
can enforce.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import CreditCodeField, PersonNameField, PhoneField
from core.scoping import DistrictScopedQuerySet
from core.validators import validate_credit_code, validate_phone
from projects.models import Household, Notice, Project

MONEY = {"max_digits": 14, "decimal_places": 2}


# ---------------------------------------------------------------------------
# Firms and their registered valuers


class FirmQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=AppraisalFirm.Status.ACTIVE)

    def qualified_on(self, day: date):
        """Firms whose qualification certificate is valid on `day` (the expiry day included)."""
        return self.filter(qualification_expires_on__gte=day)

    def with_valuer_count(self):
        return self.annotate(
            active_valuer_count=models.Count("valuers", filter=Q(valuers__is_active=True))
        )


class AppraisalFirm(models.Model):
    """房地产估价机构: a firm that may be selected to value a project's houses.

    Firms are the office's registry, not a district's data: only office staff manage them."""

    class Grade(models.TextChoices):
        FIRST = "1", _("一级")
        SECOND = "2", _("二级")
        THIRD = "3", _("三级")

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        SUSPENDED = "suspended", _("暂停承接业务")
        WITHDRAWN = "withdrawn", _("已退出")

    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    credit_code = CreditCodeField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18位，末位为校验码（GB 32100）。"),
    )
    grade = models.CharField(_("资质等级"), max_length=2, choices=Grade.choices)
    certificate_number = models.CharField(_("资质证书编号"), max_length=50)
    qualification_expires_on = models.DateField(_("资质有效期至"))
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = PhoneField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    objects = FirmQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房地产估价机构")
        verbose_name_plural = _("房地产估价机构")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="firm_credit_code_shape",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("appraisers:firm_detail", args=[self.pk])

    def qualification_expired(self, today: date) -> bool:
        return self.qualification_expires_on < today


class Valuer(models.Model):
    """注册房地产估价师 working for a firm; at least two of them sign each valuation report."""

    firm = models.ForeignKey(
        AppraisalFirm, verbose_name=_("估价机构"), on_delete=models.PROTECT, related_name="valuers"
    )
    name = PersonNameField(_("姓名"), max_length=50)
    registration_number = models.CharField(_("注册号"), max_length=30, unique=True)
    is_active = models.BooleanField(_("在职"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("注册房地产估价师")
        verbose_name_plural = _("注册房地产估价师")
        ordering = ["firm", "name", "pk"]

    def __str__(self):
        return f"{self.name}（{self.registration_number}）"


# ---------------------------------------------------------------------------
# Selection of a firm for a project, and its commission


class FirmSelection(models.Model):
    """评估机构选定 for a project: its published candidates and how the firm was chosen."""

    class Method(models.TextChoices):
        NEGOTIATION = "negotiation", _("协商选定")
        VOTE = "vote", _("多数决定")
        DRAW = "draw", _("随机确定")

    district_path = "project__district"

    project = models.OneToOneField(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="firm_selection"
    )
    opened_on = models.DateField(_("公布候选机构日期"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the firm is chosen; `method` says how.
    method = models.CharField(
        _("选定方式"), max_length=20, choices=Method.choices, blank=True, default=""
    )
    winner = models.ForeignKey(
        AppraisalFirm,
        verbose_name=_("选定机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="selections_won",
    )
    decided_on = models.DateField(_("选定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 协商: how many households agreed, out of how many.
    agreed_households = models.PositiveIntegerField(_("同意户数"), null=True, blank=True)
    # 多数决定: the tally, taken when staff closed the vote (a failed vote offers the draw).
    vote_tallied_on = models.DateField(_("计票日期"), null=True, blank=True)
    vote_failed = models.BooleanField(_("投票未产生过半数机构"), default=False)
    # The number of the project's households when the result was decided (the denominator).
    household_count = models.PositiveIntegerField(_("被征收户数"), null=True, blank=True)
    # 随机: the seed and the candidates' credit codes in published order, as drawn.
    seed = models.CharField(_("随机种子"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("摇号时间"), null=True, blank=True)
    draw_candidates = models.JSONField(_("摇号候选顺序"), default=list, blank=True)
    witnesses = models.CharField(_("见证人"), max_length=200, blank=True)
    notary = models.CharField(_("公证机构"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    notice = models.OneToOneField(
        Notice,
        verbose_name=_("结果公告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="firm_selection",
    )

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评估机构选定")
        verbose_name_plural = _("评估机构选定")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="", winner__isnull=True, decided_on__isnull=True)
                | (~Q(method="") & Q(winner__isnull=False, decided_on__isnull=False)),
                name="selection_decided_with_method_winner_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(method="draw") | (~Q(seed="") & Q(drawn_at__isnull=False)),
                name="selection_draw_has_seed_and_time",
            ),
            models.CheckConstraint(
                condition=~Q(method="draw") | ~Q(witnesses=""),
                name="selection_draw_has_witnesses",
            ),
            models.CheckConstraint(
                condition=~Q(method="negotiation") | Q(agreed_households__isnull=False),
                name="selection_negotiation_has_agreed_count",
            ),
        ]

    def __str__(self):
        return _("%(project)s 评估机构选定") % {"project": self.project}

    def get_absolute_url(self):
        return reverse("appraisers:selection_detail", args=[self.project_id])

    @property
    def is_decided(self) -> bool:
        return self.winner_id is not None


class SelectionCandidate(models.Model):
    """A published candidate firm. `position` is the published order (1, 2, …): ascending credit
    code, so anyone can rebuild it from the published list."""

    district_path = "selection__project__district"

    selection = models.ForeignKey(
        FirmSelection,
        verbose_name=_("选定"),
        on_delete=models.CASCADE,
        related_name="candidates",
    )
    firm = models.ForeignKey(
        AppraisalFirm, verbose_name=_("候选机构"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("公布序号"))

    class Meta:
        verbose_name = _("候选机构")
        verbose_name_plural = _("候选机构")
        ordering = ["selection", "position"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "firm"], name="candidate_firm_once"),
            models.UniqueConstraint(
                fields=["selection", "position"], name="candidate_position_once"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="candidate_position_from_1"),
        ]

    def __str__(self):
        return f"{self.position}. {self.firm}"


class Vote(models.Model):
    """One household's vote (多数决定): one per household, recorded from its signed ballot."""

    district_path = "selection__project__district"

    selection = models.ForeignKey(
        FirmSelection, verbose_name=_("选定"), on_delete=models.CASCADE, related_name="votes"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.PROTECT, related_name="+"
    )
    firm = models.ForeignKey(
        AppraisalFirm, verbose_name=_("所投机构"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        ordering = ["selection", "household"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "household"],
                name="vote_one_per_household",
                violation_error_message=_("该户已经投票，每户只能投一票。"),
            ),
        ]

    def __str__(self):
        return f"{self.household} → {self.firm}"


class Commission(models.Model):
    """委托合同: the office commissions the selected firm."""

    district_path = "selection__project__district"

    selection = models.OneToOneField(
        FirmSelection,
        verbose_name=_("选定"),
        on_delete=models.PROTECT,
        related_name="commission",
    )
    firm = models.ForeignKey(
        AppraisalFirm, verbose_name=_("受托机构"), on_delete=models.PROTECT, related_name="+"
    )
    contract_number = models.CharField(_("合同编号"), max_length=50, unique=True)
    signed_on = models.DateField(_("签订日期"))
    fee = models.DecimalField(
        _("评估费用（元）"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("委托合同")
        verbose_name_plural = _("委托合同")
        constraints = [
            models.CheckConstraint(
                condition=Q(fee__gt=0),
                name="commission_fee_positive",
                violation_error_message=_("评估费用必须大于0。"),
            ),
        ]

    def __str__(self):
        return self.contract_number


# ---------------------------------------------------------------------------
# Valuations, re-checks and expert reviews


class ValuationQuerySet(DistrictScopedQuerySet):
    def current(self):
        """Each household's valuation in force: the latest result after any re-check or review."""
        return self.filter(is_current=True)


class Valuation(models.Model):
    """分户评估报告: a household's appraised value from the commissioned firm.

    A re-check or expert review that changes the result adds a new report (source RECHECK or
    REVIEW) that replaces the previous one as the household's current valuation; the old one
    stays for the record."""

    class Source(models.TextChoices):
        ORIGINAL = "original", _("初始评估")
        RECHECK = "recheck", _("复核后重新出具")
        REVIEW = "review", _("专家鉴定后重新出具")

    district_path = "household__project__district"

    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.PROTECT, related_name="valuations"
    )
    commission = models.ForeignKey(
        Commission, verbose_name=_("委托合同"), on_delete=models.PROTECT, related_name="valuations"
    )
    firm = models.ForeignKey(
        AppraisalFirm, verbose_name=_("估价机构"), on_delete=models.PROTECT, related_name="+"
    )
    report_number = models.CharField(_("评估报告编号"), max_length=50)
    appraised_value = models.DecimalField(
        _("评估价值（元）"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(
        _("评估单价（元/平方米）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    valued_on = models.DateField(_("估价时点"))
    reported_on = models.DateField(_("报告出具日期"))
    delivered_on = models.DateField(
        _("送达日期"),
        null=True,
        blank=True,
        help_text=_("被征收人收到评估报告之日；申请复核的10日期限自次日起算。"),
    )
    valuers = models.ManyToManyField(Valuer, verbose_name=_("签字估价师"), related_name="+")
    source = models.CharField(
        _("来源"), max_length=20, choices=Source.choices, default=Source.ORIGINAL
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("替代的报告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    is_current = models.BooleanField(_("现行有效"), default=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    objects = ValuationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[valuers])

    class Meta:
        verbose_name = _("分户评估报告")
        verbose_name_plural = _("分户评估报告")
        ordering = ["household", "-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(is_current=True),
                name="valuation_one_current_per_household",
            ),
            models.UniqueConstraint(
                fields=["firm", "report_number"],
                name="valuation_report_number_per_firm",
                violation_error_message=_("该估价机构已有相同编号的评估报告。"),
            ),
            models.CheckConstraint(
                condition=Q(appraised_value__gt=0, unit_price__gt=0),
                name="valuation_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(reported_on__gte=models.F("valued_on")),
                name="valuation_reported_after_value_date",
                violation_error_message=_("报告出具日期不能早于估价时点。"),
            ),
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True)
                | Q(delivered_on__gte=models.F("reported_on")),
                name="valuation_delivered_after_report",
                violation_error_message=_("送达日期不能早于报告出具日期。"),
            ),
            models.CheckConstraint(
                condition=Q(source="original", replaces__isnull=True)
                | (~Q(source="original") & Q(replaces__isnull=False)),
                name="valuation_revision_replaces_one",
            ),
        ]

    def __str__(self):
        return _("%(household)s 评估报告 %(number)s") % {
            "household": self.household,
            "number": self.report_number,
        }

    def get_absolute_url(self):
        return reverse("appraisers:valuation_detail", args=[self.pk])


class Recheck(models.Model):
    """复核评估: the household asks the firm to re-check its report (within 10 days of receiving
    it); the firm answers within 10 days of the request."""

    class Outcome(models.TextChoices):
        PENDING = "", _("待答复")
        UNCHANGED = "unchanged", _("维持原评估结果")
        CHANGED = "changed", _("改变评估结果")

    district_path = "valuation__household__project__district"

    valuation = models.OneToOneField(
        Valuation, verbose_name=_("评估报告"), on_delete=models.PROTECT, related_name="recheck"
    )
    requested_on = models.DateField(_("申请日期"))
    reason = models.TextField(_("异议理由"))
    outcome = models.CharField(
        _("复核结果"), max_length=20, choices=Outcome.choices, blank=True, default=""
    )
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    result_delivered_on = models.DateField(
        _("复核结果送达日期"),
        null=True,
        blank=True,
        help_text=_("申请专家鉴定的10日期限自次日起算。"),
    )
    answer = models.TextField(_("复核意见"), blank=True)
    revised = models.OneToOneField(
        Valuation,
        verbose_name=_("重新出具的报告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="from_recheck",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("复核评估")
        verbose_name_plural = _("复核评估")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", answered_on__isnull=True)
                | (~Q(outcome="") & Q(answered_on__isnull=False)),
                name="recheck_answered_with_outcome",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True)
                | Q(answered_on__gte=models.F("requested_on")),
                name="recheck_answered_after_request",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="changed") | Q(revised__isnull=False),
                name="recheck_changed_has_new_report",
            ),
        ]

    def __str__(self):
        return _("%(valuation)s 复核") % {"valuation": self.valuation}

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None


class ExpertReview(models.Model):
    """专家鉴定: after a re-check the household may ask the experts' committee for a review
    (within 10 days of receiving the re-check result); it decides within 10 days."""

    class Outcome(models.TextChoices):
        PENDING = "", _("待鉴定")
        UPHELD = "upheld", _("评估报告不存在技术问题，维持")
        CORRECTED = "corrected", _("评估报告存在技术问题，重新出具")

    district_path = "recheck__valuation__household__project__district"

    recheck = models.OneToOneField(
        Recheck, verbose_name=_("复核评估"), on_delete=models.PROTECT, related_name="expert_review"
    )
    requested_on = models.DateField(_("申请日期"))
    reason = models.TextField(_("申请理由"))
    committee = models.CharField(_("鉴定机构"), max_length=100, blank=True)
    outcome = models.CharField(
        _("鉴定结论"), max_length=20, choices=Outcome.choices, blank=True, default=""
    )
    decided_on = models.DateField(_("鉴定日期"), null=True, blank=True)
    opinion = models.TextField(_("鉴定意见"), blank=True)
    revised = models.OneToOneField(
        Valuation,
        verbose_name=_("重新出具的报告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="from_review",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("专家鉴定")
        verbose_name_plural = _("专家鉴定")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", decided_on__isnull=True)
                | (~Q(outcome="") & Q(decided_on__isnull=False)),
                name="review_decided_with_outcome",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("requested_on")),
                name="review_decided_after_request",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="corrected") | Q(revised__isnull=False),
                name="review_corrected_has_new_report",
            ),
        ]

    def __str__(self):
        return _("%(valuation)s 专家鉴定") % {"valuation": self.recheck.valuation}

    @property
    def is_decided(self) -> bool:
        return self.decided_on is not None


# ---------------------------------------------------------------------------
# Credit: kinds of events with their points, grades, events, published lists


class CreditPolicy(models.Model):
    """The score every firm starts a period with (信用评价基础分). One row, kept by staff."""

    base_score = models.IntegerField(_("基础分"), default=100)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信用评价规则")
        verbose_name_plural = _("信用评价规则")

    def __str__(self):
        return str(_("基础分 %(score)s") % {"score": self.base_score})

    @classmethod
    def current(cls) -> "CreditPolicy":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class CreditEventKind(models.Model):
    """A kind of credit event and its points (negative deducts), staff-editable.

    `code` is what the system uses to record events itself (VALUATION_CHANGED)."""

    VALUATION_CHANGED = "valuation_changed"

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    points = models.IntegerField(_("分值"), help_text=_("加分为正数，扣分为负数。"))
    description = models.CharField(_("说明"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信用事件类型")
        verbose_name_plural = _("信用事件类型")
        ordering = ["points", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0),
                name="credit_kind_points_not_zero",
                violation_error_message=_("分值不能为0。"),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.points:+d}）"


class CreditGrade(models.Model):
    """A grade and the lowest score that earns it; a score below every threshold gets the
    lowest grade."""

    code = models.CharField(_("等级代码"), max_length=10, unique=True)
    name = models.CharField(_("等级名称"), max_length=50)
    min_score = models.IntegerField(_("最低分"), unique=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信用等级")
        verbose_name_plural = _("信用等级")
        ordering = ["-min_score"]

    def __str__(self):
        return self.name


class CreditEvent(models.Model):
    """信用事件: something that raises or lowers a firm's credit score.

    The points are copied from the kind when the event is recorded: a later change to the kind's
    points applies to later events, not to what has happened already."""

    firm = models.ForeignKey(
        AppraisalFirm,
        verbose_name=_("估价机构"),
        on_delete=models.PROTECT,
        related_name="credit_events",
    )
    kind = models.ForeignKey(
        CreditEventKind, verbose_name=_("事件类型"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.IntegerField(_("分值"))
    occurred_on = models.DateField(_("发生日期"))
    project = models.ForeignKey(
        Project,
        verbose_name=_("相关项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("事实与依据"))
    evidence = models.FileField(_("证明材料"), upload_to="appraisers/evidence/%Y/", blank=True)
    # Set when the system recorded the event because a re-check or review changed this result.
    valuation = models.OneToOneField(
        Valuation,
        verbose_name=_("改变后的评估报告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_event",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信用事件")
        verbose_name_plural = _("信用事件")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["firm", "occurred_on"])]

    def __str__(self):
        return f"{self.firm} {self.kind.name} {self.occurred_on}"


class CreditListQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=CreditList.Status.PUBLISHED)


class CreditList(models.Model):
    """信用名录 for a period. A draft is computed live from the events; publishing copies every
    firm's score and grade into entries that never change afterwards."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已公布")

    title = models.CharField(_("标题"), max_length=100)
    period_start = models.DateField(_("评价期起"))
    period_end = models.DateField(_("评价期止"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    base_score = models.IntegerField(_("基础分"), null=True, blank=True, editable=False)
    prepared_at = models.DateTimeField(_("生成时间"), default=timezone.now, editable=False)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CreditListQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信用名录")
        verbose_name_plural = _("信用名录")
        ordering = ["-period_end", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end"],
                name="credit_list_one_per_period",
                violation_error_message=_("该评价期已有信用名录。"),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="credit_list_period_ordered",
                violation_error_message=_("评价期止不能早于评价期起。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft", published_on__isnull=True)
                | Q(status="published", published_on__isnull=False, base_score__isnull=False),
                name="credit_list_published_with_date_and_base",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("appraisers:credit_list_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CreditListEntry(models.Model):
    """One firm's row in a published credit list, copied at publication (a frozen snapshot)."""

    credit_list = models.ForeignKey(
        CreditList, verbose_name=_("信用名录"), on_delete=models.PROTECT, related_name="entries"
    )
    firm = models.ForeignKey(
        AppraisalFirm, verbose_name=_("估价机构"), on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(_("排名"))
    firm_name = models.CharField(_("机构名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    qualification = models.CharField(_("资质等级"), max_length=10)
    score = models.IntegerField(_("信用分"))
    additions = models.IntegerField(_("加分"))
    deductions = models.IntegerField(_("扣分"))
    event_count = models.PositiveIntegerField(_("事件数"))
    grade_code = models.CharField(_("等级代码"), max_length=10)
    grade_name = models.CharField(_("信用等级"), max_length=50)

    class Meta:
        verbose_name = _("信用名录条目")
        verbose_name_plural = _("信用名录条目")
        ordering = ["credit_list", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["credit_list", "firm"], name="credit_entry_firm_once"),
            models.CheckConstraint(
                condition=Q(additions__gte=0, deductions__lte=0), name="credit_entry_signs"
            ),
        ]

    def __str__(self):
        return f"{self.credit_list} {self.firm_name} {self.grade_name}"


def without_valuation(households):
    """Those of `households` (a Household queryset) that have no current valuation."""
    current = Valuation.objects.filter(household=OuterRef("pk"), is_current=True)
    return households.filter(~Exists(current))
