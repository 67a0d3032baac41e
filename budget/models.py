"""The office's budget year: staffing, budget execution, project expenditures, performance
indicators, narratives, and the runs of the annual self-evaluation report.

- `BudgetYear`: one row per year with the office's facts (staffing, sections, duties), the
  level-one weights of a scorecard and the grade thresholds.
- `BudgetLine` (预算执行): fund × kind (基本支出/项目支出) with opening balance, income,
  expenditure and closing balance; the identity opening + income − expenditure = closing is a
  database CHECK.
- `StatedTotal`: the fund's year totals as the final accounts (决算) state them, entered apart
  from the lines so that budget.checks can compare the two.
- `ProjectExpenditure` (项目支出) with its funding by source and its own indicators.
- `Indicator` (绩效指标): one row of a scorecard, for the department (expenditure empty) or for
  a project expenditure; scored by budget.scoring.
- `ExpenseControl`: the expenditure-control lines of attachment 1 (三公经费, 公用经费 …).
- `Narrative`: the sections staff write, with named figures inserted by placeholder.
- `AnnualReport`: one run of the report job with its status, progress, findings and files.

Money is in yuan (two places); reports show 万元.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.money import equals_to_the_fen

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
NOT_NEGATIVE = [MinValueValidator(ZERO)]


def lines(text: str) -> list[str]:
    """The non-empty lines of a text kept one item a line (sections, duties)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class Fund(models.TextChoices):
    """The four budgets of a final account (决算)."""

    GENERAL = "general", _("一般公共预算财政拨款")
    GOVERNMENT = "government", _("政府性基金")
    STATE_CAPITAL = "state_capital", _("国有资本经营")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险基金")


class SpendingKind(models.TextChoices):
    BASIC = "basic", _("基本支出")
    PROJECT = "project", _("项目支出")


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", _("当年财政拨款")
    CARRYOVER = "carryover", _("上年结转资金")
    OTHER = "other", _("其他资金")


class FundingBySource(models.Model):
    """The funds of a spending (the department's whole year, or one project expenditure) by
    source — 年初预算数, 全年预算数, 全年执行数 of 当年财政拨款, 上年结转资金 and 其他资金 — and
    its annual goal (年度总体目标: 预期目标, 实际完成情况), as the self-evaluation forms ask."""

    goal = models.TextField(_("年度总体目标：预期目标"), blank=True)
    outcome = models.TextField(_("年度总体目标：实际完成情况"), blank=True)
    fiscal_initial = models.DecimalField(
        _("当年财政拨款：年初预算数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    fiscal_full = models.DecimalField(
        _("当年财政拨款：全年预算数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    fiscal_executed = models.DecimalField(
        _("当年财政拨款：全年执行数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    carryover_initial = models.DecimalField(
        _("上年结转资金：年初预算数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    carryover_full = models.DecimalField(
        _("上年结转资金：全年预算数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    carryover_executed = models.DecimalField(
        _("上年结转资金：全年执行数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    other_initial = models.DecimalField(
        _("其他资金：年初预算数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    other_full = models.DecimalField(
        _("其他资金：全年预算数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    other_executed = models.DecimalField(
        _("其他资金：全年执行数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )

    class Meta:
        abstract = True

    def amounts(self, source: str) -> tuple[Decimal, Decimal, Decimal]:
        """(年初预算数, 全年预算数, 全年执行数) of one funding source."""
        return (
            getattr(self, f"{source}_initial"),
            getattr(self, f"{source}_full"),
            getattr(self, f"{source}_executed"),
        )

    @property
    def total_initial(self) -> Decimal:
        return self.fiscal_initial + self.carryover_initial + self.other_initial

    @property
    def total_full(self) -> Decimal:
        return self.fiscal_full + self.carryover_full + self.other_full

    @property
    def total_executed(self) -> Decimal:
        return self.fiscal_executed + self.carryover_executed + self.other_executed


def funding_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The rules of a FundingBySource's amounts: none negative, none spent beyond its budget."""
    return [
        models.CheckConstraint(
            condition=Q(
                fiscal_initial__gte=0,
                fiscal_full__gte=0,
                fiscal_executed__gte=0,
                carryover_initial__gte=0,
                carryover_full__gte=0,
                carryover_executed__gte=0,
                other_initial__gte=0,
                other_full__gte=0,
                other_executed__gte=0,
            ),
            name=f"{prefix}_amounts_not_negative",
            violation_error_message=_("金额不能为负数。"),
        ),
        models.CheckConstraint(
            condition=Q(fiscal_executed__lte=F("fiscal_full"))
            & Q(carryover_executed__lte=F("carryover_full"))
            & Q(other_executed__lte=F("other_full")),
            name=f"{prefix}_executed_within_budget",
            violation_error_message=_("全年执行数不能超过全年预算数。"),
        ),
    ]


class BudgetYearQuerySet(models.QuerySet):
    def for_year(self, year: int):
        return self.filter(year=year)


class BudgetYear(FundingBySource):
    """The office's facts for one year and the rules its scorecards follow."""

    year = models.PositiveSmallIntegerField(
        _("年度"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        error_messages={"unique": _("该年度已经建立。")},
    )
    budget_level = models.CharField(_("预算级次"), max_length=30, default=_("一级预算单位"))
    authorized_posts = models.PositiveSmallIntegerField(_("编制数"), default=0)
    staff_in_post = models.PositiveSmallIntegerField(
        _("在编在职人数"), default=0, help_text=_("截至年末。")
    )
    retired = models.PositiveSmallIntegerField(_("离退休人数"), default=0)
    sections = models.TextField(_("内设科室"), blank=True, help_text=_("每行一个科室。"))
    subordinate_units = models.TextField(
        _("下属二级单位"), blank=True, help_text=_("每行一个；没有则留空。")
    )
    duties = models.TextField(_("主要职责"), blank=True, help_text=_("每行一条职责。"))
    report_date = models.DateField(
        _("报告日期"), null=True, blank=True, help_text=_("封面上的日期；留空则为生成当天。")
    )
    # Level-one weights of a scorecard (the national project layout by default).
    weight_execution = models.DecimalField(
        _("预算执行分值"), max_digits=5, decimal_places=2, default=Decimal("10")
    )
    weight_output = models.DecimalField(
        _("产出指标分值"), max_digits=5, decimal_places=2, default=Decimal("50")
    )
    weight_benefit = models.DecimalField(
        _("效益指标分值"), max_digits=5, decimal_places=2, default=Decimal("30")
    )
    weight_satisfaction = models.DecimalField(
        _("满意度指标分值"), max_digits=5, decimal_places=2, default=Decimal("10")
    )
    grade_excellent = models.DecimalField(
        _("“优”的最低分"), max_digits=5, decimal_places=2, default=Decimal("90")
    )
    grade_good = models.DecimalField(
        _("“良”的最低分"), max_digits=5, decimal_places=2, default=Decimal("80")
    )
    grade_pass = models.DecimalField(
        _("“中”的最低分"), max_digits=5, decimal_places=2, default=Decimal("60")
    )
    cover_label = models.CharField(
        _("封面标注"),
        max_length=20,
        blank=True,
        default=_("附件1"),
        help_text=_("封面左上角的标注，如财政部门通知中的“附件1”；不需要则留空。"),
    )
    form_layout = models.CharField(
        _("附件表式"),
        max_length=30,
        default="hunan",
        help_text=_("三个附件按哪个省份（年度）的表式填报。"),
    )
    # 楼堂馆所控制情况 of attachment 1: the office's building projects completed in the year;
    # empty when it has none.
    building_approved_area = models.DecimalField(
        _("楼堂馆所批复规模（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    building_actual_area = models.DecimalField(
        _("楼堂馆所实际规模（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    building_budget_investment = models.DecimalField(
        _("楼堂馆所预算投资（元）"), **MONEY, null=True, blank=True
    )
    building_actual_investment = models.DecimalField(
        _("楼堂馆所实际投资（元）"), **MONEY, null=True, blank=True
    )
    frugality_measures = models.TextField(_("厉行节约保障措施"), blank=True)
    sample_keys = models.JSONField(
        _("示例数据"),
        default=list,
        blank=True,
        help_text=_("附件中属于示例（并非单位实际）的数据项；表中加批注并在年度页面标明。"),
    )
    three_public_note = models.TextField(_("关于“三公”经费控制的说明"), blank=True)
    adjustment_note = models.TextField(_("关于预算调整的说明"), blank=True)
    created_at = models.DateTimeField(_("建立时间"), default=timezone.now, editable=False)

    objects = BudgetYearQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预算年度")
        verbose_name_plural = _("预算年度")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_excellent__lte=100)
                & Q(grade_excellent__gt=F("grade_good"))
                & Q(grade_good__gt=F("grade_pass"))
                & Q(grade_pass__gte=0),
                name="budget_year_grades_ordered",
                violation_error_message=_("等级分数线应满足：100 ≥ 优 > 良 > 中 ≥ 0。"),
            ),
            models.CheckConstraint(
                condition=Q(weight_execution__gte=0)
                & Q(weight_output__gte=0)
                & Q(weight_benefit__gte=0)
                & Q(weight_satisfaction__gte=0),
                name="budget_year_weights_not_negative",
                violation_error_message=_("分值不能为负数。"),
            ),
            *funding_constraints("budget_year_funds"),
            models.CheckConstraint(
                condition=Q(building_approved_area__isnull=True, building_actual_area__isnull=True)
                | Q(building_approved_area__gt=0, building_actual_area__gte=0),
                name="budget_year_building_area",
                violation_error_message=_("楼堂馆所的批复规模须大于0，实际规模不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    building_budget_investment__isnull=True,
                    building_actual_investment__isnull=True,
                )
                | Q(building_budget_investment__gt=0, building_actual_investment__gte=0),
                name="budget_year_building_investment",
                violation_error_message=_("楼堂馆所的预算投资须大于0，实际投资不能为负数。"),
            ),
        ]

    def __str__(self):
        return _("%(year)s年度") % {"year": self.year}

    def get_absolute_url(self):
        return reverse("budget:year_detail", args=[self.year])

    @property
    def section_list(self) -> list[str]:
        return lines(self.sections)

    @property
    def duty_list(self) -> list[str]:
        return lines(self.duties)

    @property
    def subordinate_unit_list(self) -> list[str]:
        return lines(self.subordinate_units)

    @property
    def level_weights(self) -> dict[str, Decimal]:
        """The level-one weights by Indicator.Level value."""
        return {
            Indicator.Level.EXECUTION: self.weight_execution,
            Indicator.Level.OUTPUT: self.weight_output,
            Indicator.Level.BENEFIT: self.weight_benefit,
            Indicator.Level.SATISFACTION: self.weight_satisfaction,
        }


class BudgetLine(models.Model):
    """预算执行: one fund and kind of spending in a year (amounts in yuan)."""

    budget_year = models.ForeignKey(
        BudgetYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="lines"
    )
    fund = models.CharField(_("资金性质"), max_length=20, choices=Fund.choices)
    kind = models.CharField(_("支出类别"), max_length=20, choices=SpendingKind.choices)
    opening = models.DecimalField(
        _("年初结转和结余（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    income = models.DecimalField(
        _("本年收入（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    expenditure = models.DecimalField(
        _("本年支出（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    closing = models.DecimalField(
        _("年末结转和结余（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预算执行")
        verbose_name_plural = _("预算执行")
        ordering = ["budget_year", "fund", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "fund", "kind"],
                name="budget_line_one_per_fund_and_kind",
                violation_error_message=_("该年度已有这一资金性质和支出类别的预算执行数。"),
            ),
            models.CheckConstraint(
                # To the fen, so that it holds on SQLite's floats too (core.money).
                condition=equals_to_the_fen(
                    "closing", F("opening") + F("income") - F("expenditure")
                ),
                name="budget_line_balances",
                violation_error_message=_(
                    "年初结转和结余 + 本年收入 − 本年支出 应等于 年末结转和结余。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(opening__gte=0, income__gte=0, expenditure__gte=0, closing__gte=0),
                name="budget_line_amounts_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
        ]

    def __str__(self):
        return f"{self.budget_year} {self.get_fund_display()} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("budget:year_detail", args=[self.budget_year.year]) + "#lines"

    @property
    def has_activity(self) -> bool:
        return any((self.opening, self.income, self.expenditure, self.closing))


class StatedTotal(models.Model):
    """A fund's year totals as the final accounts (决算) state them."""

    budget_year = models.ForeignKey(
        BudgetYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="stated_totals"
    )
    fund = models.CharField(_("资金性质"), max_length=20, choices=Fund.choices)
    income = models.DecimalField(
        _("决算本年收入（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    expenditure = models.DecimalField(
        _("决算本年支出（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("决算总数")
        verbose_name_plural = _("决算总数")
        ordering = ["budget_year", "fund"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "fund"],
                name="stated_total_one_per_fund",
                violation_error_message=_("该年度已有这一资金性质的决算总数。"),
            ),
            models.CheckConstraint(
                condition=Q(income__gte=0, expenditure__gte=0),
                name="stated_total_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
        ]

    def __str__(self):
        return f"{self.budget_year} {self.get_fund_display()} {_('决算总数')}"

    def get_absolute_url(self):
        return reverse("budget:year_detail", args=[self.budget_year.year]) + "#lines"


class ProjectExpenditure(FundingBySource):
    """项目支出: a project the office spends its budget on, e.g. its expropriation work funds."""

    budget_year = models.ForeignKey(
        BudgetYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="expenditures"
    )
    name = models.CharField(_("项目名称"), max_length=100)
    department = models.CharField(_("主管部门"), max_length=100, blank=True)
    implementer = models.CharField(_("实施单位"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目支出")
        verbose_name_plural = _("项目支出")
        ordering = ["budget_year", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "name"],
                name="expenditure_name_per_year",
                violation_error_message=_("该年度已有同名的项目支出。"),
            ),
            *funding_constraints("expenditure"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("budget:expenditure_detail", args=[self.pk])


class Indicator(models.Model):
    """绩效指标: a third-level indicator with its place in the tree, target, actual and score.

    The department's scorecard has no expenditure; a project expenditure's scorecard has it.
    An indicator bound to a figure (`figure`, a key of budget.figures) takes its actual from
    the data when the scorecard is computed; the others carry the actual staff enter."""

    class Level(models.TextChoices):
        EXECUTION = "execution", _("预算执行")
        OUTPUT = "output", _("产出指标")
        BENEFIT = "benefit", _("效益指标")
        SATISFACTION = "satisfaction", _("满意度指标")

    class Sublevel(models.TextChoices):
        EXECUTION_RATE = "execution_rate", _("预算执行率")
        QUANTITY = "quantity", _("数量指标")
        QUALITY = "quality", _("质量指标")
        TIMELINESS = "timeliness", _("时效指标")
        COST = "cost", _("成本指标")
        ECONOMIC = "economic", _("经济效益指标")
        SOCIAL = "social", _("社会效益指标")
        ECOLOGICAL = "ecological", _("生态效益指标")
        SUSTAINABLE = "sustainable", _("可持续影响指标")
        SERVICE = "service", _("服务对象满意度指标")

    class Method(models.TextChoices):
        EXECUTION = "execution", _("按预算执行率")
        POSITIVE = "positive", _("正向指标（越大越好）")
        NEGATIVE = "negative", _("反向指标（越小越好）")
        MANUAL = "manual", _("人工评分")

    # Which second-level headings sit under which first-level one.
    SUBLEVELS = {
        Level.EXECUTION: [Sublevel.EXECUTION_RATE],
        Level.OUTPUT: [Sublevel.QUANTITY, Sublevel.QUALITY, Sublevel.TIMELINESS, Sublevel.COST],
        Level.BENEFIT: [
            Sublevel.ECONOMIC,
            Sublevel.SOCIAL,
            Sublevel.ECOLOGICAL,
            Sublevel.SUSTAINABLE,
        ],
        Level.SATISFACTION: [Sublevel.SERVICE],
    }

    budget_year = models.ForeignKey(
        BudgetYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="indicators"
    )
    expenditure = models.ForeignKey(
        ProjectExpenditure,
        verbose_name=_("项目支出"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
        help_text=_("留空为部门整体支出的指标。"),
    )
    level = models.CharField(_("一级指标"), max_length=20, choices=Level.choices)
    sublevel = models.CharField(_("二级指标"), max_length=20, choices=Sublevel.choices)
    name = models.CharField(_("三级指标"), max_length=100)
    method = models.CharField(
        _("评分方法"), max_length=20, choices=Method.choices, default=Method.POSITIVE
    )
    target = models.DecimalField(
        _("年度指标值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("计量单位"), max_length=20, blank=True, help_text=_("如：个、户、%"))
    target_note = models.CharField(
        _("年度指标值（文字）"),
        max_length=100,
        blank=True,
        help_text=_("填写后表中显示这段文字，如“按期完成”。"),
    )
    figure = models.CharField(
        _("取数来源"),
        max_length=40,
        blank=True,
        help_text=_("选择系统统计的数据后，实际完成值自动填入。"),
    )
    actual = models.DecimalField(
        _("实际完成值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    actual_note = models.CharField(_("实际完成值（文字）"), max_length=100, blank=True)
    weight = models.DecimalField(
        _("分值"), max_digits=5, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    manual_score = models.DecimalField(
        _("人工评分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    score_reason = models.TextField(_("评分理由"), blank=True)
    is_applicable = models.BooleanField(
        _("适用"), default=True, help_text=_("不适用的指标不计分，其余指标按满分100折算。")
    )
    deviation = models.TextField(_("偏差原因分析及改进措施"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        ordering = ["budget_year", "expenditure", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="indicator_weight_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(method="manual")
                | (Q(manual_score__isnull=False) & ~Q(score_reason="")),
                name="indicator_manual_score_with_reason",
                violation_error_message=_("人工评分须填写得分和评分理由。"),
            ),
            models.CheckConstraint(
                condition=Q(manual_score__isnull=True)
                | Q(manual_score__gte=0, manual_score__lte=F("weight")),
                name="indicator_manual_score_within_weight",
                violation_error_message=_("人工评分应在0到分值之间。"),
            ),
            models.CheckConstraint(
                condition=~Q(method__in=["positive", "negative"]) | Q(target__isnull=False),
                name="indicator_target_for_ratio_methods",
                violation_error_message=_("正向和反向指标须填写年度指标值。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        if self.expenditure_id:
            return reverse("budget:expenditure_detail", args=[self.expenditure_id])
        return reverse("budget:year_detail", args=[self.budget_year.year]) + "#indicators"


class ExpenseControl(models.Model):
    """One expenditure-control line of attachment 1: last year's final account, this year's
    budget and this year's final account (in yuan)."""

    class Item(models.TextChoices):
        THREE_PUBLIC = "three_public", _("“三公”经费")
        VEHICLE = "vehicle", _("公务用车购置及运行维护费")
        VEHICLE_PURCHASE = "vehicle_purchase", _("公务用车购置费")
        VEHICLE_RUNNING = "vehicle_running", _("公务用车运行维护费")
        OUTBOUND = "outbound", _("因公出国（境）费")
        RECEPTION = "reception", _("公务接待费")
        PROJECT = "project", _("项目支出")
        PUBLIC_FUNDS = "public_funds", _("公用经费")
        OFFICE = "office", _("办公经费")
        UTILITIES_TRAVEL = "utilities_travel", _("水费、电费、差旅费")
        MEETING_TRAINING = "meeting_training", _("会议费、培训费")
        PROCUREMENT = "procurement", _("政府采购金额")

    # How deep each line sits under its total (the three parts of “三公”经费, the two of
    # the official cars, the “其中” parts of 公用经费), for indented labels.
    DEPTH = {
        Item.VEHICLE: 1,
        Item.VEHICLE_PURCHASE: 2,
        Item.VEHICLE_RUNNING: 2,
        Item.OUTBOUND: 1,
        Item.RECEPTION: 1,
        Item.OFFICE: 1,
        Item.UTILITIES_TRAVEL: 1,
        Item.MEETING_TRAINING: 1,
    }

    budget_year = models.ForeignKey(
        BudgetYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="controls"
    )
    item = models.CharField(_("项目"), max_length=20, choices=Item.choices)
    previous_actual = models.DecimalField(
        _("上年决算数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    budget = models.DecimalField(
        _("本年预算数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )
    actual = models.DecimalField(
        _("本年决算数（元）"), **MONEY, default=ZERO, validators=NOT_NEGATIVE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("经费控制情况")
        verbose_name_plural = _("经费控制情况")
        ordering = ["budget_year", "item"]
        constraints = [
            models.UniqueConstraint(fields=["budget_year", "item"], name="control_one_per_item"),
            models.CheckConstraint(
                condition=Q(previous_actual__gte=0, budget__gte=0, actual__gte=0),
                name="control_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.budget_year} {self.get_item_display()}"

    def get_absolute_url(self):
        return reverse("budget:controls_edit", args=[self.budget_year.year])

    @classmethod
    def label_for(cls, item: str) -> str:
        """The item's label indented under its total with full-width spaces."""
        return "　" * cls.DEPTH.get(item, 0) + str(cls.Item(item).label)

    @property
    def indented_label(self) -> str:
        return self.label_for(self.item)

    @classmethod
    def in_order(cls, controls) -> list["ExpenseControl"]:
        """Controls in the order of the form (the order of Item), not alphabetical."""
        order = {item.value: index for index, item in enumerate(cls.Item)}
        return sorted(controls, key=lambda control: order[control.item])


class Narrative(models.Model):
    """A section of the report that staff write, with named figures as {placeholders}."""

    class Kind(models.TextChoices):
        WORK = "work", _("工作开展情况")
        PARTY = "party", _("党建工作")
        PUBLICITY = "publicity", _("宣传与信息公开")
        PROBLEMS = "problems", _("存在的问题及原因分析")
        NEXT_STEPS = "next_steps", _("下一步改进措施")
        DISCLOSURE = "disclosure", _("自评结果应用和公开")
        OTHER = "other", _("其他需要说明的情况")

    budget_year = models.ForeignKey(
        BudgetYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="narratives"
    )
    kind = models.CharField(_("部分"), max_length=20, choices=Kind.choices)
    body = models.TextField(_("正文"), blank=True)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报告文字")
        verbose_name_plural = _("报告文字")
        ordering = ["budget_year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["budget_year", "kind"], name="narrative_one_per_kind")
        ]

    def __str__(self):
        return f"{self.budget_year} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("budget:narrative_edit", args=[self.budget_year.year, self.kind])


class YearClosingQuerySet(models.QuerySet):
    def latest_for(self, budget_year) -> "YearClosing | None":
        return self.filter(budget_year=budget_year).order_by("-at", "-pk").first()


class YearClosing(models.Model):
    """关账 / 重新开账: a leader closes a year, storing its figures as at 31 December, which
    every later build of that year reads; reopening it is recorded with its reason. The rows
    are a log: the latest says whether the year is closed."""

    class Action(models.TextChoices):
        CLOSE = "close", _("关账")
        REOPEN = "reopen", _("重新开账")

    budget_year = models.ForeignKey(
        BudgetYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="closings"
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.TextField(_("理由"), blank=True)
    figures = models.JSONField(_("关账时的数据"), default=dict, blank=True)

    objects = YearClosingQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度关账记录")
        verbose_name_plural = _("年度关账记录")
        ordering = ["budget_year", "-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="reopen") | ~Q(reason=""),
                name="year_reopening_has_a_reason",
                violation_error_message=_("重新开账须说明理由。"),
            ),
        ]

    def __str__(self):
        return f"{self.budget_year} {self.get_action_display()}"

    def get_absolute_url(self):
        return reverse("budget:year_detail", args=[self.budget_year.year]) + "#closing"

    @property
    def is_close(self) -> bool:
        return self.action == self.Action.CLOSE


class FindingNote(models.Model):
    """The office's explanation of one finding of the consistency check (budget.checks), and a
    leader's acknowledgement of it.

    The explanation is printed in §十 其他需要说明的情况 of the report. A report whose check
    found disagreements is published only when each is acknowledged by a leader (领导) for the
    same figures and the same words the report printed; changing the words withdraws the
    acknowledgement, and a finding whose figures changed needs a new one."""

    budget_year = models.ForeignKey(
        BudgetYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="finding_notes"
    )
    key = models.CharField(_("检查项"), max_length=80)
    explanation = models.TextField(_("差异说明"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_at = models.DateTimeField(_("填写时间"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # The finding's figures when it was acknowledged ("213.4/218.4"): other figures, new finding.
    acknowledged_figures = models.CharField(_("确认时的数字"), max_length=80, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("差异说明")
        verbose_name_plural = _("差异说明")
        ordering = ["budget_year", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "key"], name="finding_note_one_per_finding"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | ~Q(explanation=""),
                name="finding_note_acknowledged_with_explanation",
                violation_error_message=_("须先填写差异说明，领导才能确认。"),
            ),
        ]

    def __str__(self):
        return f"{self.budget_year} {self.key}"

    def get_absolute_url(self):
        return reverse("budget:year_detail", args=[self.budget_year.year]) + "#findings"

    @staticmethod
    def figures_of(finding) -> str:
        """The figures that identify a finding's state: stated and computed, with the unit."""
        get = finding.get if isinstance(finding, dict) else lambda name: getattr(finding, name)
        return f"{get('stated')}/{get('computed')}{get('unit') or ''}"

    def acknowledges(self, finding) -> bool:
        """Whether this note is acknowledged for the finding as it stands (same figures)."""
        return self.acknowledged_at is not None and self.acknowledged_figures == self.figures_of(
            finding
        )


class AnnualReportQuerySet(models.QuerySet):
    def published(self):
        """Runs published to the public page, newest year first."""
        return self.filter(published_at__isnull=False).order_by("-budget_year__year", "-pk")

    def unfinished(self):
        return self.filter(status__in=[AnnualReport.Status.QUEUED, AnnualReport.Status.RUNNING])

    def stalled(self, *, since):
        """Unfinished runs that have not moved (queued, started or progressed) since `since`."""
        return self.unfinished().filter(moved_at__lt=since)


def report_upload_to(run: "AnnualReport", filename: str) -> str:
    # One folder per run, fixed names: a job that runs twice overwrites its own files.
    return f"budget/reports/{run.budget_year.year}/run-{run.pk}/{filename}"


class AnnualReport(models.Model):
    """One run of the annual report job and the five files it wrote."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # The files of a run: field name → file name (the command writes the same names).
    FILES = {
        "pdf": "report.pdf",
        "docx": "report.docx",
        "attachment1": "attachment1.xlsx",
        "attachment2": "attachment2.xlsx",
        "attachment3": "attachment3.xlsx",
    }
    # What a downloaded file is called: its title in Chinese (the stored names above stay, as
    # the command writes them and other tools read them), see download_name.
    DOWNLOAD_NAMES = {
        "pdf": _("%(year)s年度整体支出绩效自评报告.pdf"),
        "docx": _("%(year)s年度整体支出绩效自评报告.docx"),
        "attachment1": _("附件1 %(year)s年度部门整体支出绩效评价基础数据表.xlsx"),
        "attachment2": _("附件2 %(year)s年度部门整体支出绩效自评表.xlsx"),
        "attachment3": _("附件3 %(year)s年度项目支出绩效自评表.xlsx"),
    }

    budget_year = models.ForeignKey(
        BudgetYear, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("进度"), default=0, validators=[MaxValueValidator(100)]
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    # When the run last moved (queued, started, progressed); a run that stops moving is
    # re-queued once by the stalled-jobs sweep, then marked failed.
    moved_at = models.DateTimeField(_("最近进展时间"), default=timezone.now)
    requeued = models.PositiveSmallIntegerField(_("自动重新排队次数"), default=0)
    findings = models.JSONField(_("一致性检查结果"), default=list, blank=True)
    total_score = models.DecimalField(
        _("自评得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    grade = models.CharField(_("等级"), max_length=10, blank=True)
    pdf = models.FileField(_("自评报告（PDF）"), upload_to=report_upload_to, blank=True)
    docx = models.FileField(_("自评报告（Word）"), upload_to=report_upload_to, blank=True)
    attachment1 = models.FileField(
        _("附件1 部门整体支出绩效评价基础数据表"), upload_to=report_upload_to, blank=True
    )
    attachment2 = models.FileField(
        _("附件2 部门整体支出绩效自评表"), upload_to=report_upload_to, blank=True
    )
    attachment3 = models.FileField(
        _("附件3 项目支出绩效自评表"), upload_to=report_upload_to, blank=True
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公开人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AnnualReportQuerySet.as_manager()
    # Progress is written with QuerySet.update (no history row per step); the decisions
    # (request, completion, publication) are saved and so recorded.
    history = HistoricalRecords(excluded_fields=["progress", "moved_at"])

    class Meta:
        verbose_name = _("自评报告")
        verbose_name_plural = _("自评报告")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(progress=100, finished_at__isnull=False),
                name="report_done_complete",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="done"),
                name="report_published_only_when_done",
                violation_error_message=_("只有已完成的报告可以公开。"),
            ),
        ]

    def __str__(self):
        return _("%(year)s年度自评报告（第%(pk)s次生成）") % {
            "year": self.budget_year.year,
            "pk": self.pk,
        }

    def get_absolute_url(self):
        return reverse("budget:report_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def download_name(self, field: str) -> tuple[str, str]:
        """(Chinese file name, ASCII fallback) of one of the run's files as it is downloaded:
        2022年度整体支出绩效自评报告.pdf, else 2022-report.pdf for a client that cannot read
        RFC 5987's filename*."""
        year = self.budget_year.year
        return str(self.DOWNLOAD_NAMES[field]) % {"year": year}, f"{year}-{self.FILES[field]}"

    def files(self) -> list[tuple[str, str, object]]:
        """(field name, label, file) of each file the run has."""
        return [
            (name, self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in self.FILES
            if getattr(self, name)
        ]
