"""The compensation fund (征收补偿资金专户) and what is paid from it.

- `Fund`: one account per project inside the office's dedicated account; its balance is kept on
  the row (never below zero, a database CHECK) and can be rebuilt from its ledger entries.
- `LedgerEntry`: deposits (归集), disbursements (划拨) and reversals (冲正). Append-only: on
  PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002); each entry carries a SHA-256
  hash over its content and the previous entry's hash in the same fund (compensation.ledger).
- `DisbursementRequest`: requested by finance staff, posted when a leader who is not the
  requester approves it; an idempotency key makes a repeated request pay once.
- `CompensationBreakdown` and its lines: a household's compensation computed by
  compensation.calculation from the approved plan, the current valuation and the counted items.
- `Agreement` (补偿协议) with its `Supplement`s, `HardshipSubsidy` (困难补助), the per-project
  `PriceItem` catalogue and `ItemCount`s, the office's `DocumentTemplate`s, `CostBudget` (概算)
  and `FinalAccount` (决算).

The rules that span rows live in compensation.services and compensation.ledger; the models hold
the facts and what the database can enforce.
"""

from datetime import date
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compensation import tally
from core.formatting import decimal_text
from core.money import SUM_SLACK, equals_to_the_fen
from core.scoping import DistrictScopedQuerySet
from projects.models import CompensationPlan, Household, Notice, Project

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
# The previous hash of a fund's first entry.
GENESIS_HASH = "0" * 64


def equals_sum(field: str, *addends: str) -> Q:
    """`field` equals the sum of the `addends` fields to the fen, on SQLite too (core.money)."""
    return equals_to_the_fen(field, sum((F(name) for name in addends[1:]), F(addends[0])))


class Category(models.TextChoices):
    """Cost categories of a project (征收成本费用): disbursements, budgets, final accounts."""

    HOUSE = "house", _("房屋补偿")
    RELOCATION = "relocation", _("搬迁费")
    TEMPORARY = "temporary", _("临时安置费")
    INCENTIVE = "incentive", _("奖励")
    HARDSHIP = "hardship", _("困难补助")
    APPRAISAL = "appraisal", _("评估费")
    WORKING = "working", _("工作经费")
    OTHER = "other", _("其他")


class PayeeKind(models.TextChoices):
    HOUSEHOLD = "household", _("被征收户")
    DISTRICT = "district", _("区县征收部门")


# ---------------------------------------------------------------------------
# The fund and its ledger


class FundQuerySet(DistrictScopedQuerySet):
    pass


class Fund(models.Model):
    """项目资金账户: a project's account inside the office's dedicated compensation account."""

    district_path = "project__district"

    project = models.OneToOneField(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="fund"
    )
    account_number = models.CharField(
        _("专户分户账号"), max_length=50, blank=True, help_text=_("征收补偿资金专户中的分户账号。")
    )
    opened_on = models.DateField(_("开户日期"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开户人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept by compensation.ledger under a row lock; check_ledgers re-adds the entries.
    balance = models.DecimalField(_("余额（元）"), **MONEY, default=ZERO, editable=False)
    entry_count = models.PositiveIntegerField(_("账目笔数"), default=0, editable=False)
    last_hash = models.CharField(
        _("最新账目哈希"), max_length=64, default=GENESIS_HASH, editable=False
    )
    # Running totals, kept by compensation.ledger with the balance (net of reversals), so that
    # a ledger page reads this row instead of adding up the fund's entries; check_ledgers
    # re-adds them.
    deposited = models.DecimalField(_("累计归集（元）"), **MONEY, default=ZERO, editable=False)
    disbursed = models.DecimalField(_("累计划拨（元）"), **MONEY, default=ZERO, editable=False)
    paid_to_households = models.DecimalField(
        _("已付被征收户（元）"), **MONEY, default=ZERO, editable=False
    )

    objects = FundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目资金账户")
        verbose_name_plural = _("项目资金账户")
        ordering = ["project__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0),
                name="fund_balance_not_negative",
                violation_error_message=_("资金账户余额不能为负数。"),
            ),
        ]
        # The balance moves only with the ledger (PostgreSQL): an UPDATE that changes the
        # balance, entry count or last hash must leave them equal to the fund's latest ledger
        # entry, which compensation.ledger.append_entry inserts just before (entries are
        # append-only). No flag to set, so nothing can opt out; other columns of the row (and
        # running totals kept by the ledger's functions) stay free to change.
        triggers = [
            pgtrigger.Trigger(
                name="fund_balance_follows_ledger",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.AnyChange("balance", "entry_count", "last_hash"),
                declare=[("latest", "RECORD")],
                # The f-string only inserts GENESIS_HASH, a constant.
                func=f"""
                SELECT balance_after, sequence, hash INTO latest
                  FROM compensation_ledgerentry WHERE fund_id = NEW.id
                  ORDER BY sequence DESC LIMIT 1;
                IF (NOT FOUND AND NEW.balance = 0 AND NEW.entry_count = 0
                        AND NEW.last_hash = '{GENESIS_HASH}')
                   OR (FOUND AND NEW.balance = latest.balance_after
                        AND NEW.entry_count = latest.sequence AND NEW.last_hash = latest.hash)
                THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'compensation_fund: the balance changes only with a ledger entry'
                    USING ERRCODE = 'restrict_violation';
                """,  # noqa: S608
            ),
        ]

    def __str__(self):
        return _("%(project)s资金账户") % {"project": self.project}

    def get_absolute_url(self):
        return reverse("compensation:fund_detail", args=[self.pk])


class LedgerEntryQuerySet(DistrictScopedQuerySet):
    def deposits_net(self):
        """Deposits and the reversals of deposits."""
        return self.filter(Q(kind=LedgerEntry.Kind.DEPOSIT) | Q(reverses__kind="deposit"))

    def disbursements_net(self):
        """Disbursements and the reversals of disbursements."""
        return self.filter(Q(kind=LedgerEntry.Kind.DISBURSEMENT) | Q(reverses__kind="disbursement"))


class LedgerEntry(models.Model):
    """One line of a fund's ledger. Never updated or deleted: a mistake is undone by a
    reversing entry that points at the original.

    `amount` is signed: deposits are positive, disbursements negative, a reversal is the
    opposite of what it reverses; the fund's balance is the sum of its entries. There is no
    simple_history table here: the ledger itself is the audit trail (who and when are columns,
    and the hash chain covers them)."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("归集")
        DISBURSEMENT = "disbursement", _("划拨")
        REVERSAL = "reversal", _("冲正")

    class Source(models.TextChoices):
        FISCAL = "fiscal", _("财政拨款")
        OWNER = "owner", _("项目业主")
        OTHER = "other", _("其他")

    district_path = "fund__project__district"

    fund = models.ForeignKey(
        Fund, verbose_name=_("资金账户"), on_delete=models.PROTECT, related_name="entries"
    )
    sequence = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    balance_after = models.DecimalField(_("余额（元）"), **MONEY)
    occurred_on = models.DateField(_("日期"))
    source = models.CharField(_("资金来源"), max_length=20, choices=Source.choices, blank=True)
    voucher_number = models.CharField(_("凭证号"), max_length=50, blank=True)
    payee_kind = models.CharField(
        _("收款方类型"), max_length=20, choices=PayeeKind.choices, blank=True
    )
    payee_name = models.CharField(_("收款方"), max_length=100, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("被征收户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    agreement = models.ForeignKey(
        "Agreement",
        verbose_name=_("补偿协议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    subsidy = models.ForeignKey(
        "HardshipSubsidy",
        verbose_name=_("困难补助"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    category = models.CharField(_("费用类别"), max_length=20, choices=Category.choices, blank=True)
    purpose = models.CharField(_("用途/摘要"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的账目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    request = models.OneToOneField(
        "DisbursementRequest",
        verbose_name=_("划拨申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entry",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记账人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记账时间"))
    prev_hash = models.CharField(_("上一笔哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("账目")
        verbose_name_plural = _("账目")
        ordering = ["fund", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "sequence"], name="entry_sequence_per_fund"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="entry_sequence_from_1"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="entry_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind="deposit", amount__gt=0, reverses__isnull=True)
                | Q(kind="disbursement", amount__lt=0, reverses__isnull=True)
                | (Q(kind="reversal", reverses__isnull=False) & ~Q(amount=0)),
                name="entry_amount_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="deposit") | (~Q(source="") & ~Q(voucher_number="")),
                name="entry_deposit_has_source_and_voucher",
            ),
            models.CheckConstraint(
                condition=~Q(kind="disbursement")
                | (Q(request__isnull=False) & ~Q(category="") & ~Q(payee_kind="")),
                name="entry_disbursement_has_request_category_payee",
            ),
            models.CheckConstraint(
                condition=Q(household__isnull=True)
                | Q(agreement__isnull=False, subsidy__isnull=True)
                | Q(agreement__isnull=True, subsidy__isnull=False),
                name="entry_household_payment_on_agreement_or_subsidy",
            ),
        ]
        indexes = [models.Index(fields=["household", "kind"])]
        # PostgreSQL keeps LedgerTally equal to the entries (compensation.tally).
        triggers = tally.TRIGGERS

    def __str__(self):
        return _("%(fund)s 第%(sequence)s笔") % {"fund": self.fund, "sequence": self.sequence}

    def get_absolute_url(self):
        return f"{self.fund.get_absolute_url()}#entry-{self.sequence}"

    @property
    def inflow(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def outflow(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None


class LedgerTally(models.Model):
    """A fund's deposits and disbursements in one year (of `occurred_on`), each net of its
    reversals, and how many entries each adds up: what the annual report's fund figures add
    up (budget.figures.fund_figures), a row per fund and year instead of every entry.

    PostgreSQL keeps it: a statement trigger on the ledger (compensation.tally, declared on
    LedgerEntry) adds each inserted entry to its group in the same transaction, whatever
    wrote it; the ledger is append-only, so it never goes stale. SQLite has no such trigger:
    there the figures add up the entries themselves.
    """

    fund = models.ForeignKey(
        Fund,
        verbose_name=_("资金账户"),
        # No foreign key, as the households' tally: emptying the ledger's tables in one
        # statement never trips over its groups.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="tallies",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    deposits = models.DecimalField(_("归集（元，扣除冲正）"), **MONEY)
    deposit_entries = models.PositiveIntegerField(_("归集及其冲正笔数"))
    disbursements = models.DecimalField(_("划拨（元，负数，扣除冲正）"), **MONEY)
    disbursement_entries = models.PositiveIntegerField(_("划拨及其冲正笔数"))

    class Meta:
        verbose_name = _("账目年度汇总")
        verbose_name_plural = _("账目年度汇总")
        constraints = [models.UniqueConstraint(fields=["fund", "year"], name="ledger_tally_group")]

    def __str__(self):
        return f"{self.fund_id} {self.year}: {self.deposits} / {self.disbursements}"


class DisbursementRequestQuerySet(DistrictScopedQuerySet):
    def pending(self):
        return self.filter(status=DisbursementRequest.Status.PENDING)


class DisbursementRequest(models.Model):
    """划拨申请: made by finance staff (计划财务科), posted when a leader approves it.

    The idempotency key comes from the request form (or the job that makes the request): the same
    key twice is the same request, so a double click or a retried form pays once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        POSTED = "posted", _("已划拨")
        REJECTED = "rejected", _("已驳回")

    district_path = "fund__project__district"

    fund = models.ForeignKey(
        Fund, verbose_name=_("资金账户"), on_delete=models.PROTECT, related_name="requests"
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=64)
    payee_kind = models.CharField(_("收款方类型"), max_length=20, choices=PayeeKind.choices)
    household = models.ForeignKey(
        Household,
        verbose_name=_("被征收户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursement_requests",
    )
    agreement = models.ForeignKey(
        "Agreement",
        verbose_name=_("补偿协议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    subsidy = models.ForeignKey(
        "HardshipSubsidy",
        verbose_name=_("困难补助"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    amount = models.DecimalField(
        _("金额（元）"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    category = models.CharField(_("费用类别"), max_length=20, choices=Category.choices)
    purpose = models.CharField(_("用途"), max_length=200)
    paid_on = models.DateField(_("划拨日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    objects = DisbursementRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("划拨申请")
        verbose_name_plural = _("划拨申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="request_idempotency_key"),
            # A household's pending request blocks a second one for the same amount (on the
            # same agreement or subsidy) until it is decided.
            models.UniqueConstraint(
                fields=["household", "agreement", "subsidy", "amount"],
                condition=Q(status="pending", household__isnull=False),
                nulls_distinct=False,
                name="request_one_pending_per_household_amount",
                violation_error_message=_("该户已有一笔相同金额的划拨申请待审批。"),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="request_amount_positive"),
            # Maker-checker in the database too: the approver is never the requester.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="request_decided_by_another_person",
                violation_error_message=_("申请人不能审批自己的划拨申请。"),
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="request_decided_with_who_and_when",
            ),
            models.CheckConstraint(
                condition=Q(
                    payee_kind="district",
                    household__isnull=True,
                    agreement__isnull=True,
                    subsidy__isnull=True,
                )
                | Q(
                    payee_kind="household",
                    household__isnull=False,
                    agreement__isnull=False,
                    subsidy__isnull=True,
                )
                | Q(
                    payee_kind="household",
                    household__isnull=False,
                    agreement__isnull=True,
                    subsidy__isnull=False,
                ),
                name="request_payee_consistent",
            ),
        ]
        # A request's amount is fixed when it is made (a wrong one is rejected and made anew),
        # and a posted request stays posted: the ledger entry it produced pays exactly it.
        triggers = [
            pgtrigger.Protect(
                name="request_amount_fixed",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__amount__df=pgtrigger.F("new__amount"))
                | pgtrigger.Q(old__fund_id__df=pgtrigger.F("new__fund_id"))
                | pgtrigger.Q(old__status="posted", new__status__df="posted"),
            ),
        ]

    def __str__(self):
        return _("划拨申请 #%(pk)s %(payee)s %(amount)s元") % {
            "pk": self.pk,
            "payee": self.payee_label,
            "amount": decimal_text(self.amount),  # 50,000.00 as the fund's pages write it
        }

    def get_absolute_url(self):
        return reverse("compensation:request_detail", args=[self.pk])

    @property
    def payee_label(self) -> str:
        if self.payee_kind == PayeeKind.DISTRICT:
            district = self.fund.project.district
            return district.office_name or district.name
        if self.agreement_id:
            return self.agreement.party_name
        return self.household.head_name

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class FundHashPublication(models.Model):
    """The latest hash of a fund as published on a day: an auditor holds the office to it."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("资金账户"), on_delete=models.PROTECT, related_name="publications"
    )
    day = models.DateField(_("公布日期"))
    entry_count = models.PositiveIntegerField(_("账目笔数"))
    last_hash = models.CharField(_("最新账目哈希"), max_length=64)
    balance = models.DecimalField(_("余额（元）"), **MONEY)
    published_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("账户哈希公布")
        verbose_name_plural = _("账户哈希公布")
        ordering = ["-day", "fund"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "day"], name="hash_published_once_a_day"),
        ]

    def __str__(self):
        return f"{self.fund} {self.day} {self.last_hash[:12]}"


class LedgerCheck(models.Model):
    """One run of the ledger check (nightly job or `check_ledgers`): what it found."""

    checked_at = models.DateTimeField(_("核对时间"), default=timezone.now)
    fund_count = models.PositiveIntegerField(_("账户数"))
    entry_count = models.PositiveIntegerField(_("账目笔数"))
    # [{"fund": id, "project": "...", "sequence": n or null, "message": "..."}]
    problems = models.JSONField(_("发现的问题"), default=list, blank=True)

    class Meta:
        verbose_name = _("账目核对")
        verbose_name_plural = _("账目核对")
        ordering = ["-checked_at", "-pk"]

    def __str__(self):
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'OK' if self.is_ok else 'FAIL'}"

    @property
    def is_ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------------------
# Per-household compensation


class PriceItem(models.Model):
    """补偿价格目录: an item counted on site (meters, air conditioners, broadband, water
    heaters, fixtures) and what the project pays for each."""

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="price_items"
    )
    name = models.CharField(_("项目名称"), max_length=50)
    unit = models.CharField(_("单位"), max_length=10, help_text=_("如：台、户、个、处。"))
    unit_price = models.DecimalField(
        _("单价（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补偿价格目录")
        verbose_name_plural = _("补偿价格目录")
        ordering = ["project", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="price_item_name_per_project",
                violation_error_message=_("本项目的价格目录中已有同名项目。"),
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="price_item_price_ok"),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit_price}元/{self.unit}）"


class ItemCount(models.Model):
    """实物清点: how many of a catalogue item were counted at a household."""

    district_path = "household__project__district"

    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.PROTECT, related_name="item_counts"
    )
    item = models.ForeignKey(
        PriceItem, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="counts"
    )
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("清点人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("实物清点")
        verbose_name_plural = _("实物清点")
        ordering = ["household", "item__sort_order", "item"]
        constraints = [
            models.UniqueConstraint(fields=["household", "item"], name="item_counted_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="item_count_positive"),
        ]

    def __str__(self):
        return f"{self.item.name} × {self.quantity}"


class BreakdownQuerySet(DistrictScopedQuerySet):
    def current(self):
        return self.filter(is_current=True)


class CompensationBreakdown(models.Model):
    """补偿明细: a household's compensation as computed by compensation.calculation.

    Kept with the plan version and valuation it used; a new computation replaces it as the
    household's current breakdown, and the old one stays (agreements point at theirs)."""

    district_path = "household__project__district"

    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.PROTECT, related_name="breakdowns"
    )
    plan = models.ForeignKey(
        CompensationPlan, verbose_name=_("补偿方案"), on_delete=models.PROTECT, related_name="+"
    )
    valuation = models.ForeignKey(
        "appraisers.Valuation",
        verbose_name=_("评估报告"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    method = models.CharField(_("补偿方式"), max_length=20, choices=Household.Method.choices[1:])
    swap_area = models.DecimalField(
        _("调换房屋面积（平方米）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    swap_transition = models.BooleanField(_("有过渡期"), default=True)
    signed_on = models.DateField(_("签约日期（测算依据）"), null=True, blank=True)
    compensation_total = models.DecimalField(_("补偿合计（元）"), **MONEY)
    subsidy_total = models.DecimalField(_("困难补助（元）"), **MONEY, default=ZERO)
    total = models.DecimalField(_("应付合计（元）"), **MONEY)
    # Public housing: the owning unit's and the tenant's shares of compensation_total.
    owner_share = models.DecimalField(_("产权单位应得（元）"), **MONEY, default=ZERO)
    tenant_share = models.DecimalField(_("被征收人/承租人应得（元）"), **MONEY)
    notes = models.TextField(_("测算说明"), blank=True)
    is_current = models.BooleanField(_("现行"), default=True, editable=False)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("测算人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("测算时间"), default=timezone.now)

    objects = BreakdownQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补偿明细")
        verbose_name_plural = _("补偿明细")
        ordering = ["household", "-computed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(is_current=True),
                name="breakdown_one_current_per_household",
            ),
            models.CheckConstraint(
                condition=equals_sum("total", "compensation_total", "subsidy_total"),
                name="breakdown_total_adds_up",
            ),
            models.CheckConstraint(
                condition=equals_sum("compensation_total", "owner_share", "tenant_share"),
                name="breakdown_shares_add_up",
            ),
            models.CheckConstraint(
                condition=Q(subsidy_total__gte=0), name="breakdown_subsidy_not_negative"
            ),
        ]

    def __str__(self):
        return _("%(household)s 补偿明细") % {"household": self.household}

    def get_absolute_url(self):
        return reverse("compensation:household_detail", args=[self.household_id])


class BreakdownLine(models.Model):
    """One line of a breakdown: what, how it was computed, and the amount."""

    district_path = "breakdown__household__project__district"

    breakdown = models.ForeignKey(
        CompensationBreakdown,
        verbose_name=_("补偿明细"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("代码"), max_length=30)
    label = models.CharField(_("项目"), max_length=100)
    basis = models.CharField(_("计算依据"), max_length=300, blank=True)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    category = models.CharField(_("费用类别"), max_length=20, choices=Category.choices)
    is_subsidy = models.BooleanField(_("困难补助"), default=False)

    class Meta:
        verbose_name = _("补偿明细行")
        verbose_name_plural = _("补偿明细行")
        ordering = ["breakdown", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["breakdown", "position"], name="breakdown_line_position"
            ),
        ]

    def __str__(self):
        return f"{self.label} {self.amount}"


# ---------------------------------------------------------------------------
# Agreements, supplements, document templates


class DocumentTemplate(models.Model):
    """The text of a document the office uses for a project (agreement, settlement sheet,
    compensation decision and its announcement), with
    placeholders such as {{ 户主姓名 }} (rendered by compensation.documents in a restricted
    template engine: no tags that load code or files)."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("补偿协议")
        SETTLEMENT = "settlement", _("结算单")
        DECISION = "decision", _("补偿决定书")
        DECISION_NOTICE = "decision_notice", _("补偿决定公告")
        # Property swap (resettlement.documents registers their placeholders).
        SWAP_SELECTION = "swap_selection", _("选房确认书")
        MOVE_IN_NOTICE = "move_in_notice", _("入住通知单")

    district_path = "project__district"

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="document_templates"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    body = models.TextField(_("模板正文"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        ordering = ["project", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="template_one_per_kind"),
        ]

    def __str__(self):
        return f"{self.project} {self.get_kind_display()}"


class AgreementQuerySet(DistrictScopedQuerySet):
    def approved(self):
        return self.filter(status=Agreement.Status.APPROVED)

    def signed_swap(self):
        """The household party's (被征收人) swap agreements past drafting: those a choice of
        flats after signing settles by a supplement (compensation.supplements)."""
        return self.filter(party=Agreement.Party.HOUSEHOLD, method=Household.Method.SWAP).exclude(
            status=Agreement.Status.DRAFT
        )


class Agreement(models.Model):
    """补偿协议 with one party: the household (for public housing, the tenant) or the unit that
    owns a public house. Signed, it is locked: a change is a recorded `Supplement`. It is
    reviewed and approved by the office before anything is paid on it."""

    class Party(models.TextChoices):
        HOUSEHOLD = "household", _("被征收人")
        OWNER_UNIT = "owner_unit", _("产权单位")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草拟")
        SIGNED = "signed", _("已签订")
        APPROVED = "approved", _("已审核")

    district_path = "household__project__district"

    household = models.ForeignKey(
        Household, verbose_name=_("被征收户"), on_delete=models.PROTECT, related_name="agreements"
    )
    party = models.CharField(
        _("协议当事人"), max_length=20, choices=Party.choices, default=Party.HOUSEHOLD
    )
    party_name = models.CharField(_("当事人名称"), max_length=100)
    number = models.CharField(_("协议编号"), max_length=60, unique=True)
    breakdown = models.ForeignKey(
        CompensationBreakdown,
        verbose_name=_("补偿明细"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    method = models.CharField(_("补偿方式"), max_length=20, choices=Household.Method.choices[1:])
    swap_area = models.DecimalField(
        _("调换房屋面积（平方米）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    swap_transition = models.BooleanField(
        _("期房安置（有过渡期）"),
        default=True,
        help_text=_("产权调换房屋尚未建成，需临时过渡的，计两次搬迁费和临时安置费。"),
    )
    amount = models.DecimalField(_("协议金额（元）"), **MONEY)
    adjustment = models.DecimalField(_("补充协议调整（元）"), **MONEY, default=ZERO)
    # The part of `adjustment` a breakdown computed again and stored as the household's
    # current one already counts: all of it up to the last supplement that brought the
    # agreement to that breakdown's share (a swap difference settled after the selection day),
    # so what is due adds only the rest (compensation.reports.ADJUSTMENT_BEYOND_BREAKDOWN).
    adjustment_in_breakdown = models.DecimalField(
        _("补充协议调整中已计入补偿明细（元）"), **MONEY, default=ZERO, editable=False
    )
    paid = models.DecimalField(_("已划拨（元）"), **MONEY, default=ZERO, editable=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("拟稿人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    drafted_at = models.DateTimeField(_("拟稿时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补偿协议")
        verbose_name_plural = _("补偿协议")
        ordering = ["household", "party"]
        constraints = [
            models.UniqueConstraint(fields=["household", "party"], name="agreement_one_per_party"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="agreement_paid_not_negative"),
            # The household's payments never exceed what was agreed (with its supplements).
            models.CheckConstraint(
                condition=Q(paid=0) | Q(paid__lte=F("amount") + F("adjustment") + SUM_SLACK),
                name="agreement_paid_within_amount",
                violation_error_message=_("划拨金额超过协议金额。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft", signed_on__isnull=True)
                | (~Q(status="draft") & Q(signed_on__isnull=False)),
                name="agreement_signed_with_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="agreement_approved_with_reviewer",
            ),
            models.CheckConstraint(
                condition=~Q(method="swap") | Q(swap_area__gt=0),
                name="agreement_swap_has_area",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.party_name}"

    def get_absolute_url(self):
        return reverse("compensation:agreement_detail", args=[self.pk])

    @property
    def agreed_total(self) -> Decimal:
        return self.amount + self.adjustment

    @property
    def unpaid(self) -> Decimal:
        return max(self.agreed_total - self.paid, ZERO)

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def is_payable(self) -> bool:
        return self.status == self.Status.APPROVED


class Supplement(models.Model):
    """补充协议: a recorded change to a signed agreement (the agreement itself never changes)."""

    district_path = "agreement__household__project__district"

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("补偿协议"), on_delete=models.PROTECT, related_name="supplements"
    )
    number = models.CharField(_("补充协议编号"), max_length=60, unique=True)
    signed_on = models.DateField(_("签订日期"))
    reason = models.TextField(_("变更事由"))
    adjustment = models.DecimalField(
        _("调整金额（元）"), **MONEY, help_text=_("增加填正数，减少填负数。")
    )
    in_breakdown = models.BooleanField(
        _("已计入补偿明细"),
        default=False,
        editable=False,
        help_text=_("选房后结算差价：补偿明细已按所选房屋重新测算，调整金额已在其中。"),
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
        verbose_name = _("补充协议")
        verbose_name_plural = _("补充协议")
        ordering = ["agreement", "signed_on", "pk"]

    def __str__(self):
        return self.number


# ---------------------------------------------------------------------------
# Hardship subsidies


class HardshipSubsidy(models.Model):
    """困难补助 for a vulnerable household: the amount from the plan, payable only after the
    困难补助公示 notice it was posted in has run its period."""

    district_path = "household__project__district"

    household = models.OneToOneField(
        Household,
        verbose_name=_("被征收户"),
        on_delete=models.PROTECT,
        related_name="hardship_subsidy",
    )
    plan = models.ForeignKey(
        CompensationPlan, verbose_name=_("补偿方案"), on_delete=models.PROTECT, related_name="+"
    )
    hardship = models.CharField(
        _("困难类型"), max_length=20, choices=Household.Hardship.choices[1:]
    )
    amount = models.DecimalField(_("补助金额（元）"), **MONEY)
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("困难补助公示"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hardship_subsidies",
    )
    paid = models.DecimalField(_("已划拨（元）"), **MONEY, default=ZERO, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # 已撤回: what was not paid is no longer owed (the household did not qualify, or gave it
    # up); what was paid stays paid.
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True, editable=False)

    objects = DistrictScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("困难补助")
        verbose_name_plural = _("困难补助")
        ordering = ["household"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid__gte=0, paid__lte=F("amount")),
                name="subsidy_paid_within_amount",
                violation_error_message=_("划拨金额超过困难补助金额。"),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawal_reason="")
                | (Q(withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")),
                name="subsidy_withdrawn_with_reason",
            ),
        ]

    def __str__(self):
        return _("%(household)s 困难补助") % {"household": self.household}

    def is_payable(self, today: date) -> bool:
        notice = self.notice
        return (
            not self.is_withdrawn
            and notice is not None
            and notice.is_published
            and notice.has_ended(today)
        )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def unpaid(self) -> Decimal:
        """What is still owed in yuan: nothing once withdrawn."""
        return ZERO if self.is_withdrawn else self.amount - self.paid


# ---------------------------------------------------------------------------
# Cost budget (概算) and final accounts (决算)


class CostBudget(models.Model):
    """征收成本费用概算 of a project by category; approved by a leader, then fixed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        APPROVED = "approved", _("已审定")

    district_path = "project__district"

    project = models.OneToOneField(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="cost_budget"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(_("编制说明"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编制人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("征收成本概算")
        verbose_name_plural = _("征收成本概算")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", approved_at__isnull=True)
                | Q(status="approved", approved_by__isnull=False, approved_at__isnull=False),
                name="budget_approved_with_who_and_when",
            ),
        ]

    def __str__(self):
        return _("%(project)s 征收成本概算") % {"project": self.project}

    def get_absolute_url(self):
        return reverse("compensation:cost_accounts", args=[self.project_id])

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class CostBudgetLine(models.Model):
    district_path = "budget__project__district"

    budget = models.ForeignKey(
        CostBudget, verbose_name=_("概算"), on_delete=models.CASCADE, related_name="lines"
    )
    category = models.CharField(_("费用类别"), max_length=20, choices=Category.choices)
    amount = models.DecimalField(_("概算金额（元）"), **MONEY, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("概算明细")
        verbose_name_plural = _("概算明细")
        ordering = ["budget", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "category"], name="budget_line_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.amount}"


class FinalAccount(models.Model):
    """征收成本费用决算 of a project: the actuals from the ledger by category against the budget;
    approved by a leader, then frozen (its lines are the figures as approved) and the project's
    fund takes no more entries."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        APPROVED = "approved", _("已审定")

    district_path = "project__district"

    project = models.OneToOneField(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="final_account"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(_("决算说明"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编制人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("征收成本决算")
        verbose_name_plural = _("征收成本决算")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", approved_at__isnull=True)
                | Q(status="approved", approved_by__isnull=False, approved_at__isnull=False),
                name="final_account_approved_with_who_and_when",
            ),
        ]

    def __str__(self):
        return _("%(project)s 征收成本决算") % {"project": self.project}

    def get_absolute_url(self):
        return reverse("compensation:cost_accounts", args=[self.project_id])

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class FinalAccountLine(models.Model):
    """A category of an approved final account, frozen at approval."""

    district_path = "account__project__district"

    account = models.ForeignKey(
        FinalAccount, verbose_name=_("决算"), on_delete=models.PROTECT, related_name="lines"
    )
    category = models.CharField(_("费用类别"), max_length=20, choices=Category.choices)
    budgeted = models.DecimalField(_("概算金额（元）"), **MONEY)
    actual = models.DecimalField(_("决算金额（元）"), **MONEY)

    class Meta:
        verbose_name = _("决算明细")
        verbose_name_plural = _("决算明细")
        ordering = ["account", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "category"], name="final_line_once"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.actual}"

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budgeted
