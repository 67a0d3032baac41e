"""The selection-progress chart: per project, its reserved flats as one bar split into 已交付 /
已签约 / 已选 / still 冻结, as server-side SVG drawn with projects.charts' helpers (plain
presentation attributes, every text escaped there)."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.charts import (
    BAR_HEIGHT,
    BAR_LENGTH,
    BOTTOM,
    FONT_SIZE,
    LABEL_WIDTH,
    MUTED,
    ROW_HEIGHT,
    SMALL_FONT_SIZE,
    TOP,
    TRACK,
    VALUE_GAP,
    _baseline,
    _element,
    _fit,
    _px,
    _text_width,
    chart_frame,
    row_track,
)
from resettlement.models import Flat
from resettlement.stock import ProjectStock

State = Flat.State
# Segments from the left, each with its colour; what is left of the bar is still 冻结.
SEGMENTS = (
    (State.DELIVERED, "#1e7b34"),
    (State.SIGNED, "#1d3f72"),
    (State.SELECTED, "#5b8bd0"),
)


def selection_progress_svg(
    rows: Sequence[ProjectStock], *, title: str, chart_id: str = "selection-progress"
) -> SafeString:
    """One bar per project, as long as its reserved flats; the counts are written beside it."""
    parts, height = chart_frame(
        chart_id=chart_id, title=title, rows=len(rows), empty=_("尚无为项目冻结的安置房源。")
    )
    for index, row in enumerate(rows):
        parts.append(_bar(row, index))
    if rows:
        parts.append(_legend(height))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text and attribute is escaped above)


def _bar(row: ProjectStock, index: int) -> str:
    top = TOP + ROW_HEIGHT * index + (ROW_HEIGHT - BAR_HEIGHT) // 2
    middle = Decimal(top) + Decimal(BAR_HEIGHT) / 2
    reserved = row.reserved
    summary = _(
        "%(name)s：冻结%(reserved)s套，已选%(chosen)s套（其中已签约%(signed)s套、已交付%(delivered)s套）"
    ) % {
        "name": row.project.name,
        "reserved": reserved,
        "chosen": row.chosen,
        "signed": row.counts.of(State.SIGNED),
        "delivered": row.counts.of(State.DELIVERED),
    }
    parts = [
        '<g class="chart-row">',
        _element("title", {}, summary),
        _element(
            "text",
            {"x": LABEL_WIDTH - 8, "y": _px(_baseline(middle, FONT_SIZE)), "text-anchor": "end"},
            _fit(row.project.name, LABEL_WIDTH - 16, FONT_SIZE),
        ),
        row_track(top),
    ]
    x = Decimal(LABEL_WIDTH)
    for state, color in SEGMENTS:
        count = row.counts.of(state)
        if not count or not reserved:
            continue
        width = Decimal(BAR_LENGTH) * count / reserved
        parts.append(
            _element(
                "rect",
                {
                    "class": f"bar bar-{state}",
                    "x": _px(x),
                    "y": top,
                    "width": _px(width),
                    "height": BAR_HEIGHT,
                    "fill": color,
                },
            )
        )
        x += width
    parts.append(
        _element(
            "text",
            {
                "x": LABEL_WIDTH + BAR_LENGTH + VALUE_GAP,
                "y": _px(_baseline(middle, FONT_SIZE)),
                "fill": MUTED,
            },
            _("已选%(chosen)s/%(reserved)s套 %(percent)s%%")
            % {"chosen": row.chosen, "reserved": reserved, "percent": row.chosen_percent},
        ),
    )
    parts.append("</g>")
    return "".join(parts)


def _legend(height: int) -> str:
    y = height - BOTTOM + 14
    swatch = 10
    parts = ['<g class="chart-legend">']
    x = LABEL_WIDTH
    labels = [(color, State(state).label) for state, color in SEGMENTS]
    labels.append((TRACK, State.FROZEN.label))
    for color, label in labels:
        label = str(label)
        parts.append(
            _element("rect", {"x": x, "y": y, "width": swatch, "height": swatch, "fill": color})
        )
        parts.append(
            _element(
                "text",
                {
                    "x": x + swatch + 5,
                    "y": _px(_baseline(y + swatch // 2, SMALL_FONT_SIZE)),
                    "fill": MUTED,
                    "font-size": SMALL_FONT_SIZE,
                },
                label,
            )
        )
        x += swatch + 5 + int(_text_width(label, SMALL_FONT_SIZE)) + 18
    parts.append("</g>")
    return "".join(parts)
