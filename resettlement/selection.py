"""House selection (选房) for property swap: the order, the selection day, the picks.

Who may choose (国有土地上房屋征收与补偿条例 第二十一条: the household chooses property swap):
the project's households whose signed agreement is 产权调换 (`Household.method` = swap, with its
signing date), and, before signing, the households that declared swap by a drafted swap
agreement (`compensation.Agreement` with method swap) — the model keeps no other declaration.
A round ordered by signing (按签约先后) takes only the signed swap households, by signing date,
ties by household code; a round ordered by a public draw (公开摇号) takes both, in the order
drawn from a recorded seed by `appraisers.draws.draw_order`, which anyone can re-run on the
public verification page.

The order is published as a notice (`Notice.Kind.SELECTION_ORDER`): `publish_order` drafts it
and sends it to a leader's sign-off (core.signoffs "notice"); 业务科 publishes it on the notice
page like any other notice. Only then may households be called (projects.gates
"selection.call", "selection.pick": 签约 stage, the order published).

The selection day: staff call the numbers in order (`call_next`); a household that is not
there is marked 过号 (`mark_absent`) and may be called again later (`recall`). Only the
household whose number is called may pick (`pick`), one or more flats frozen for the project,
within its entitlement: at most `SwapTerms.max_flats` flats, and a total building area of at
most its entitlement area + `SwapTerms.max_extra_area` when a cap is set. A flat is taken by one
household only: the pick locks the flat row (select_for_update) and checks its state, and the
unique constraint on the active selection is the last guard. `cancel_selection` undoes a pick
with a reason; the flat returns to 冻结 and can be picked again.

Several rounds of one project may be open at once (batches, or two selection halls); the
entitlement counts a household's active selections across all of them, under a lock on the
household row taken before the flat's (the same order in every pick: no deadlock).

Every function raises ValidationError with a Chinese message naming the rule broken, and
PermissionDenied for a user who may not edit the project (office staff and the project's own
district office may).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appraisers import draws
from compensation import calculation
from core import permissions, public_changes
from core.formatting import cn_date
from core.masking import mask_name
from core.models import User
from projects import gates
from projects import services as project_services
from projects.models import CompensationPlan, Household, Notice, Project
from projects.stages import approved_plan
from resettlement.models import (
    Flat,
    Selection,
    SelectionOrder,
    SelectionRound,
    SwapTerms,
    WindowExtension,
)

ZERO_AREA = Decimal("0.00")


# ---------------------------------------------------------------------------
# Reads


def swap_terms(project: Project) -> SwapTerms | None:
    """The selection rules of the project's approved plan, or None (no approved plan or no
    rules in it)."""
    plan = approved_plan(project)
    if plan is None:
        return None
    return SwapTerms.objects.filter(plan=plan).prefetch_related("tiers").first()


def entitlement_area(household: Household, terms: SwapTerms) -> Decimal:
    """以旧换新面积 in m², to the hundredth: the old house's building area × the plan's ratio +
    its bonus area (SwapTerms)."""
    return calculation.entitlement_area(
        household.area, terms.entitlement_ratio, terms.entitlement_bonus_area
    )


def area_limit(household: Household, terms: SwapTerms) -> Decimal | None:
    """The most building area (m²) the household may choose in all: entitlement + the cap on
    extra area, or None when the plan sets no cap."""
    if terms.max_extra_area is None:
        return None
    return entitlement_area(household, terms) + terms.max_extra_area


def active_selections(household: Household):
    return Selection.objects.active().filter(household=household)


def chosen_area(household: Household) -> Decimal:
    """The total building area (m², two decimals) of the household's active selections.
    Quantized: SQLite (`make run`) sums decimals as floats and drops their scale (45 for 45.00)."""
    total = Selection.objects.filter(household=household, is_active=True).aggregate(
        total=Sum("flat__area")
    )["total"]
    return (total or ZERO_AREA).quantize(ZERO_AREA)


def swap_households(project: Project, method: str):
    """The households that may choose in a round of `method` (see the module docstring)."""
    signed = Q(method=Household.Method.SWAP, signed_on__isnull=False)
    if method == SelectionRound.Method.SIGNING:
        return project.households.filter(signed).order_by("signed_on", "code")
    from compensation.models import Agreement

    declared = Q(
        signed_on__isnull=True,
        pk__in=Agreement.objects.filter(method=Household.Method.SWAP).values("household_id"),
    )
    return project.households.filter(signed | declared).order_by("code")


class LeftOut:
    """Why a swap household is left out of a later round's order (it has finished choosing)."""

    SIGNED = "signed"
    FULL = "full"
    WAIVED = "waived"

    LABELS = {
        SIGNED: gettext_lazy("已就所选房源签订产权调换协议"),
        FULL: gettext_lazy("已选满可选套数或面积"),
        WAIVED: gettext_lazy("已登记放弃选房或改选货币补偿"),
    }


def finished_households(project: Project) -> dict[int, str]:
    """The project's households that have finished choosing, by id → LeftOut reason: signed
    on their chosen flats (a flat of an active selection 已签约/已交付), or active selections
    filling the plan's entitlement (`SwapTerms.max_flats` flats, or the area limit reached),
    or a waiver recorded in an earlier round. A later round (补选) orders only the others."""
    reasons: dict[int, str] = {}
    for household_id in SelectionOrder.objects.filter(
        round__project=project, waived_at__isnull=False
    ).values_list("household_id", flat=True):
        reasons[household_id] = LeftOut.WAIVED
    terms = swap_terms(project)
    chosen = (
        Selection.objects.filter(household__project=project, is_active=True)
        .values("household_id")
        .annotate(flats=Count("pk"), area=Sum("flat__area"))
    )
    households = Household.objects.in_bulk([row["household_id"] for row in chosen])
    for row in chosen:
        household = households[row["household_id"]]
        if terms is not None and (
            row["flats"] >= terms.max_flats
            or (terms.max_extra_area is not None and row["area"] >= area_limit(household, terms))
        ):
            reasons[household.pk] = LeftOut.FULL
    for household_id in (
        Selection.objects.signed()
        .filter(household__project=project)
        .values_list("household_id", flat=True)
    ):
        reasons[household_id] = LeftOut.SIGNED
    return reasons


def round_households(project: Project, method: str) -> list[Household]:
    """The households a new round of `method` orders: `swap_households` less those that have
    finished choosing (`finished_households`)."""
    finished = finished_households(project)
    return [h for h in swap_households(project, method) if h.pk not in finished]


def left_out(selection_round: SelectionRound) -> list[tuple[str, int]]:
    """For an ordered round: the swap households it could have taken but did not (they had
    finished choosing), counted by reason as (label, count), largest first. Reasons are read
    now, so a household cancelled or re-opened since shows under its present state."""
    if selection_round.state == SelectionRound.State.DRAFT:
        return []
    in_order = set(selection_round.orders.values_list("household_id", flat=True))
    finished = finished_households(selection_round.project)
    counts: dict[str, int] = {}
    for household in swap_households(selection_round.project, selection_round.method):
        if household.pk not in in_order:
            reason = finished.get(household.pk)
            label = str(LeftOut.LABELS[reason]) if reason else str(_("排序后新增或情况已变更"))
            counts[label] = counts.get(label, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


def is_order_published(selection_round: SelectionRound) -> bool:
    notice = selection_round.notice
    return notice is not None and notice.published_on is not None


def current_order(selection_round: SelectionRound) -> SelectionOrder | None:
    """The order whose number is called now, or None."""
    if selection_round.current_number is None:
        return None
    return (
        selection_round.orders.select_related("household")
        .filter(number=selection_round.current_number)
        .first()
    )


def waiting_orders(selection_round: SelectionRound):
    """Numbers not yet called (nor waived), in order."""
    return selection_round.orders.filter(called_at__isnull=True, waived_at__isnull=True).order_by(
        "number"
    )


def absent_orders(selection_round: SelectionRound):
    """Numbers called and marked 过号, not yet recalled (nor waived), in order."""
    return selection_round.orders.filter(absent=True, waived_at__isnull=True).order_by("number")


@dataclass(frozen=True)
class Entitlement:
    """What a household may still choose: flats and area (m²); `area_left` None = no cap."""

    max_flats: int
    flats_chosen: int
    entitlement_area: Decimal
    area_chosen: Decimal
    area_limit: Decimal | None

    @property
    def flats_left(self) -> int:
        return max(self.max_flats - self.flats_chosen, 0)

    @property
    def area_left(self) -> Decimal | None:
        if self.area_limit is None:
            return None
        return self.area_limit - self.area_chosen


def entitlement_of(household: Household, terms: SwapTerms) -> Entitlement:
    return Entitlement(
        max_flats=terms.max_flats,
        flats_chosen=Selection.objects.filter(household=household, is_active=True).count(),
        entitlement_area=entitlement_area(household, terms),
        area_chosen=chosen_area(household),
        area_limit=area_limit(household, terms),
    )


# ---------------------------------------------------------------------------
# The order


def _locked(selection_round: SelectionRound) -> SelectionRound:
    return (
        SelectionRound.objects.select_for_update(of=("self",))
        .select_related("project", "notice")
        .get(pk=selection_round.pk)
    )


def _sync_published(selection_round: SelectionRound) -> None:
    # The notice is published on the projects' notice page, which does not know rounds.
    if selection_round.state == SelectionRound.State.ORDERED and is_order_published(
        selection_round
    ):
        selection_round.state = SelectionRound.State.PUBLISHED
        selection_round.save(update_fields=["state"])


@transaction.atomic
def create_round(
    *, project: Project, by: User, method: str, selection_on: date | None = None
) -> SelectionRound:
    """A new round (draft) for `project`, its order to be fixed by `method`
    (SelectionRound.Method: signing or draw), its selection day `selection_on` (optional).

    Raises ValidationError outside the 签约 stage, without the plan's selection rules, with a
    selection day outside the plan's selection window, or when no household may choose."""
    permissions.ensure(by, "resettlement.run_selection", project)
    if method not in SelectionRound.Method.values:
        raise ValidationError(_("请选择选房顺序的确定方式。"))
    gates.ensure_allowed("selection.order", project=project)
    terms = swap_terms(project)
    _ensure_in_window(terms, selection_on)
    if not swap_households(project, method).exists():
        if method == SelectionRound.Method.SIGNING:
            raise ValidationError(_("本项目尚无已签订产权调换协议的被征收户，不能按签约先后排序。"))
        raise ValidationError(_("本项目尚无选择产权调换的被征收户。"))
    if not round_households(project, method):
        raise ValidationError(str(ALL_FINISHED))
    selection_round = SelectionRound(
        project=project, method=method, selection_on=selection_on, created_by=by
    )
    selection_round.full_clean()
    selection_round.save()
    return selection_round


ALL_FINISHED = gettext_lazy(
    "选择产权调换的被征收户均已选房完毕（已签约、已选满或已放弃），无需再组织选房。"
)


def _ensure_in_window(terms: SwapTerms | None, day: date | None, *, late: str = "") -> None:
    """Raise ValidationError when `day` is outside the selection window (its closing day read
    once: SwapTerms.closes_on is a query); `late`: the message, with %(day)s, for a day after
    it (default: a selection day set too late)."""
    if terms is None or day is None:
        return
    if terms.window_opens_on and day < terms.window_opens_on:
        raise ValidationError(
            _("选房日不能早于补偿方案规定的选房开始日期%(day)s。")
            % {"day": cn_date(terms.window_opens_on)}
        )
    closes_on = terms.closes_on
    if closes_on and day > closes_on:
        late = late or _("选房日不能晚于补偿方案规定的选房截止日期%(day)s。")
        raise ValidationError(late % {"day": cn_date(closes_on)})


def _ensure_draft(selection_round: SelectionRound) -> None:
    if selection_round.state != SelectionRound.State.DRAFT:
        raise ValidationError(_("选房顺序已经确定，不能重新排序。"))


@transaction.atomic
def order_by_signing(*, selection_round: SelectionRound, by: User) -> SelectionRound:
    """Fix the order by signing date (earliest first), ties by household code ascending.

    Raises ValidationError for a round of the draw method or one already ordered."""
    permissions.ensure(by, "resettlement.run_selection", selection_round.project)
    selection_round = _locked(selection_round)
    _ensure_draft(selection_round)
    if selection_round.method != SelectionRound.Method.SIGNING:
        raise ValidationError(_("本次选房按公开摇号确定顺序，请组织摇号。"))
    gates.ensure_allowed("selection.order", project=selection_round.project)
    if not swap_households(selection_round.project, selection_round.method).exists():
        raise ValidationError(_("本项目尚无已签订产权调换协议的被征收户，不能按签约先后排序。"))
    households = round_households(selection_round.project, selection_round.method)
    if not households:
        raise ValidationError(str(ALL_FINISHED))
    _write_order(selection_round, households)
    return selection_round


@transaction.atomic
def draw_order(
    *,
    selection_round: SelectionRound,
    by: User,
    witnesses: str,
    notary: str = "",
    now: datetime | None = None,
) -> SelectionRound:
    """公开摇号: generate the seed, record it with the witnesses, the notary and the time, and
    number the households in the order `appraisers.draws.draw_order` gives over their codes.

    Raises ValidationError without witnesses, for a round ordered by signing or already
    ordered."""
    permissions.ensure(by, "resettlement.run_selection", selection_round.project)
    selection_round = _locked(selection_round)
    _ensure_draft(selection_round)
    if selection_round.method != SelectionRound.Method.DRAW:
        raise ValidationError(_("本次选房按签约先后确定顺序，不需摇号。"))
    if not witnesses.strip():
        raise ValidationError(_("请填写见证人。"))
    gates.ensure_allowed("selection.order", project=selection_round.project)
    if not swap_households(selection_round.project, "draw").exists():
        raise ValidationError(_("本项目尚无选择产权调换的被征收户。"))
    households = {h.code: h for h in round_households(selection_round.project, "draw")}
    if not households:
        raise ValidationError(str(ALL_FINISHED))
    seed = draws.new_seed()
    order = draws.draw_order(seed, list(households))
    selection_round.seed = seed
    selection_round.drawn_at = now or timezone.now()
    selection_round.witnesses = witnesses.strip()
    selection_round.notary = notary.strip()
    _write_order(selection_round, [households[code] for code in order])
    return selection_round


def _write_order(selection_round: SelectionRound, households: list[Household]) -> None:
    SelectionOrder.objects.bulk_create(
        SelectionOrder(round=selection_round, household=household, number=number)
        for number, household in enumerate(households, start=1)
    )
    selection_round.state = SelectionRound.State.ORDERED
    selection_round.save()


def verifies(selection_round: SelectionRound) -> bool:
    """Re-run a drawn round from its record: True when the seed and the published codes give
    the recorded numbers."""
    orders = list(selection_round.orders.select_related("household").order_by("number"))
    codes = [order.household.code for order in orders]
    return bool(codes) and draws.draw_order(selection_round.seed, codes) == codes


def order_notice_title(selection_round: SelectionRound) -> str:
    return _("%(project)s产权调换选房顺序公告") % {"project": selection_round.project.name}


def order_notice_body(selection_round: SelectionRound) -> str:
    """The public text of the order: how it was fixed and each number with the household code
    and the masked name (no other personal data); for a draw, all that is needed to re-run it."""
    project = selection_round.project
    lines = [
        _("%(project)s（%(district)s）产权调换选房顺序公告如下：")
        % {"project": project.name, "district": project.district.name},
        "",
    ]
    if selection_round.method == SelectionRound.Method.SIGNING:
        lines.append(_("选房顺序按签订产权调换协议的先后确定，同日签约的按户号由小到大排列。"))
    else:
        lines.append(
            _("选房顺序于%(day)s公开摇号确定，见证人：%(witnesses)s。")
            % {
                "day": cn_date(timezone.localdate(selection_round.drawn_at)),
                "witnesses": selection_round.witnesses,
            }
        )
        if selection_round.notary:
            lines.append(_("公证机构：%(notary)s。") % {"notary": selection_round.notary})
        lines.append(_("随机种子：%(seed)s") % {"seed": selection_round.seed})
        lines += draws.order_steps()
    if selection_round.selection_on:
        lines.append(_("选房日：%(day)s。") % {"day": cn_date(selection_round.selection_on)})
    lines += ["", _("顺序号　户号　户主")]
    for order in selection_round.orders.select_related("household").order_by("number"):
        lines.append(
            f"{order.number}　{order.household.code}　{mask_name(order.household.head_name)}"
        )
    return "\n".join(lines)


@transaction.atomic
def publish_order(*, selection_round: SelectionRound, by: User) -> Notice:
    """Draft the order notice (选房顺序公告) and send it to a leader's sign-off; 业务科 then
    publishes it on the notice page (projects.services.publish_notice). Returns the notice.

    Raises ValidationError before the order is fixed or when its notice is already drafted."""
    permissions.ensure(by, "resettlement.run_selection", selection_round.project)
    selection_round = _locked(selection_round)
    if selection_round.state == SelectionRound.State.DRAFT:
        raise ValidationError(_("选房顺序尚未确定，不能公告。"))
    if selection_round.notice_id is not None:
        raise ValidationError(_("选房顺序公告已经起草，请在公告页办理签发和发布。"))
    notice = project_services.draft_notice(
        project=selection_round.project,
        by=by,
        kind=Notice.Kind.SELECTION_ORDER,
        title=order_notice_title(selection_round),
        body=order_notice_body(selection_round),
        period_days=0,
    )
    selection_round.notice = notice
    selection_round.save(update_fields=["notice"])
    return notice


# ---------------------------------------------------------------------------
# The selection day


def _ensure_can_call(selection_round: SelectionRound, today: date) -> None:
    _sync_published(selection_round)
    if selection_round.state == SelectionRound.State.CLOSED:
        raise ValidationError(_("本次选房已经结束。"))
    gates.ensure_allowed("selection.call", project=selection_round.project, obj=selection_round)
    if selection_round.selection_on and today < selection_round.selection_on:
        raise ValidationError(
            _("选房日为%(day)s，尚未开始叫号。") % {"day": cn_date(selection_round.selection_on)}
        )
    _ensure_in_window(
        swap_terms(selection_round.project),
        today,
        late=_(
            "补偿方案规定的选房截止日期%(day)s已过，不能再叫号选房；如需延长，"
            "请领导在补偿方案的选房规则中延长选房期限。"
        ),
    )


def _release_current(selection_round: SelectionRound, now: datetime) -> None:
    """Before another number is called: the called household has finished (it picked at
    least one flat) or is marked 过号."""
    current = current_order(selection_round)
    if current is None or current.absent or current.finished_at is not None:
        return
    if not current.selections.filter(is_active=True).exists():
        raise ValidationError(
            _("%(number)s号尚未选定房源：请先为其选房，或标记过号。") % {"number": current.number}
        )
    current.finished_at = now
    current.save(update_fields=["finished_at"])


def _call(selection_round: SelectionRound, order: SelectionOrder, now: datetime) -> SelectionOrder:
    order.called_at = now
    order.absent = False
    order.save(update_fields=["called_at", "absent"])
    selection_round.current_number = order.number
    selection_round.state = SelectionRound.State.OPEN
    selection_round.save(update_fields=["current_number", "state"])
    return order


@transaction.atomic
def call_next(
    *, selection_round: SelectionRound, by: User, now: datetime | None = None
) -> SelectionOrder:
    """Call the next number never called yet (the called household finishes first: it has
    picked, or is marked 过号). Returns the called order.

    Raises ValidationError before the order notice is published, before the selection day or
    outside the plan's window, while the called household has neither picked nor been marked
    absent, and when every number has been called (the 过号 ones are called with `recall`)."""
    permissions.ensure(by, "resettlement.run_selection", selection_round.project)
    now = now or timezone.now()
    selection_round = _locked(selection_round)
    _ensure_can_call(selection_round, timezone.localdate(now))
    _release_current(selection_round, now)
    order = waiting_orders(selection_round).first()
    if order is None:
        if absent_orders(selection_round).exists():
            raise ValidationError(_("顺序号已全部叫过；过号的户可以补叫。"))
        raise ValidationError(_("顺序号已全部叫过。"))
    return _call(selection_round, order, now)


@transaction.atomic
def mark_absent(
    *, selection_round: SelectionRound, by: User, now: datetime | None = None
) -> SelectionOrder:
    """过号: the called household is not there; it may be called again later (`recall`).

    Raises ValidationError when no number is called or the called household already picked."""
    permissions.ensure(by, "resettlement.run_selection", selection_round.project)
    selection_round = _locked(selection_round)
    current = current_order(selection_round)
    if current is None or current.finished_at is not None or current.absent:
        raise ValidationError(_("当前没有正在叫号的户。"))
    if current.selections.filter(is_active=True).exists():
        raise ValidationError(
            _("%(number)s号已选定房源，不能标记过号。") % {"number": current.number}
        )
    current.absent = True
    current.save(update_fields=["absent"])
    return current


@transaction.atomic
def recall(
    *,
    selection_round: SelectionRound,
    order: SelectionOrder,
    by: User,
    now: datetime | None = None,
) -> SelectionOrder:
    """Call a 过号 household again (it has arrived). Raises ValidationError when it is not
    marked 过号 or the called household has not finished."""
    permissions.ensure(by, "resettlement.run_selection", selection_round.project)
    now = now or timezone.now()
    selection_round = _locked(selection_round)
    _ensure_can_call(selection_round, timezone.localdate(now))
    order = SelectionOrder.objects.select_for_update().get(pk=order.pk, round=selection_round)
    if not order.absent:
        raise ValidationError(_("%(number)s号未过号，不能补叫。") % {"number": order.number})
    _release_current(selection_round, now)
    return _call(selection_round, order, now)


@transaction.atomic
def finish_current(
    *, selection_round: SelectionRound, by: User, now: datetime | None = None
) -> SelectionOrder:
    """The called household has finished choosing (it picked at least one flat)."""
    permissions.ensure(by, "resettlement.run_selection", selection_round.project)
    selection_round = _locked(selection_round)
    current = current_order(selection_round)
    if current is None or current.absent or current.finished_at is not None:
        raise ValidationError(_("当前没有正在叫号的户。"))
    _release_current(selection_round, now or timezone.now())
    current.refresh_from_db()
    return current


@transaction.atomic
def waive(
    *,
    selection_round: SelectionRound,
    order: SelectionOrder,
    waiver: str,
    reason: str,
    by: User,
    now: datetime | None = None,
) -> SelectionOrder:
    """Record that a household will not pick in this round (放弃选房, or 改选货币补偿:
    SelectionOrder.Waiver) with its reason: it leaves the call order (never called, or no
    longer 过号 or 选房中) and the board shows its number as 放弃, masked name only. The change
    is kept in the order's history with the reason. Switching the household's compensation
    to cash is done in its agreement, not here.

    Raises ValidationError without a reason, for an unknown waiver, for a round not yet
    published or already closed, for an order already waived, and for a household that has
    picked a flat (cancel the pick first); PermissionDenied unless the user runs selection."""
    permissions.ensure(by, "resettlement.run_selection", selection_round.project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写放弃选房的原因。"))
    if waiver not in SelectionOrder.Waiver.values:
        raise ValidationError(_("请选择放弃选房还是改选货币补偿。"))
    now = now or timezone.now()
    selection_round = _locked(selection_round)
    _sync_published(selection_round)
    if selection_round.state == SelectionRound.State.CLOSED:
        raise ValidationError(_("本次选房已经结束。"))
    if selection_round.state not in (SelectionRound.State.PUBLISHED, SelectionRound.State.OPEN):
        raise ValidationError(_("选房顺序公告发布后才能登记放弃选房。"))
    order = (
        SelectionOrder.objects.select_for_update()
        .select_related("household")
        .get(pk=order.pk, round=selection_round)
    )
    if order.is_waived:
        raise ValidationError(
            _("%(number)s号已登记%(waiver)s。")
            % {"number": order.number, "waiver": order.get_waiver_display()}
        )
    if order.selections.filter(is_active=True).exists():
        raise ValidationError(
            _("%(number)s号（%(code)s户）已选定房源，须先撤销选房才能登记放弃。")
            % {"number": order.number, "code": order.household.code}
        )
    order.waiver = waiver
    order.waiver_reason = reason[:200]
    order.waived_at = now
    order.waived_by = by
    order.absent = False
    if order.called_at is not None and order.finished_at is None:
        order.finished_at = now  # the called household leaves the desk
    order._change_reason = _("%(waiver)s：%(reason)s") % {
        "waiver": order.get_waiver_display(),
        "reason": reason[:80],
    }
    order.save(
        update_fields=[
            "waiver",
            "waiver_reason",
            "waived_at",
            "waived_by",
            "absent",
            "finished_at",
        ]
    )
    public_changes.changed()  # the published order and the board show it
    return order


@transaction.atomic
def close_round(*, selection_round: SelectionRound, by: User) -> SelectionRound:
    """End the round (选房结束): no more calls or picks in it."""
    permissions.ensure(by, "resettlement.run_selection", selection_round.project)
    selection_round = _locked(selection_round)
    if selection_round.state == SelectionRound.State.CLOSED:
        raise ValidationError(_("本次选房已经结束。"))
    _release_current(selection_round, timezone.now())
    selection_round.state = SelectionRound.State.CLOSED
    selection_round.save(update_fields=["state"])
    return selection_round


FLAT_TAKEN = gettext_lazy("该房源已被选定，请选择其他房源。")


@transaction.atomic
def pick(*, order: SelectionOrder, flat: Flat, by: User, now: datetime | None = None) -> Selection:
    """The called household (`order`) picks `flat` (through staff): a flat frozen for the
    project, within the plan's selection rules (SwapTerms: at most `max_flats` flats; a total
    building area of at most the entitlement area + `max_extra_area` when a cap is set).

    Locks the household row, then the flat row (select_for_update), checks the flat is still
    冻结, inserts the active Selection (the unique constraint on the active selection per flat
    is the last guard) and sets the flat 已选. Returns the selection.

    Raises ValidationError (Chinese, naming the rule) when the order is not published, the
    number is not the one called, the flat is not this project's or not free to choose, or
    the pick goes beyond the household's flats or area."""
    now = now or timezone.now()
    selection_round = _locked(order.round)
    project = selection_round.project
    permissions.ensure(by, "resettlement.run_selection", project)
    household = Household.objects.select_for_update().get(pk=order.household_id)
    order = SelectionOrder.objects.get(pk=order.pk)
    if selection_round.state == SelectionRound.State.CLOSED:
        raise ValidationError(_("本次选房已经结束。"))
    gates.ensure_allowed("selection.pick", project=project, household=household)
    if (
        selection_round.current_number != order.number
        or order.called_at is None
        or order.absent
        or order.finished_at is not None
    ):
        raise ValidationError(
            _("未轮到%(number)s号选房：只有正在叫号的户可以选房（当前叫号：%(current)s）。")
            % {
                "number": order.number,
                "current": selection_round.current_number or _("无"),
            }
        )
    terms = swap_terms(project)
    if terms is None:
        raise ValidationError(_("补偿方案尚未规定产权调换选房规则，不能选房。"))
    flat = Flat.objects.select_for_update().get(pk=flat.pk)
    if flat.project_id != project.pk or flat.kind != Flat.Kind.RESETTLEMENT:
        raise ValidationError(_("房源%(flat)s不是为本项目冻结的安置房源。") % {"flat": flat})
    if flat.state != Flat.State.FROZEN:
        raise ValidationError(
            _("房源%(flat)s当前状态为“%(state)s”，不能选定：%(rule)s")
            % {"flat": flat, "state": flat.get_state_display(), "rule": str(FLAT_TAKEN)}
        )
    _ensure_not_signed(household)
    _ensure_within_entitlement(household, terms, flat)
    selection = Selection(
        order=order, household=household, flat=flat, selected_at=now, selected_by=by
    )
    try:
        with transaction.atomic():
            selection.save()
    except IntegrityError as error:
        raise ValidationError(str(FLAT_TAKEN)) from error
    flat.state = Flat.State.SELECTED
    flat.save(update_fields=["state"])
    public_changes.changed()  # the offered stock's flats left
    return selection


def _ensure_not_signed(household: Household) -> None:
    signed = Selection.objects.signed().filter(household=household).first()
    if signed is not None:
        raise ValidationError(
            _(
                "%(code)s户已就所选房源%(flat)s签订产权调换协议，选房已经完成，不能再选房；"
                "如需变更，须先变更协议。"
            )
            % {"code": household.code, "flat": signed.flat}
        )


def _ensure_within_entitlement(household: Household, terms: SwapTerms, flat: Flat) -> None:
    have = entitlement_of(household, terms)
    if have.flats_chosen + 1 > terms.max_flats:
        raise ValidationError(
            _("超过每户可选套数上限：补偿方案规定每户最多选%(max)s套，该户已选%(chosen)s套。")
            % {"max": terms.max_flats, "chosen": have.flats_chosen}
        )
    if have.area_limit is not None and have.area_chosen + flat.area > have.area_limit:
        raise ValidationError(
            _(
                "超过可选面积上限：该户应安置面积%(entitled)s平方米，补偿方案规定超出部分不得超过"
                "%(extra)s平方米（合计不超过%(limit)s平方米）；已选%(chosen)s平方米，"
                "加上本套%(area)s平方米共%(total)s平方米。"
            )
            % {
                "entitled": have.entitlement_area,
                "extra": terms.max_extra_area,
                "limit": have.area_limit,
                "chosen": have.area_chosen,
                "area": flat.area,
                "total": have.area_chosen + flat.area,
            }
        )


@transaction.atomic
def cancel_selection(
    *, selection: Selection, by: User, reason: str, now: datetime | None = None
) -> Selection:
    """Undo a pick with a reason: the selection stays on record as cancelled and the flat
    returns to 冻结 (free to pick again). Raises ValidationError without a reason, for a
    selection already cancelled, or a flat already signed for (已签约/已交付)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("撤销选房须填写原因。"))
    project_services.ensure_can_edit_project(by, selection.household.project)
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    flat = Flat.objects.select_for_update().get(pk=selection.flat_id)
    if not selection.is_active:
        raise ValidationError(_("该选房结果已经撤销。"))
    if flat.state != Flat.State.SELECTED:
        raise ValidationError(
            _("房源%(flat)s当前状态为“%(state)s”，不能撤销选房。")
            % {"flat": flat, "state": flat.get_state_display()}
        )
    selection.is_active = False
    selection.cancelled_at = now or timezone.now()
    selection.cancelled_by = by
    selection.cancel_reason = reason
    selection.save(update_fields=["is_active", "cancelled_at", "cancelled_by", "cancel_reason"])
    flat.state = Flat.State.FROZEN
    flat.save(update_fields=["state"])
    public_changes.changed()
    return selection


# ---------------------------------------------------------------------------
# The board (选房大屏) and the public order: masked names and numbers only


@dataclass(frozen=True)
class BoardFloor:
    floor: int
    flats: list  # Flat, with `.taken` set


@dataclass(frozen=True)
class BoardBuilding:
    name: str
    floors: list[BoardFloor]
    taken: int
    left: int


@dataclass(frozen=True)
class Called:
    number: int
    masked_name: str


@dataclass(frozen=True)
class Board:
    buildings: list[BoardBuilding]
    taken: int
    left: int
    called: list[Called]
    recent: list[tuple[int | None, str, str]]  # (number, masked name, flat)
    waived: tuple[Called, ...] = ()  # numbers that will not pick (放弃), in order
    round: SelectionRound | None = None  # the round shown: its calls, picks and counts
    round_ordinal: int | None = None  # 第N轮 among the project's rounds, by creation
    round_picked: int = 0  # flats picked (active) in the round
    round_households: int = 0  # households in the round's order


TAKEN_STATES = (Flat.State.SELECTED, Flat.State.SIGNED, Flat.State.DELIVERED)


def board_round(project: Project) -> SelectionRound | None:
    """The round the public board shows: the latest open (选房中) round whose order is
    published, else the latest published one; None before any order is published."""
    rounds = published_rounds(project).order_by("-created_at", "-pk")
    return rounds.filter(state=SelectionRound.State.OPEN).first() or rounds.first()


def round_ordinal(selection_round: SelectionRound) -> int:
    """第N轮: the round's place among its project's rounds, by creation (1 = the first)."""
    return (
        SelectionRound.objects.filter(project_id=selection_round.project_id)
        .filter(
            Q(created_at__lt=selection_round.created_at)
            | Q(created_at=selection_round.created_at, pk__lte=selection_round.pk)
        )
        .count()
    )


def board(
    project: Project, *, selection_round: SelectionRound | None = None, recent: int = 8
) -> Board:
    """What the selection board shows for `project`: its flats for selection by building and
    floor (top floor first), taken (已选 and after, by any round) or left (冻结); and of one
    round only — `selection_round`, by default `board_round(project)` — the number called now,
    the latest picks, the numbers waived and its counts, with the household's masked name and
    number only (numbers of different rounds are never mixed)."""
    if selection_round is None:
        selection_round = board_round(project)
    flats = list(
        Flat.objects.filter(
            project=project,
            kind=Flat.Kind.RESETTLEMENT,
            state__in=(Flat.State.FROZEN, *TAKEN_STATES),
        )
        .select_related("building__estate")
        .order_by("building__estate__name", "building__name", "-floor", "unit", "number")
    )
    buildings: list[BoardBuilding] = []
    by_building: dict[int, list[Flat]] = {}
    for flat in flats:
        flat.taken = flat.state in TAKEN_STATES
        by_building.setdefault(flat.building_id, []).append(flat)
    for building_flats in by_building.values():
        floors: dict[int, list[Flat]] = {}
        for flat in building_flats:
            floors.setdefault(flat.floor, []).append(flat)
        taken = sum(1 for flat in building_flats if flat.taken)
        buildings.append(
            BoardBuilding(
                name=str(building_flats[0].building),
                floors=[BoardFloor(floor, items) for floor, items in floors.items()],
                taken=taken,
                left=len(building_flats) - taken,
            )
        )
    taken_total = sum(b.taken for b in buildings)
    if selection_round is None:
        return Board(
            buildings=buildings,
            taken=taken_total,
            left=len(flats) - taken_total,
            called=[],
            recent=[],
        )
    called = []
    if selection_round.state == SelectionRound.State.OPEN:
        order = current_order(selection_round)
        if order is not None and not order.absent and order.finished_at is None:
            called.append(Called(order.number, mask_name(order.household.head_name)))
    picks = Selection.objects.filter(order__round=selection_round, is_active=True)
    latest = picks.select_related("order", "household", "flat__building__estate").order_by(
        "-selected_at", "-pk"
    )[:recent]
    waived = tuple(
        Called(order.number, mask_name(order.household.head_name))
        for order in selection_round.orders.filter(waived_at__isnull=False)
        .select_related("household")
        .order_by("number")
    )
    return Board(
        round=selection_round,
        round_ordinal=round_ordinal(selection_round),
        round_picked=picks.count(),
        round_households=selection_round.orders.count(),
        waived=waived,
        buildings=buildings,
        taken=taken_total,
        left=len(flats) - taken_total,
        called=called,
        recent=[
            (s.order.number if s.order else None, mask_name(s.household.head_name), str(s.flat))
            for s in latest
        ],
    )


def published_rounds(project: Project):
    """The project's rounds whose order notice is published (what the public may see)."""
    return (
        project.selection_rounds.filter(notice__published_on__isnull=False)
        .select_related("notice")
        .order_by("created_at", "pk")
    )


@transaction.atomic
def extend_window(
    *, plan: CompensationPlan, by: User, closes_on: date, reason: str
) -> WindowExtension:
    """A leader extends the approved plan's selection window to `closes_on` with a reason
    (选房期限延长); recorded as a WindowExtension (and its history), the plan unchanged.

    Raises PermissionDenied unless `by` is a leader; ValidationError without a reason, for a
    plan not approved or without swap rules, or a day not after the window's present closing
    day (nor before its opening day)."""
    permissions.ensure(by, "resettlement.extend_window", plan.project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写延长选房期限的理由。"))
    if plan.status != CompensationPlan.Status.APPROVED:
        raise ValidationError(_("补偿方案批准后才能延长选房期限；批准前请直接修改选房规则。"))
    terms = SwapTerms.objects.select_for_update().filter(plan=plan).first()
    if terms is None:
        raise ValidationError(_("本版方案没有产权调换选房规则，无从延长选房期限。"))
    previous = terms.closes_on
    if previous is not None and closes_on <= previous:
        raise ValidationError(
            _("延长后的截止日期须晚于现在的选房截止日期%(day)s。") % {"day": cn_date(previous)}
        )
    if terms.window_opens_on and closes_on < terms.window_opens_on:
        raise ValidationError(
            _("延长后的截止日期不能早于选房开始日期%(day)s。")
            % {"day": cn_date(terms.window_opens_on)}
        )
    extension = WindowExtension(
        terms=terms,
        closes_on=closes_on,
        previous_closes_on=previous,
        reason=reason[:200],
        extended_by=by,
    )
    extension._change_reason = reason[:100]
    extension.save()
    return extension
