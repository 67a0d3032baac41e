"""The resettlement housing stock (安置房源) and house selection (选房) for property swap.

Property swap (产权调换) is one of the two forms of compensation the law gives every household
(国有土地上房屋征收与补偿条例 第二十一条): the office offers flats of its stock, a project's swap
households choose among them in a published order on the selection day, and the difference
between the value of the old house and of the chosen flats is settled through compensation's
one calculation service (`compensation.calculation`).

The stock: an estate (安置小区) has buildings (楼栋), a building has flats (房源). 现房/期房 and
the (expected) delivery date belong to the building: flats of one building are delivered
together. A flat's prices are dated (`FlatPrice`): the market price and the preferential
resettlement price (安置价), both in 元/m² of building area, the one in force on a day being the
latest dated on or before it. Transit flats (周转房) are flats of their own kind, lent to a
household until its flat is delivered, never chosen in a selection.

A flat's state: 空闲 → 冻结 (reserved for one project by a leader) → 已选 → 已签约 → 已交付, or
作废. A flat can be taken by one household only: at most one active `Selection` per flat, held by
a unique constraint and taken under select_for_update on the flat row.
"""

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
from projects.models import CompensationPlan, Household, Notice, Project

AREA = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.01"))]}
PRICE = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.00"))]}


class Estate(models.Model):
    """安置小区: a resettlement estate of the office's stock, in one district."""

    district_path = "district"

    name = models.CharField(_("小区名称"), max_length=100, unique=True)
    district = models.ForeignKey(District, verbose_name=_("所在区县"), on_delete=models.PROTECT)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    developer = models.CharField(_("建设单位"), max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("安置小区")
        verbose_name_plural = _("安置小区")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Building(models.Model):
    """楼栋: 现房 (finished, deliverable now) or 期房 (under construction, delivered later)."""

    district_path = "estate__district"

    class Delivery(models.TextChoices):
        FINISHED = "finished", _("现房")
        OFF_PLAN = "off_plan", _("期房")

    estate = models.ForeignKey(
        Estate, verbose_name=_("安置小区"), on_delete=models.PROTECT, related_name="buildings"
    )
    name = models.CharField(_("楼栋号"), max_length=30)
    floors = models.PositiveSmallIntegerField(_("总层数"))
    delivery = models.CharField(_("房屋状态"), max_length=10, choices=Delivery.choices)
    expected_delivery_on = models.DateField(_("预计交付日期"), null=True, blank=True)
    delivered_on = models.DateField(_("实际交付日期"), null=True, blank=True)

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["estate", "name"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="building_unique_name"),
            models.CheckConstraint(
                condition=Q(delivery="finished") | Q(expected_delivery_on__isnull=False),
                name="building_off_plan_has_expected_delivery",
            ),
        ]

    def __str__(self):
        return f"{self.estate.name}{self.name}"


class FlatQuerySet(DistrictScopedQuerySet):
    def for_selection(self, project):
        """Flats frozen for `project` and still free to choose."""
        return self.filter(kind=Flat.Kind.RESETTLEMENT, project=project, state=Flat.State.FROZEN)


class Flat(models.Model):
    """房源: one flat of the stock."""

    district_path = "building__estate__district"

    class Kind(models.TextChoices):
        RESETTLEMENT = "resettlement", _("安置房")
        TRANSIT = "transit", _("周转房")

    class State(models.TextChoices):
        FREE = "free", _("空闲")
        FROZEN = "frozen", _("冻结")
        SELECTED = "selected", _("已选")
        SIGNED = "signed", _("已签约")
        DELIVERED = "delivered", _("已交付")
        VOID = "void", _("作废")

    building = models.ForeignKey(
        Building, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="flats"
    )
    unit = models.CharField(_("单元"), max_length=10, blank=True)
    floor = models.SmallIntegerField(_("楼层"))
    number = models.CharField(_("房号"), max_length=20)
    area = models.DecimalField(_("建筑面积（平方米）"), **AREA)
    layout = models.CharField(_("户型"), max_length=30, blank=True)
    orientation = models.CharField(_("朝向"), max_length=20, blank=True)
    kind = models.CharField(
        _("房源类别"), max_length=20, choices=Kind.choices, default=Kind.RESETTLEMENT
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.FREE)
    project = models.ForeignKey(
        Project,
        verbose_name=_("冻结用于项目"),
        on_delete=models.PROTECT,
        related_name="flats",
        null=True,
        blank=True,
    )
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("冻结人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    objects = FlatQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房源")
        verbose_name_plural = _("房源")
        ordering = ["building", "unit", "floor", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "number"], name="flat_unique_number"
            ),
            # A flat reserved, chosen, signed or delivered belongs to one project.
            models.CheckConstraint(
                condition=Q(state__in=["free", "void"]) | Q(project__isnull=False),
                name="flat_taken_has_project",
            ),
        ]

    def __str__(self):
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.building}{unit}{self.number}"

    def price_on(self, day):
        """The `FlatPrice` in force on `day` (the latest dated on or before it), or None."""
        return self.prices.filter(effective_on__lte=day).order_by("-effective_on").first()


class FlatPrice(models.Model):
    """A flat's prices from a date: 市场价 and 安置价 (preferential), 元/m² of building area."""

    district_path = "flat__building__estate__district"

    flat = models.ForeignKey(
        Flat, verbose_name=_("房源"), on_delete=models.CASCADE, related_name="prices"
    )
    effective_on = models.DateField(_("执行日期"))
    market_price = models.DecimalField(_("市场价（元/平方米）"), **PRICE)
    resettlement_price = models.DecimalField(_("安置价（元/平方米）"), **PRICE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房源价格")
        verbose_name_plural = _("房源价格")
        ordering = ["flat", "-effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["flat", "effective_on"], name="flat_price_one_per_day"),
        ]

    def __str__(self):
        return f"{self.flat} {self.effective_on:%Y-%m-%d}"


class SwapTerms(models.Model):
    """The plan's property-swap selection rules (产权调换选房规则), one per plan version.

    Entitlement (以旧换新面积) = the old house's building area × `entitlement_ratio` +
    `entitlement_bonus_area`, settled at the flat's 安置价. Area chosen beyond it is settled tier
    by tier (`SwapTier`, in order), then at the market price beyond the last tier, up to
    `max_extra_area` beyond the entitlement (no cap when empty)."""

    district_path = "plan__project__district"

    plan = models.OneToOneField(
        CompensationPlan,
        verbose_name=_("补偿方案"),
        on_delete=models.CASCADE,
        related_name="swap_terms",
    )
    entitlement_ratio = models.DecimalField(
        _("以旧换新比例"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    entitlement_bonus_area = models.DecimalField(
        _("另增面积（平方米）"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    max_extra_area = models.DecimalField(
        _("超出应安置面积的上限（平方米）"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    max_flats = models.PositiveSmallIntegerField(_("每户可选套数上限"), default=1)
    window_opens_on = models.DateField(_("选房开始日期"), null=True, blank=True)
    window_closes_on = models.DateField(_("选房截止日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("产权调换选房规则")
        verbose_name_plural = _("产权调换选房规则")

    def __str__(self):
        return f"{self.plan} 选房规则"

    @property
    def closes_on(self):
        """The selection window's closing day in force: the latest extension's, else the
        plan's `window_closes_on` (None = open-ended)."""
        latest = self.extensions.order_by("-extended_at", "-pk").first()
        return latest.closes_on if latest is not None else self.window_closes_on


class WindowExtension(models.Model):
    """选房期限延长: a leader extends the approved plan's selection window (its closing day) with
    a reason, so a late round (补选) can be called; the plan itself stays as approved. The
    latest extension's `closes_on` is the window's closing day (`SwapTerms.closes_on`)."""

    district_path = "terms__plan__project__district"

    terms = models.ForeignKey(
        SwapTerms,
        verbose_name=_("产权调换选房规则"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    closes_on = models.DateField(_("延长至"))
    previous_closes_on = models.DateField(_("原截止日期"), null=True, blank=True)
    reason = models.CharField(_("延长理由"), max_length=200)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    extended_at = models.DateTimeField(_("决定时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("选房期限延长")
        verbose_name_plural = _("选房期限延长")
        ordering = ["terms", "extended_at", "pk"]

    def __str__(self):
        return f"{self.terms} 延长至 {self.closes_on}"


class SwapTier(models.Model):
    """One tier of purchasable extra area: the next `width` m² beyond the entitlement (or the
    previous tier) at `unit_price` 元/m², or at `market_percent` % of the flat's market price."""

    terms = models.ForeignKey(
        SwapTerms, verbose_name=_("选房规则"), on_delete=models.CASCADE, related_name="tiers"
    )
    position = models.PositiveSmallIntegerField(_("档次"))
    width = models.DecimalField(_("面积（平方米）"), **AREA)
    unit_price = models.DecimalField(_("单价（元/平方米）"), null=True, blank=True, **PRICE)
    market_percent = models.DecimalField(
        _("按市场价的比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("超面积档次")
        verbose_name_plural = _("超面积档次")
        ordering = ["terms", "position"]
        constraints = [
            models.UniqueConstraint(fields=["terms", "position"], name="swap_tier_unique_position"),
            models.CheckConstraint(
                condition=(Q(unit_price__isnull=False) & Q(market_percent__isnull=True))
                | (Q(unit_price__isnull=True) & Q(market_percent__isnull=False)),
                name="swap_tier_one_price_basis",
            ),
        ]

    def __str__(self):
        return f"第{self.position}档 {self.width}平方米"


class SelectionRound(models.Model):
    """A project's house selection (选房): the order (by signing, or a public draw published
    as a notice) and the selection day(s) on which households are called in that order."""

    district_path = "project__district"

    class Method(models.TextChoices):
        SIGNING = "signing", _("按签约先后")
        DRAW = "draw", _("公开摇号")

    class State(models.TextChoices):
        DRAFT = "draft", _("草拟")
        ORDERED = "ordered", _("顺序已确定")
        PUBLISHED = "published", _("顺序已公布")
        OPEN = "open", _("选房中")
        CLOSED = "closed", _("已结束")

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="selection_rounds"
    )
    method = models.CharField(_("顺序确定方式"), max_length=10, choices=Method.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    selection_on = models.DateField(_("选房日"), null=True, blank=True)
    # The draw: the seed and witnesses, as the appraisers' draw records them (appraisers.draws).
    seed = models.CharField(_("随机种子"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("摇号时间"), null=True, blank=True)
    witnesses = models.CharField(_("见证人"), max_length=200, blank=True)
    notary = models.CharField(_("公证机构"), max_length=100, blank=True)
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("选房顺序公告"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    current_number = models.PositiveIntegerField(_("当前叫号"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("选房")
        verbose_name_plural = _("选房")
        ordering = ["project", "-created_at"]

    def __str__(self):
        return f"{self.project} 选房（{self.get_method_display()}）"


class SelectionOrder(models.Model):
    """选房顺序号: a household's number in a round's order (1 chooses first)."""

    district_path = "round__project__district"

    round = models.ForeignKey(
        SelectionRound, verbose_name=_("选房"), on_delete=models.CASCADE, related_name="orders"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("被征收户"),
        on_delete=models.PROTECT,
        related_name="selection_orders",
    )
    number = models.PositiveIntegerField(_("顺序号"))
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("选房完成时间"), null=True, blank=True)
    absent = models.BooleanField(_("过号（未到场）"), default=False)

    class Waiver(models.TextChoices):
        FORGO = "forgo", _("放弃选房")
        CASH = "cash", _("改选货币补偿")

    # A household that decides not to pick (recorded by staff with its reason) leaves the
    # call order; the numbers after it are not renumbered.
    waiver = models.CharField(_("放弃情形"), max_length=10, choices=Waiver.choices, blank=True)
    waiver_reason = models.CharField(_("放弃原因"), max_length=200, blank=True)
    waived_at = models.DateTimeField(_("放弃登记时间"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("选房顺序号")
        verbose_name_plural = _("选房顺序号")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "number"], name="selection_order_unique_number"
            ),
            models.UniqueConstraint(
                fields=["round", "household"], name="selection_order_unique_household"
            ),
            models.CheckConstraint(
                condition=Q(waived_at__isnull=True, waiver="")
                | (Q(waived_at__isnull=False) & ~Q(waiver="") & ~Q(waiver_reason="")),
                name="selection_order_waiver_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.number}号 {self.household}"

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None


class SelectionQuerySet(DistrictScopedQuerySet):
    def active(self):
        """The active selections, in the order chosen, with flat, building and estate loaded
        (what every reader of a household's chosen flats needs, in one query)."""
        return (
            self.filter(is_active=True)
            .select_related("flat__building__estate", "order")
            .order_by("selected_at", "pk")
        )

    def signed(self):
        """The active selections whose flat is signed for (已签约) or delivered (已交付): their
        household has finished choosing."""
        return self.active().filter(flat__state__in=(Flat.State.SIGNED, Flat.State.DELIVERED))


class Selection(models.Model):
    """选房: a household's choice of one flat. At most one active selection per flat (the
    unique constraint); a cancelled one stays, with its reason, in the record."""

    district_path = "household__project__district"

    order = models.ForeignKey(
        SelectionOrder,
        verbose_name=_("选房顺序号"),
        on_delete=models.PROTECT,
        related_name="selections",
        null=True,
        blank=True,
    )
    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.PROTECT, related_name="selections"
    )
    flat = models.ForeignKey(
        Flat, verbose_name=_("房源"), on_delete=models.PROTECT, related_name="selections"
    )
    selected_at = models.DateTimeField(_("选定时间"), default=timezone.now)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    objects = SelectionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("选房结果")
        verbose_name_plural = _("选房结果")
        ordering = ["-selected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["flat"], condition=Q(is_active=True), name="selection_one_active_per_flat"
            ),
        ]

    def __str__(self):
        return f"{self.household} → {self.flat}"


class TransitLoan(models.Model):
    """周转房: a transit flat lent to a swap household until its own flat is delivered, instead
    of 临时安置费 (条例 第二十二条: 选择房屋产权调换的，产权调换房屋交付前，房屋征收部门应当
    向被征收人支付临时安置费或者提供周转用房)."""

    district_path = "household__project__district"

    household = models.ForeignKey(
        Household,
        verbose_name=_("被征收户"),
        on_delete=models.PROTECT,
        related_name="transit_loans",
    )
    flat = models.ForeignKey(
        Flat, verbose_name=_("周转房"), on_delete=models.PROTECT, related_name="transit_loans"
    )
    lent_on = models.DateField(_("入住周转房日期"))
    returned_on = models.DateField(_("腾退周转房日期"), null=True, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("周转房借用")
        verbose_name_plural = _("周转房借用")
        ordering = ["-lent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["flat"],
                condition=Q(returned_on__isnull=True),
                name="transit_loan_one_open_per_flat",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(returned_on__isnull=True),
                name="transit_loan_one_open_per_household",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=models.F("lent_on")),
                name="transit_loan_returned_after_lent",
            ),
        ]

    def __str__(self):
        return f"{self.household} 借用 {self.flat}"


class Handover(models.Model):
    """交房: the chosen flat handed over to the household with its keys; the flat is 已交付.
    The 入住通知单 is printed from it."""

    district_path = "selection__household__project__district"

    selection = models.OneToOneField(
        Selection, verbose_name=_("选房结果"), on_delete=models.PROTECT, related_name="handover"
    )
    handed_over_on = models.DateField(_("交付日期"))
    keys = models.PositiveSmallIntegerField(_("钥匙（把）"), validators=[MinValueValidator(1)])
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("交房")
        verbose_name_plural = _("交房")
        ordering = ["-handed_over_on"]

    def __str__(self):
        return f"{self.selection.flat} 交付 {self.handed_over_on:%Y-%m-%d}"


class StockImport(models.Model):
    """An uploaded stock list (房源清单): checked first, saved whole or not at all, like the
    household import (projects.HouseholdImport). Estates it names that do not exist yet are
    created in `district`."""

    class Status(models.TextChoices):
        FAILED = "failed", _("有错误，未导入")
        VALIDATED = "validated", _("校验通过，待确认")
        IMPORTED = "imported", _("已导入")

    district_path = "district"

    district = models.ForeignKey(
        District, verbose_name=_("新建小区所在区县"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to="stock-imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    # [{"row": 5, "column": "建筑面积", "message": "..."}], in the order found.
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

    objects = DistrictScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("房源导入")
        verbose_name_plural = _("房源导入")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("resettlement:stock_import_detail", args=[self.pk])
