"""The ledger's mechanics: appending an entry under the fund's row lock, the hash chain, the
check that re-adds every fund from its entries, and the daily publication of each fund's latest
hash.

Hash chain: each entry's `hash` is SHA-256 over a canonical JSON of its own content (every
column that says what happened, who recorded it and when) and the previous entry's hash in the
same fund (`GENESIS_HASH` for the first). Changing any entry, removing one, or reordering them
breaks the chain from there on; removing the latest entries is caught by the fund row's
`entry_count`/`last_hash` and, after the fact, by the hashes published every day.

Only `append_entry` writes entries, and only inside a transaction that holds the fund's row
lock (`lock_fund`), so the sequence, the running balance and the chain never fork.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation.models import (
    GENESIS_HASH,
    ZERO,
    Agreement,
    DisbursementRequest,
    Fund,
    FundHashPublication,
    HardshipSubsidy,
    LedgerCheck,
    LedgerEntry,
)

# The columns the hash covers, in this order (the JSON keys are sorted anyway).
HASHED_FIELDS = (
    "fund_id",
    "sequence",
    "kind",
    "amount",
    "balance_after",
    "occurred_on",
    "source",
    "voucher_number",
    "payee_kind",
    "payee_name",
    "household_id",
    "agreement_id",
    "subsidy_id",
    "category",
    "purpose",
    "reverses_id",
    "request_id",
    "recorded_by_id",
    "recorded_at",
)


def _canonical(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):  # datetimes too: recorded_at is stored in UTC
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    return value


def entry_hash(entry: LedgerEntry, prev_hash: str) -> str:
    content = {name: _canonical(getattr(entry, name)) for name in HASHED_FIELDS}
    content["prev_hash"] = prev_hash
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def lock_fund(fund: Fund | int) -> Fund:
    """The fund row, locked until the end of the transaction (SELECT … FOR UPDATE)."""
    pk = fund.pk if isinstance(fund, Fund) else fund
    return Fund.objects.select_for_update(of=("self",)).select_related("project").get(pk=pk)


def build_entry(fund: Fund, *, recorded_by, recorded_at=None, **fields) -> LedgerEntry:
    """The next entry of a fund (not saved): sequence, running balance and hashes filled in.

    `fund` must be locked (or, in the demo loader, private to the caller); its balance, count
    and last hash are advanced in memory."""
    entry = LedgerEntry(
        fund=fund,
        sequence=fund.entry_count + 1,
        recorded_by=recorded_by,
        recorded_at=recorded_at or timezone.now(),
        prev_hash=fund.last_hash,
        **fields,
    )
    entry.amount = Decimal(entry.amount).quantize(Decimal("0.01"))
    entry.balance_after = fund.balance + entry.amount
    if entry.balance_after < 0:
        raise ValidationError(
            _("资金账户余额不足：当前余额%(balance)s元，本笔需%(amount)s元，不能透支。")
            % {"balance": f"{fund.balance:,.2f}", "amount": f"{-entry.amount:,.2f}"}
        )
    entry.hash = entry_hash(entry, fund.last_hash)
    fund.balance = entry.balance_after
    fund.entry_count = entry.sequence
    fund.last_hash = entry.hash
    return entry


def append_entry(fund: Fund, *, recorded_by, **fields) -> LedgerEntry:
    """Append one entry to a locked fund and save the fund's new balance and hash."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_entry must run inside a transaction holding the fund lock")
    entry = build_entry(fund, recorded_by=recorded_by, **fields)
    entry.save(force_insert=True)
    fund.save(update_fields=["balance", "entry_count", "last_hash"])
    return entry


# ---------------------------------------------------------------------------
# The check: re-add every fund from its entries and verify the chains


@dataclass(frozen=True)
class Problem:
    fund_id: int
    project: str
    sequence: int | None
    entry_id: int | None
    message: str

    def describe(self) -> str:
        where = self.project
        if self.sequence is not None:
            where += _(" 第%(sequence)s笔（账目ID %(id)s）") % {
                "sequence": self.sequence,
                "id": self.entry_id,
            }
        return f"{where}：{self.message}"

    def as_dict(self) -> dict:
        return {
            "fund": self.fund_id,
            "project": self.project,
            "sequence": self.sequence,
            "entry": self.entry_id,
            "message": self.message,
        }


def check_fund(fund: Fund) -> tuple[int, list[Problem]]:
    """Verify one fund; returns (entries read, problems). Reads its entries in one query."""
    problems: list[Problem] = []
    project = str(fund.project)

    def problem(message, entry=None):
        problems.append(
            Problem(
                fund.pk,
                project,
                entry.sequence if entry else None,
                entry.pk if entry else None,
                message,
            )
        )

    running = ZERO
    prev_hash = GENESIS_HASH
    expected_sequence = 1
    count = 0
    for entry in fund.entries.order_by("sequence").iterator(chunk_size=2000):
        count += 1
        if entry.sequence != expected_sequence:
            problem(
                _("序号不连续：应为第%(expected)s笔，缺少的账目可能已被删除。")
                % {"expected": expected_sequence},
                entry,
            )
        if entry.prev_hash != prev_hash:
            problem(_("上一笔哈希与前一笔账目不符，账目链已断开。"), entry)
        recomputed = entry_hash(entry, entry.prev_hash)
        if recomputed != entry.hash:
            problem(_("哈希校验失败：账目内容与记账时不一致（可能被篡改）。"), entry)
        running += entry.amount
        if entry.balance_after != running:
            problem(
                _("逐笔累计余额为%(running)s元，账目记载余额为%(recorded)s元。")
                % {"running": f"{running:,.2f}", "recorded": f"{entry.balance_after:,.2f}"},
                entry,
            )
        prev_hash = entry.hash
        expected_sequence = entry.sequence + 1
    if running != fund.balance:
        problem(
            _("各笔账目合计%(sum)s元，与账户余额%(balance)s元不符。")
            % {"sum": f"{running:,.2f}", "balance": f"{fund.balance:,.2f}"}
        )
    if count != fund.entry_count:
        problem(
            _("账目笔数为%(count)s，账户记载为%(recorded)s笔。")
            % {"count": count, "recorded": fund.entry_count}
        )
    if prev_hash != fund.last_hash:
        problem(_("最后一笔账目的哈希与账户记载的最新哈希不符。"))
    return count, problems


def _paid_problems() -> list[Problem]:
    """Each agreement's and subsidy's `paid` equals what its entries paid."""
    problems = []
    for model, label in ((Agreement, _("补偿协议")), (HardshipSubsidy, _("困难补助"))):
        related = "agreement" if model is Agreement else "subsidy"
        sums = dict(
            LedgerEntry.objects.filter(**{f"{related}__isnull": False})
            .values_list(related)
            .annotate(total=Sum("amount"))
        )
        for row in model.objects.select_related("household__project__fund"):
            # Quantized: SQLite (the laptop default) sums decimals as floating point.
            paid = -Decimal(sums.get(row.pk) or ZERO).quantize(Decimal("0.01"))
            if paid != row.paid:
                fund = getattr(row.household.project, "fund", None)
                problems.append(
                    Problem(
                        fund.pk if fund else 0,
                        str(row.household.project),
                        None,
                        None,
                        _("%(what)s %(row)s 记载已划拨%(recorded)s元，账目合计%(paid)s元。")
                        % {
                            "what": label,
                            "row": row,
                            "recorded": f"{row.paid:,.2f}",
                            "paid": f"{paid:,.2f}",
                        },
                    )
                )
    return problems


def _request_problems() -> list[Problem]:
    """Each disbursement request against its ledger entry: a posted request has exactly one
    entry, in its own fund, paying exactly its amount; a pending or rejected one has none."""
    problems = []
    posted = DisbursementRequest.Status.POSTED
    requests = DisbursementRequest.objects.select_related("entry", "fund__project")
    for request in requests.order_by("pk").iterator(chunk_size=2000):
        entry = getattr(request, "entry", None)
        if request.status == posted and entry is None:
            message = _("%(request)s 已划拨，但没有对应的账目。")
        elif request.status != posted and entry is not None:
            message = _("%(request)s 未划拨（%(status)s），却有对应的账目。")
        elif entry is not None and (entry.fund_id, -entry.amount) != (
            request.fund_id,
            request.amount,
        ):
            message = _("%(request)s 的金额或账户与其账目（%(amount)s元）不符。")
        else:
            continue
        problems.append(
            Problem(
                request.fund_id,
                str(request.fund.project),
                entry.sequence if entry else None,
                entry.pk if entry else None,
                message
                % {
                    "request": request,
                    "status": request.get_status_display(),
                    "amount": f"{-entry.amount:,.2f}" if entry else "",
                },
            )
        )
    return problems


def check_all() -> LedgerCheck:
    """Check every fund and record the result (one LedgerCheck row)."""
    problems: list[Problem] = []
    entries = 0
    funds = list(Fund.objects.select_related("project").order_by("pk"))
    for fund in funds:
        count, found = check_fund(fund)
        entries += count
        problems.extend(found)
    problems.extend(_paid_problems())
    problems.extend(_request_problems())
    return LedgerCheck.objects.create(
        fund_count=len(funds),
        entry_count=entries,
        problems=[p.as_dict() | {"text": p.describe()} for p in problems],
    )


# ---------------------------------------------------------------------------
# Publication of the latest hashes (the public page reads these)


@transaction.atomic
def publish_fund_hashes(*, day: date) -> list[FundHashPublication]:
    """Record each fund's latest hash as of now under `day`. Safe to run twice the same day:
    the first publication of a day stands (it is what was shown to the public)."""
    done = set(FundHashPublication.objects.filter(day=day).values_list("fund_id", flat=True))
    rows = [
        FundHashPublication(
            fund=fund,
            day=day,
            entry_count=fund.entry_count,
            last_hash=fund.last_hash,
            balance=fund.balance,
        )
        for fund in Fund.objects.exclude(pk__in=done)
    ]
    FundHashPublication.objects.bulk_create(rows, ignore_conflicts=True)
    return list(FundHashPublication.objects.filter(day=day))


@dataclass(frozen=True)
class PublishedHash:
    project: str
    district: str
    day: date
    entry_count: int
    last_hash: str
    balance: Decimal


def published_hashes(*, day: date | None = None) -> list[PublishedHash]:
    """What the public disclosure page shows: each fund's latest hash as published on `day`
    (default: the latest day with a publication). Publishes today's first if asked for today
    and nothing is published yet."""
    today = timezone.localdate()
    if day is None:
        latest = FundHashPublication.objects.order_by("-day").values_list("day", flat=True)
        day = latest.first() or today
    rows = FundHashPublication.objects.filter(day=day)
    if day == today and not rows.exists():
        publish_fund_hashes(day=today)
    return [
        PublishedHash(
            project=row.fund.project.name,
            district=row.fund.project.district.name,
            day=row.day,
            entry_count=row.entry_count,
            last_hash=row.last_hash,
            balance=row.balance,
        )
        for row in rows.select_related("fund__project__district").order_by("fund__project__code")
    ]
