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
import heapq
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation import tally
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
from core import public_changes

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
    if value is None or type(value) in (str, int):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):  # datetimes too: recorded_at is stored in UTC
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    return value


# The payload's keys in sorted order, each with its JSON key text: the payload is what
# json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")) writes,
# put together directly (check_ledgers hashes every entry again, so this is a hot path).
_SORTED_KEYS = tuple(sorted((*HASHED_FIELDS, "prev_hash")))
_KEY_TEXT = tuple(json.dumps(key) + ":" for key in _SORTED_KEYS)
_encode_string = json.encoder.encode_basestring  # ensure_ascii=False, as json.dumps uses it


def _json_value(value) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return _encode_string(value)
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


def entry_payload(entry: LedgerEntry, prev_hash: str) -> str:
    """The canonical JSON text an entry's hash is taken over: the entry's HASHED_FIELDS and
    `prev_hash`, keys sorted, no spaces, non-ASCII as is, amounts with two decimals (as
    strings), dates and times (UTC) in ISO 8601. `sql_payload` writes the same text in SQL."""
    parts = []
    for key, key_text in zip(_SORTED_KEYS, _KEY_TEXT, strict=True):
        value = prev_hash if key == "prev_hash" else _canonical(getattr(entry, key))
        parts.append(key_text + _json_value(value))
    return "{" + ",".join(parts) + "}"


def entry_hash(entry: LedgerEntry, prev_hash: str) -> str:
    """SHA-256 (hex) over `entry_payload(entry, prev_hash)` in UTF-8."""
    return hashlib.sha256(entry_payload(entry, prev_hash).encode("utf-8")).hexdigest()


def lock_fund(fund: Fund | int) -> Fund:
    """The fund row, locked until the end of the transaction (SELECT … FOR UPDATE)."""
    pk = fund.pk if isinstance(fund, Fund) else fund
    return (
        Fund.objects.select_for_update(of=("self",)).select_related("project__district").get(pk=pk)
    )


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
    add_to_totals(fund, entry)
    return entry


# The fund's columns the ledger keeps; save them together (fund.save(update_fields=…)).
FUND_FIELDS = [
    "balance",
    "entry_count",
    "last_hash",
    "deposited",
    "disbursed",
    "paid_to_households",
]


def counts_as(entry: LedgerEntry) -> str:
    """The kind an entry counts as in the totals: a reversal counts as what it reverses."""
    if entry.kind == LedgerEntry.Kind.REVERSAL and entry.reverses_id:
        return entry.reverses.kind
    return entry.kind


def add_to_totals(fund: Fund, entry: LedgerEntry, kind: str | None = None) -> None:
    """Advance the fund's running totals (元, positive) by one entry, in memory:
    `deposited` (deposits net of their reversals), `disbursed` (disbursements net of theirs),
    `paid_to_households` (what entries naming a household paid, net)."""
    kind = kind or counts_as(entry)
    if kind == LedgerEntry.Kind.DEPOSIT:
        fund.deposited += entry.amount
    elif kind == LedgerEntry.Kind.DISBURSEMENT:
        fund.disbursed -= entry.amount
    if entry.household_id:
        fund.paid_to_households -= entry.amount


def append_entry(fund: Fund, *, recorded_by, **fields) -> LedgerEntry:
    """Append one entry to a locked fund and save the fund's new balance, hash and totals."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_entry must run inside a transaction holding the fund lock")
    entry = build_entry(fund, recorded_by=recorded_by, **fields)
    entry.save(force_insert=True)
    # No simple_history row for the fund here: the entry just written is the fund's history
    # of this change (who, when, how much, the balance after, in the hash chain), and a
    # trigger holds the fund's balance, count and hash to it. Edits to the fund's other
    # columns (account number) still get their history rows.
    fund.skip_history_when_saving = True
    try:
        fund.save(update_fields=FUND_FIELDS)
    finally:
        del fund.skip_history_when_saving
    public_changes.changed()  # the public pages show what each project's funds paid
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


# What the check reads of each entry: plain rows (no model instances), streamed.
CHECK_COLUMNS = ("pk", "prev_hash", "hash", "reverses__kind", *HASHED_FIELDS)
CHECK_CHUNK = 5000


@dataclass
class _Totals:
    deposited: Decimal = ZERO
    disbursed: Decimal = ZERO
    paid_to_households: Decimal = ZERO


class _FundCheck:
    """One fund's check, fed its entries in sequence order (as rows of CHECK_COLUMNS)."""

    def __init__(self, fund: Fund):
        self.fund = fund
        self.project = str(fund.project)
        self.problems: list[Problem] = []
        self.running = ZERO
        self.prev_hash = GENESIS_HASH
        self.expected_sequence = 1
        self.count = 0
        self.totals = _Totals()

    def problem(self, message, entry=None):
        self.problems.append(
            Problem(
                self.fund.pk,
                self.project,
                entry.sequence if entry else None,
                entry.pk if entry else None,
                message,
            )
        )

    def add(self, entry) -> None:
        """Verify one entry in Python (the path for databases other than PostgreSQL)."""
        self.count += 1
        self.running += entry.amount
        self.entry_problems(
            entry,
            expected_sequence=self.expected_sequence,
            expected_prev_hash=self.prev_hash,
            hash_ok=entry_hash(entry, entry.prev_hash) == entry.hash,
            running=self.running,
        )
        reversed_kind = entry.kind == LedgerEntry.Kind.REVERSAL and entry.reverses__kind
        add_to_totals(self.totals, entry, kind=reversed_kind or entry.kind)
        self.prev_hash = entry.hash
        self.expected_sequence = entry.sequence + 1

    def entry_problems(
        self, entry, *, expected_sequence: int, expected_prev_hash: str, hash_ok: bool, running
    ) -> None:
        """Record what is wrong with one entry (a row with pk, sequence, prev_hash,
        balance_after), given what the entries before it in the fund say: the sequence and
        previous hash it should carry, whether its own hash is right, and the running sum of
        the amounts up to and including it (元)."""
        if entry.sequence != expected_sequence:
            self.problem(
                _("序号不连续：应为第%(expected)s笔，缺少的账目可能已被删除。")
                % {"expected": expected_sequence},
                entry,
            )
        if entry.prev_hash != expected_prev_hash:
            self.problem(_("上一笔哈希与前一笔账目不符，账目链已断开。"), entry)
        if not hash_ok:
            self.problem(_("哈希校验失败：账目内容与记账时不一致（可能被篡改）。"), entry)
        if entry.balance_after != running:
            self.problem(
                _("逐笔累计余额为%(running)s元，账目记载余额为%(recorded)s元。")
                % {"running": f"{running:,.2f}", "recorded": f"{entry.balance_after:,.2f}"},
                entry,
            )

    def finish(self) -> list[Problem]:
        fund = self.fund
        if self.running != fund.balance:
            self.problem(
                _("各笔账目合计%(sum)s元，与账户余额%(balance)s元不符。")
                % {"sum": f"{self.running:,.2f}", "balance": f"{fund.balance:,.2f}"}
            )
        if self.count != fund.entry_count:
            self.problem(
                _("账目笔数为%(count)s，账户记载为%(recorded)s笔。")
                % {"count": self.count, "recorded": fund.entry_count}
            )
        if self.prev_hash != fund.last_hash:
            self.problem(_("最后一笔账目的哈希与账户记载的最新哈希不符。"))
        for name, label in (
            ("deposited", _("累计归集")),
            ("disbursed", _("累计划拨")),
            ("paid_to_households", _("已付被征收户")),
        ):
            added, kept = getattr(self.totals, name), getattr(fund, name)
            if added != kept:
                self.problem(
                    _("账目合计%(label)s%(added)s元，账户记载为%(kept)s元。")
                    % {"label": label, "added": f"{added:,.2f}", "kept": f"{kept:,.2f}"}
                )
        return self.problems


def _stream(entries):
    """Entries as plain rows through a server-side cursor, CHECK_CHUNK rows at a time."""
    return entries.values_list(*CHECK_COLUMNS, named=True).iterator(chunk_size=CHECK_CHUNK)


def check_fund(fund: Fund) -> tuple[int, list[Problem]]:
    """Verify one fund; returns (entries read, problems). Streams its entries in one query."""
    check = _FundCheck(fund)
    for entry in _stream(fund.entries.order_by("sequence")):
        check.add(entry)
    return check.count, check.finish()


# ---------------------------------------------------------------------------
# The same check in PostgreSQL: each entry's hash recomputed with sha256() over the same
# canonical text, the chain, sequence and running balance compared with window functions, and
# only the entries that disagree sent back (through a server-side cursor).


def _sql_json(column: str, kind: str) -> str:
    """The SQL for one column's JSON value as `entry_hash` writes it (`e` is the entry)."""
    col = f"e.{column}"
    if kind == "int":
        return f"coalesce({col}::text, 'null')"
    if kind == "money":  # numeric(14, 2) prints with its two places, as f"{value:.2f}" does
        return f"""coalesce('"' || {col}::text || '"', 'null')"""
    if kind == "date":
        return f"""coalesce('"' || to_char({col}, 'YYYY-MM-DD') || '"', 'null')"""
    if kind == "datetime":  # datetime.isoformat() in UTC: microseconds only when not zero
        utc = f"({col} AT TIME ZONE 'UTC')"
        return (
            f"""coalesce('"' || to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS')"""
            f" || CASE WHEN to_char({utc}, 'US') = '000000' THEN ''"
            f""" ELSE '.' || to_char({utc}, 'US') END || '+00:00"', 'null')"""
        )
    # to_json escapes exactly what json's encode_basestring does with ensure_ascii=False:
    # the quote, the backslash and the control characters (\b \f \n \r \t, others \u00xx).
    return f"coalesce(to_json({col})::text, 'null')"


def _sql_kind(field) -> str:
    if field.get_internal_type() in ("DecimalField",):
        return "money"
    if field.get_internal_type() == "DateTimeField":
        return "datetime"
    if field.get_internal_type() == "DateField":
        return "date"
    if field.get_internal_type() in ("CharField", "TextField"):
        return "text"
    return "int"  # integers and foreign keys


def sql_payload() -> str:
    """An SQL expression over a ledger entry aliased `e`: the exact text `entry_hash` hashes
    (with the entry's own `prev_hash`)."""
    parts = []
    for key, key_text in zip(_SORTED_KEYS, _KEY_TEXT, strict=True):
        field = LedgerEntry._meta.get_field(key)
        parts.append(f"'{key_text}' || {_sql_json(field.column, _sql_kind(field))}")
    return "'{' || " + " || ',' || ".join(parts) + " || '}'"


def sql_hash() -> str:
    """An SQL expression over a ledger entry aliased `e`: `entry_hash(e, e.prev_hash)`."""
    return f"encode(sha256(convert_to({sql_payload()}, 'UTF8')), 'hex')"


def _streamed_rows(sql: str, params=(), *, server_side=True):
    """The rows of a query, CHECK_CHUNK rows at a time: through a server-side cursor, or (for
    a query PostgreSQL should run in parallel, which it never does for a cursor) a plain one,
    whose rows all arrive at once."""
    with connection.chunked_cursor() if server_side else connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHECK_CHUNK):
            yield from rows


def _check_in_database(checks: dict[int, _FundCheck]) -> None:
    table = LedgerEntry._meta.db_table
    # Two passes, each sending back only the entries that disagree, in (fund, sequence)
    # order: the hashes recomputed (the costly part: a plain scan PostgreSQL may share
    # between parallel workers), and the chain, sequence and running balance from the
    # previous entry by window functions over the narrow columns, in the (fund, sequence)
    # index's order.
    bad_hashes = f"""
        SELECT e.fund_id, e.sequence, e.id FROM {table} e
         WHERE ({sql_hash()}) IS DISTINCT FROM e.hash
         ORDER BY e.fund_id, e.sequence
    """  # noqa: S608 (only the table name and a fixed expression are formatted in)
    broken_links = f"""
        SELECT fund_id, sequence, id, prev_hash, balance_after, running, expected_sequence,
               expected_prev_hash
          FROM (SELECT e.id, e.fund_id, e.sequence, e.prev_hash, e.balance_after,
                       sum(e.amount) OVER w AS running,
                       coalesce(lag(e.sequence) OVER w, 0) + 1 AS expected_sequence,
                       coalesce(lag(e.hash) OVER w, %s) AS expected_prev_hash
                  FROM {table} e
                WINDOW w AS (PARTITION BY e.fund_id ORDER BY e.sequence
                             ROWS UNBOUNDED PRECEDING)) checked
         WHERE sequence <> expected_sequence OR prev_hash <> expected_prev_hash
            OR balance_after <> running
         ORDER BY fund_id, sequence
    """  # noqa: S608
    merged = heapq.merge(
        # The entries with a wrong hash: normally none, at worst one small row each.
        _streamed_rows(bad_hashes, server_side=False),
        _streamed_rows(broken_links, [GENESIS_HASH]),
    )
    for (fund_id, _sequence), rows in groupby(merged, key=itemgetter(0, 1)):
        rows = list(rows)
        link = next((row for row in rows if len(row) > 3), None)
        hash_ok = not any(len(row) == 3 for row in rows)
        if link is None:  # only the hash is wrong: the link checks are given as passing
            fund_id, sequence, pk = rows[0]
            link = (fund_id, sequence, pk, "", ZERO, ZERO, sequence, "")
        _, sequence, pk, prev_hash, balance_after, running, expected_sequence, expected = link
        checks[fund_id].entry_problems(
            _Row(pk, sequence, prev_hash, balance_after),
            running=running,
            expected_sequence=expected_sequence,
            expected_prev_hash=expected,
            hash_ok=hash_ok,
        )
    # Each fund's count, sum and kept totals (a reversal counts as what it reverses), and
    # the hash of its latest entry (read through the (fund, sequence) index).
    totals = f"""
        SELECT e.fund_id, count(*), sum(e.amount),
               coalesce(sum(e.amount) FILTER (WHERE counted.kind = 'deposit'), 0),
               coalesce(-sum(e.amount) FILTER (WHERE counted.kind = 'disbursement'), 0),
               coalesce(-sum(e.amount) FILTER (WHERE e.household_id IS NOT NULL), 0),
               (SELECT l.hash FROM {table} l WHERE l.fund_id = e.fund_id
                 ORDER BY l.sequence DESC LIMIT 1)
          FROM {table} e
          LEFT JOIN {table} r ON r.id = e.reverses_id
         CROSS JOIN LATERAL (SELECT CASE WHEN e.kind = 'reversal' THEN r.kind
                                         ELSE e.kind END AS kind) counted
         GROUP BY e.fund_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(totals)
        for fund_id, count, total, deposited, disbursed, paid, last_hash in cursor.fetchall():
            check = checks[fund_id]
            check.count, check.running, check.prev_hash = count, total, last_hash
            check.totals = _Totals(deposited, disbursed, paid)


@dataclass(frozen=True)
class _Row:
    pk: int
    sequence: int
    prev_hash: str
    balance_after: Decimal


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
    # Plain rows through a server-side cursor; a model is loaded only for a request in error.
    rows = (
        DisbursementRequest.objects.order_by("pk")
        .values_list(
            "pk",
            "status",
            "fund_id",
            "amount",
            "entry__pk",
            "entry__fund_id",
            "entry__amount",
            named=True,
        )
        .iterator(chunk_size=CHECK_CHUNK)
    )
    for row in rows:
        has_entry = row.entry__pk is not None
        if row.status == posted and not has_entry:
            message = _("%(request)s 已划拨，但没有对应的账目。")
        elif row.status != posted and has_entry:
            message = _("%(request)s 未划拨（%(status)s），却有对应的账目。")
        elif has_entry and (row.entry__fund_id, -row.entry__amount) != (row.fund_id, row.amount):
            message = _("%(request)s 的金额或账户与其账目（%(amount)s元）不符。")
        else:
            continue
        request = DisbursementRequest.objects.select_related("entry", "fund__project").get(
            pk=row.pk
        )
        entry = getattr(request, "entry", None)
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


def _yuan(value: Decimal, *, paid_out: bool = False) -> str:
    """Yuan as the check prints them; `paid_out` shows a disbursement (negative in the
    ledger) as the positive sum paid out."""
    # ZERO minus, not unary minus: -Decimal("0.00") would print as "-0.00".
    return f"{ZERO - value if paid_out else value:,.2f}"


def _tally_messages(year: int, added: list, kept: list) -> list[str]:
    """What is wrong with one (fund, year) group of the tally, given the FIGURES the entries
    add up to and those the tally keeps (either all None when that side has no group)."""
    if kept[0] is None or added[0] is None:
        deposits, deposit_entries, disbursements, disbursement_entries = (
            added if kept[0] is None else kept
        )
        if kept[0] is None:
            message = _(
                "%(year)s年度有归集%(deposits)s元（%(deposit_entries)s笔）、"
                "划拨%(disbursements)s元（%(disbursement_entries)s笔），"
                "账目年度汇总却没有该年度。"
            )
        else:
            message = _(
                "账目年度汇总记载%(year)s年度归集%(deposits)s元（%(deposit_entries)s笔）、"
                "划拨%(disbursements)s元（%(disbursement_entries)s笔），"
                "但该年度没有归集或划拨账目。"
            )
        return [
            message
            % {
                "year": year,
                "deposits": _yuan(deposits),
                "deposit_entries": deposit_entries,
                "disbursements": _yuan(disbursements, paid_out=True),
                "disbursement_entries": disbursement_entries,
            }
        ]
    messages = []
    for label, paid_out, first in ((_("归集"), False, 0), (_("划拨"), True, 2)):
        (added_sum, added_count), (kept_sum, kept_count) = (
            added[first : first + 2],
            kept[first : first + 2],
        )
        if added_sum != kept_sum:
            messages.append(
                _("%(year)s年度账目合计%(label)s%(added)s元，账目年度汇总记载为%(kept)s元。")
                % {
                    "year": year,
                    "label": label,
                    "added": _yuan(added_sum, paid_out=paid_out),
                    "kept": _yuan(kept_sum, paid_out=paid_out),
                }
            )
        if added_count != kept_count:
            messages.append(
                _("%(year)s年度%(label)s及其冲正为%(added)s笔，账目年度汇总记载为%(kept)s笔。")
                % {"year": year, "label": label, "added": added_count, "kept": kept_count}
            )
    return messages


def _tally_problems(checks: dict[int, _FundCheck]) -> list[Problem]:
    """Each group of the ledger's yearly tally (LedgerTally, PostgreSQL only) against the
    entries it adds up, in one grouped query (`tally.drift`): per fund and year, deposits and
    disbursements to the fen and how many entries each adds up. A group with entries but no
    tally row is reported missing; a row with figures but no entries, stray. Disbursements
    are shown as paid out (positive yuan), as the annual report shows them. In (fund, year)
    order; a row of a fund that no longer exists is named by its id."""
    with connection.cursor() as cursor:
        cursor.execute(tally.drift())
        rows = cursor.fetchall()
    problems = []
    for fund_id, year, *figures in rows:
        check = checks.get(fund_id)
        project = check.project if check else _("不存在的资金账户（ID %(id)s）") % {"id": fund_id}
        for message in _tally_messages(year, figures[:4], figures[4:]):
            problems.append(Problem(fund_id, project, None, None, message))
    return problems


def _no_op() -> None:
    pass


def check_all(*, in_database: bool | None = None, after_funds_read=_no_op) -> LedgerCheck:
    """Check every fund and record the result (one LedgerCheck row): each fund's chain,
    sequence, running balance and kept totals (元), then, on PostgreSQL, the ledger's yearly
    tally (LedgerTally, what the annual report reads: each fund's and year's deposits and
    disbursements to the fen, and their entry counts, against the entries; missing and stray
    rows), then what agreements, subsidies and requests say was paid. Returns the saved
    LedgerCheck; its `problems` are the Chinese descriptions (empty when the ledger agrees),
    `fund_count`/`entry_count` what was read.

    One snapshot: the funds are read first and their entries after, in separate statements,
    so a posting committed in between would look like a fund whose row is ahead of its
    entries: a false tamper alarm. On PostgreSQL every read therefore runs in one REPEATABLE
    READ, READ ONLY transaction (`_snapshot`): all of them see the database as of the first,
    and an entry posted meanwhile is counted by the next run. Only the LedgerCheck row is
    written, after that transaction ends. Called inside a transaction the caller already
    opened, the check reads in it at the isolation the caller chose (it cannot change it).

    On PostgreSQL (`in_database` None or True) the entries are verified in the database: each
    hash recomputed with sha256() over the same canonical text, the chain, sequence and running
    balance compared with window functions, and only the entries that disagree read back.
    Elsewhere (or with `in_database=False`) every entry is streamed and verified in Python; both
    report the same problems in the same order. The tally exists on PostgreSQL only and is
    checked there in either mode, by one grouped query over the entries.

    `after_funds_read` (no arguments, default a no-op) is called between reading the funds and
    reading their entries, inside the snapshot: the seam the tests use to commit a posting
    from another connection at exactly that point. Errors: a database error propagates (no
    LedgerCheck row is written); a ledger that disagrees is not an error but a problem listed."""
    if in_database is None:
        in_database = connection.vendor == "postgresql"
    with _snapshot():
        funds = {fund.pk: fund for fund in Fund.objects.select_related("project").order_by("pk")}
        after_funds_read()
        checks = {pk: _FundCheck(fund) for pk, fund in funds.items()}
        if in_database:
            _check_in_database(checks)
        else:
            # One pass over every entry, fund by fund, through a server-side cursor: memory
            # stays at one chunk of rows however long the ledgers are.
            for entry in _stream(LedgerEntry.objects.order_by("fund_id", "sequence")):
                checks[entry.fund_id].add(entry)
        problems: list[Problem] = []
        entries = 0
        for check in checks.values():
            entries += check.count
            problems.extend(check.finish())
        if connection.vendor == "postgresql":  # elsewhere no trigger keeps a tally to check
            problems.extend(_tally_problems(checks))
        problems.extend(_paid_problems())
        problems.extend(_request_problems())
        # describe() may load a related row (a request's project): inside the snapshot too.
        found = [p.as_dict() | {"text": p.describe()} for p in problems]
    return LedgerCheck.objects.create(fund_count=len(funds), entry_count=entries, problems=found)


@contextmanager
def _snapshot():
    """A transaction in which every read sees the same snapshot: on PostgreSQL, when this
    opens the transaction, REPEATABLE READ and READ ONLY (set by its first statement, before
    any read takes the snapshot). PostgreSQL (12 and later) still runs the hash pass as a
    parallel query at this level, and the chain pass's server-side cursor lives until the
    transaction ends, which is after both are read. Inside a caller's transaction, or on
    another database, a plain atomic block (SQLite reads in one transaction see one state)."""
    opens = not connection.in_atomic_block
    with transaction.atomic():
        if opens and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


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
