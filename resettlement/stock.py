"""Services of the resettlement stock: estates and buildings, dated flat prices, voiding a flat,
and freezing flats for a project (reserving them for its selection) or unfreezing them.

Every write goes through here (views bind a form and call one function); each saves through the
model so simple-history records who changed what. Reads shared by the pages and the exports
(counts by state, the filtered flat list) are at the bottom.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from core import permissions, public_changes
from core.models import User
from core.scoping import visible_to
from projects import gates, plan_sections
from projects.models import CompensationPlan, Project
from resettlement.models import Building, Estate, Flat, FlatPrice, SwapTerms, SwapTier

State = Flat.State
# A list of refused flats names at most this many; the count says how many there are.
NAMED_IN_REFUSAL = 10


def ensure_may_edit_stock(user: User) -> None:
    """Raise PermissionDenied (Chinese reason) unless the user keeps the stock (office staff)."""
    permissions.ensure(user, "resettlement.edit_stock")


@transaction.atomic
def save_estate(*, estate: Estate, by: User) -> Estate:
    """Create or change an estate (安置小区). Raises PermissionDenied, ValidationError."""
    ensure_may_edit_stock(by)
    estate.full_clean()
    estate.save()
    return estate


@transaction.atomic
def save_building(*, building: Building, by: User) -> Building:
    """Create or change a building. A 期房 needs its expected delivery date (the model's check);
    the total floors may not drop below a floor its flats are on.
    Raises PermissionDenied, ValidationError."""
    ensure_may_edit_stock(by)
    building.full_clean()
    if building.pk:
        highest = building.flats.order_by("-floor").values_list("floor", flat=True).first()
        if highest is not None and building.floors < highest:
            raise ValidationError(
                {
                    "floors": _("该楼栋已有位于第%(floor)s层的房源，总层数不能小于%(floor)s。")
                    % {"floor": highest}
                }
            )
    building.save()
    return building


@transaction.atomic
def record_price(
    *,
    flat: Flat,
    effective_on: date,
    market_price: Decimal,
    resettlement_price: Decimal,
    by: User,
) -> FlatPrice:
    """Record a flat's prices (元/m² of building area) from `effective_on`; earlier prices stay
    in force for the days before it. One price per flat per day: a second entry for the same
    day is refused (the earlier one stays on record). The 安置价 is a preferential price and may
    not exceed the market price. Raises PermissionDenied, ValidationError."""
    ensure_may_edit_stock(by)
    if resettlement_price > market_price:
        raise ValidationError(
            {"resettlement_price": _("安置价（优惠价）不能高于市场价。")},
        )
    if FlatPrice.objects.filter(flat=flat, effective_on=effective_on).exists():
        raise ValidationError(
            {
                "effective_on": _("该房源%(day)s已有价格，同一天只能有一条价格。")
                % {"day": f"{effective_on:%Y-%m-%d}"}
            }
        )
    price = FlatPrice(
        flat=flat,
        effective_on=effective_on,
        market_price=market_price,
        resettlement_price=resettlement_price,
        recorded_by=by,
    )
    price.full_clean()
    price.save()
    return price


@transaction.atomic
def void_flat(*, flat: Flat, reason: str, by: User) -> Flat:
    """Take a flat out of the stock (作废) with a reason. Only a free flat, or one frozen and
    not chosen, may be voided; a frozen one leaves its project. Raises PermissionDenied,
    ValidationError."""
    ensure_may_edit_stock(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("作废须填写原因。")})
    flat = Flat.objects.select_for_update().get(pk=flat.pk)
    if flat.state not in (State.FREE, State.FROZEN):
        raise ValidationError(
            _("%(flat)s状态为“%(state)s”，不能作废。")
            % {"flat": flat, "state": flat.get_state_display()}
        )
    flat.state = State.VOID
    flat.void_reason = reason[:200]
    flat.project = None
    flat.frozen_by = None
    flat.frozen_at = None
    flat._change_reason = _("作废：%(reason)s") % {"reason": reason[:80]}
    flat.save(update_fields=["state", "void_reason", "project", "frozen_by", "frozen_at"])
    public_changes.changed()  # a voided frozen flat leaves its project's offered stock
    return flat


def _refusal(reasons: list[str]) -> ValidationError:
    shown = reasons[:NAMED_IN_REFUSAL]
    if len(reasons) > NAMED_IN_REFUSAL:
        shown.append(_("……共%(count)s套房源不能办理。") % {"count": len(reasons)})
    return ValidationError(shown)


def _freeze_refusal(flat: Flat, project: Project) -> str | None:
    if flat.kind == Flat.Kind.TRANSIT:
        return _("%(flat)s是周转房，不能冻结用于选房。") % {"flat": flat}
    if flat.state == State.VOID:
        return _("%(flat)s已作废，不能冻结。") % {"flat": flat}
    if flat.state == State.FROZEN and flat.project_id == project.pk:
        return _("%(flat)s已冻结用于本项目。") % {"flat": flat}
    if flat.state != State.FREE:
        return _("%(flat)s状态为“%(state)s”（%(project)s），不是空闲房源，不能冻结。") % {
            "flat": flat,
            "state": flat.get_state_display(),
            "project": flat.project.name if flat.project else "",
        }
    return None


def _locked(flats: QuerySet) -> list[Flat]:
    # Lock in one order so two leaders freezing overlapping sets cannot deadlock.
    ids = list(flats.order_by().values_list("pk", flat=True))
    return list(
        Flat.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("building__estate", "project")
        .order_by("pk")
    )


@transaction.atomic
def freeze_flats(*, project: Project, flats: QuerySet, by: User) -> int:
    """Reserve `flats` (冻结) for `project`'s house selection, recording who and when.

    All or nothing: every flat must be a free resettlement flat (not 周转房, not 作废, not taken
    or reserved for a project); otherwise nothing is frozen and ValidationError lists the
    refused flats with their reason. Only a leader (领导) may freeze (PermissionDenied), and only
    in the stages projects.gates allows "flat.freeze" with the plan's swap rules approved.
    Returns the number of flats frozen."""
    permissions.ensure(by, "resettlement.freeze_flats", project)
    locked = _locked(flats)
    if not locked:
        raise ValidationError(_("没有符合条件的房源。"))
    gates.ensure_allowed("flat.freeze", project=project)
    reasons = [reason for flat in locked if (reason := _freeze_refusal(flat, project))]
    if reasons:
        raise _refusal(reasons)
    now = timezone.now()
    for flat in locked:
        flat.state = State.FROZEN
        flat.project = project
        flat.frozen_by = by
        flat.frozen_at = now
    bulk_update_with_history(
        locked,
        Flat,
        ["state", "project", "frozen_by", "frozen_at"],
        default_user=by,
        default_change_reason=_("冻结用于项目：%(project)s") % {"project": project.name[:60]},
    )
    public_changes.changed()  # the project's offered stock on its public page
    return len(locked)


@transaction.atomic
def unfreeze_flats(*, project: Project, flats: QuerySet, by: User) -> int:
    """Release flats frozen for `project` back to 空闲. All or nothing: a flat already chosen,
    signed or delivered, or not frozen for this project, is refused with its reason and
    nothing changes. Only a leader (PermissionDenied). Returns the number released."""
    permissions.ensure(by, "resettlement.freeze_flats", project)
    locked = _locked(flats)
    if not locked:
        raise ValidationError(_("没有符合条件的房源。"))
    reasons = []
    for flat in locked:
        if flat.project_id != project.pk:
            reasons.append(_("%(flat)s没有冻结用于本项目。") % {"flat": flat})
        elif flat.state != State.FROZEN:
            reasons.append(
                _("%(flat)s状态为“%(state)s”，只能解冻尚未选定的房源。")
                % {"flat": flat, "state": flat.get_state_display()}
            )
    if reasons:
        raise _refusal(reasons)
    for flat in locked:
        flat.state = State.FREE
        flat.project = None
        flat.frozen_by = None
        flat.frozen_at = None
    bulk_update_with_history(
        locked,
        Flat,
        ["state", "project", "frozen_by", "frozen_at"],
        default_user=by,
        default_change_reason=_("解冻（项目：%(project)s）") % {"project": project.name[:60]},
    )
    public_changes.changed()
    return len(locked)


@dataclass(frozen=True)
class FloorFlats:
    floor: int
    flats: list[Flat]


@dataclass(frozen=True)
class BuildingFlats:
    building: Building
    floors: list[FloorFlats]  # top floor first, as a building is drawn

    @property
    def flats(self) -> list[Flat]:
        return [flat for floor in self.floors for flat in floor.flats]


def by_building_and_floor(flats: QuerySet) -> list[BuildingFlats]:
    """`flats` grouped by building (by name) then floor (highest first), one query."""
    rows = flats.select_related("building__estate", "project").order_by(
        "building__name", "building_id", "-floor", "unit", "number"
    )
    grouped: dict[int, tuple[Building, dict[int, list[Flat]]]] = {}
    for flat in rows:
        _building, floors = grouped.setdefault(flat.building_id, (flat.building, {}))
        floors.setdefault(flat.floor, []).append(flat)
    return [
        BuildingFlats(building, [FloorFlats(f, items) for f, items in floors.items()])
        for building, floors in grouped.values()
    ]


def ensure_may_freeze(user: User, project: Project) -> None:
    if not permissions.allowed(user, "resettlement.freeze_flats", project):
        raise PermissionDenied(permissions.refusal(user, "resettlement.freeze_flats", project))


# ---------------------------------------------------------------------------
# Reads


@dataclass(frozen=True)
class StateCounts:
    """Flats by state: {state value: count}, with the total."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> list[tuple[str, str, int]]:
        """(state value, label, count) in the states' order, zeros included."""
        return [(value, label, self.counts.get(value, 0)) for value, label in State.choices]

    def of(self, state: str) -> int:
        return self.counts.get(state, 0)


def state_counts(flats: QuerySet) -> StateCounts:
    """Count `flats` by state in one grouped query."""
    grouped = flats.order_by().values("state").annotate(n=Count("pk"))
    return StateCounts({row["state"]: row["n"] for row in grouped})


def counts_by(flats: QuerySet, key: str) -> dict[object, StateCounts]:
    """Flats grouped by `key` (e.g. "building__estate", "project") then by state, one query."""
    grouped = flats.order_by().values(key, "state").annotate(n=Count("pk"))
    result: dict[object, Counter] = {}
    for row in grouped:
        result.setdefault(row[key], Counter())[row["state"]] = row["n"]
    return {k: StateCounts(dict(v)) for k, v in result.items()}


def annotate_state_counts(queryset: QuerySet, flats_path: str) -> QuerySet:
    """Annotate estates or buildings with flat_total and one count per state (`n_<state>`)."""
    annotations = {"flat_total": Count(flats_path, distinct=True)}
    for value in State.values:
        annotations[f"n_{value}"] = Count(
            flats_path, filter=Q(**{f"{flats_path}__state": value}), distinct=True
        )
    return queryset.annotate(**annotations)


@dataclass(frozen=True)
class ProjectStock:
    """A project's reserved flats by state: what the selection has done with them."""

    project: Project
    counts: StateCounts

    @property
    def reserved(self) -> int:
        """Every flat frozen for the project, chosen or not (冻结 + 已选 + 已签约 + 已交付)."""
        return sum(
            self.counts.of(s) for s in (State.FROZEN, State.SELECTED, State.SIGNED, State.DELIVERED)
        )

    @property
    def chosen(self) -> int:
        """Flats chosen by a household (已选, 已签约 or 已交付)."""
        return sum(self.counts.of(s) for s in (State.SELECTED, State.SIGNED, State.DELIVERED))

    @property
    def chosen_percent(self) -> Decimal:
        if not self.reserved:
            return Decimal("0")
        return (Decimal(self.chosen) * 100 / self.reserved).quantize(Decimal("0.1"))

    @property
    def figures(self) -> list[int | Decimal]:
        """The values of `progress_columns`, in their order."""
        return [value(self) for _header, value in progress_columns()]


def state_header(state: str) -> str:
    """A state's column header where the states are counted side by side (a flat is in one
    state only): 已选 is said 已选（未签约）, so that it is never read as every chosen flat."""
    if state == State.SELECTED:
        return _("已选（未签约）")
    return str(State(state).label)


def progress_columns() -> list[tuple[str, Callable[[ProjectStock], int | Decimal]]]:
    """A project's selection progress as the stock dashboard and its export both show it:
    (header, value of a ProjectStock) in order. Each flat is counted in its one state (待选 =
    冻结, 已选（未签约）, 已签约, 已交付); 已选合计 adds the three chosen states and is what
    选房进度 (%, one decimal) divides by 冻结房源合计."""
    return [
        (_("冻结房源合计"), lambda row: row.reserved),
        (_("待选"), lambda row: row.counts.of(State.FROZEN)),
        (state_header(State.SELECTED), lambda row: row.counts.of(State.SELECTED)),
        (state_header(State.SIGNED), lambda row: row.counts.of(State.SIGNED)),
        (state_header(State.DELIVERED), lambda row: row.counts.of(State.DELIVERED)),
        (_("已选合计（含已签约、已交付）"), lambda row: row.chosen),
        (_("选房进度（%）"), lambda row: row.chosen_percent),
    ]


def state_headers() -> list[str]:
    """The headers of the per-state counts of an estate (`n_<state>` from
    annotate_state_counts), in State order, as the pages and the estate export show them."""
    return [state_header(value) for value in State.values]


def dashboard_figures(user: User) -> dict:
    """The stock dashboard for `user`: totals by state, estates (annotated with counts by
    state, `n_<state>`) and each project with flats reserved (ProjectStock), three queries."""
    flats = visible_to(Flat, user)
    projects = visible_to(Project, user)
    by_project = counts_by(flats.filter(project__in=projects), "project")
    rows = [
        ProjectStock(project, by_project[project.pk])
        for project in projects.filter(pk__in=list(by_project)).order_by("-code")
    ]
    estates = annotate_state_counts(
        visible_to(Estate, user).select_related("district"), "buildings__flats"
    )
    estates = list(estates)
    for estate in estates:
        estate.state_figures = [getattr(estate, f"n_{value}") for value in State.values]
    return {
        "totals": state_counts(flats),
        "estates": estates,
        "projects": rows,
        "progress_headers": [header for header, _value in progress_columns()],
        "estate_state_headers": state_headers(),
    }


# ---------------------------------------------------------------------------
# The plan's swap selection rules (产权调换选房规则)


def swap_terms_refusal(user: User, plan: CompensationPlan) -> str | None:
    """Why `user` may not change `plan`'s swap rules now (Chinese), or None. The rules are part
    of the plan: frozen once a review step passed the version (projects.plan_sections)."""
    if frozen := plan_sections.edit_refusal(plan):
        return frozen
    if not permissions.allowed(user, "projects.submit_plan", plan.project):
        return _(
            "选房规则是补偿方案的内容，由提交方案的区县征收部门填写；"
            "审核中需要修改的，请退回方案并写明意见。"
        )
    return None


@transaction.atomic
def save_swap_terms(
    *, plan: CompensationPlan, by: User, terms: dict, tiers: list[dict]
) -> SwapTerms:
    """Set the plan's swap rules and replace its tiers, in the given order (档次 1, 2, …).

    `terms`: entitlement_ratio, entitlement_bonus_area (m²), max_extra_area (m², None = no
    cap), max_flats, window_opens_on, window_closes_on. `tiers`: dicts of width (m²) and
    either unit_price (元/m²) or market_percent (% of the flat's market price). Allowed while
    the plan is submitted or returned, to the project's district, which submits the plan; the
    office's reviewers return the plan with a comment instead (PermissionDenied otherwise,
    ValidationError for an approved plan)."""
    plan = CompensationPlan.objects.select_for_update().get(pk=plan.pk)
    if frozen := plan_sections.edit_refusal(plan):
        raise ValidationError(frozen)
    refusal = swap_terms_refusal(by, plan)
    if refusal:
        raise PermissionDenied(refusal)
    record = SwapTerms.objects.filter(plan=plan).first() or SwapTerms(plan=plan)
    for name, value in terms.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    record.tiers.all().delete()
    for position, tier in enumerate(tiers, start=1):
        row = SwapTier(terms=record, position=position, **tier)
        row.full_clean()
        row.save()
    return record


# ---------------------------------------------------------------------------
# What the public sees: the stock offered to a project's swap households

# Area bands of the public summary, m² of building area: [low, high).
AREA_BANDS = (
    (None, Decimal("60")),
    (Decimal("60"), Decimal("90")),
    (Decimal("90"), Decimal("120")),
    (Decimal("120"), Decimal("144")),
    (Decimal("144"), None),
)
OFFERED_STATES = (State.FROZEN, State.SELECTED, State.SIGNED, State.DELIVERED)


@dataclass(frozen=True)
class OfferedRow:
    label: str
    offered: int  # flats reserved for the project
    left: int  # of them, still free to choose (冻结)


def _band_label(low: Decimal | None, high: Decimal | None) -> str:
    if low is None:
        return _("%(high)s平方米以下") % {"high": high}
    if high is None:
        return _("%(low)s平方米及以上") % {"low": low}
    return _("%(low)s–%(high)s平方米") % {"low": low, "high": high}


def offered_stock(project: Project) -> dict:
    """The flats reserved for `project` (no personal data): {"total", "left", "by_layout":
    [OfferedRow], "by_area": [OfferedRow]} with bands [low, high) in m² (AREA_BANDS), two
    grouped queries. Layouts without a name count as 未注明."""
    flats = Flat.objects.filter(project=project, state__in=OFFERED_STATES)
    left = Q(state=State.FROZEN)
    by_layout = [
        OfferedRow(row["layout"] or _("未注明"), row["n"], row["n_left"])
        for row in flats.order_by("layout")
        .values("layout")
        .annotate(n=Count("pk"), n_left=Count("pk", filter=left))
    ]
    band_counts = {}
    for index, (low, high) in enumerate(AREA_BANDS):
        condition = Q()
        if low is not None:
            condition &= Q(area__gte=low)
        if high is not None:
            condition &= Q(area__lt=high)
        band_counts[f"b{index}"] = Count("pk", filter=condition)
        band_counts[f"l{index}"] = Count("pk", filter=condition & left)
    totals = flats.aggregate(total=Count("pk"), left=Count("pk", filter=left), **band_counts)
    by_area = [
        OfferedRow(_band_label(low, high), totals[f"b{i}"], totals[f"l{i}"])
        for i, (low, high) in enumerate(AREA_BANDS)
        if totals[f"b{i}"]
    ]
    return {
        "total": totals["total"],
        "left": totals["left"],
        "by_layout": by_layout,
        "by_area": by_area,
    }
