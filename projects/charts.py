"""Server-side SVG charts: plain markup built in Python, no script and no style attributes.

The same markup goes inline into an HTML page (the Content-Security-Policy allows inline SVG,
which is not a script) and, later, into the WeasyPrint PDF of the annual report, so it uses
only SVG presentation attributes (fill=, font-size=, text-anchor=) and computes text positions
itself instead of relying on dominant-baseline, which not every renderer supports. Every piece
of text is XML-escaped here, which is why the result may be marked safe.
"""

import functools
import re
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.figures import ProjectProgress

FONT_FAMILY = "'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#d9dee5"
TRACK = "#e4e8ee"
SIGNED = "#1d3f72"
COMPLETE = "#1e7b34"

WIDTH = 760
LABEL_WIDTH = 200  # the bars start here; project names are right-aligned before it
BAR_LENGTH = 380
VALUE_GAP = 10
ROW_HEIGHT = 30
BAR_HEIGHT = 16
TOP = 34  # room for the axis labels
BOTTOM = 34  # room for the legend
FONT_SIZE = 13
SMALL_FONT_SIZE = 11


# Characters quoteattr would escape or that decide its choice of quotes.
_NEEDS_QUOTEATTR = re.compile("[&<>\"'\n\r\t]")


def _attr(value: object) -> str:
    """The value quoted as quoteattr quotes it; numbers and plain words (most attributes of a
    chart) skip its escaping, which a chart of 25 bars would otherwise call 700 times."""
    text = str(value)
    if _NEEDS_QUOTEATTR.search(text):
        return quoteattr(text)
    return f'"{text}"'


def _attrs(attributes: dict[str, object]) -> str:
    return "".join([f" {name}={_attr(value)}" for name, value in attributes.items()])


def _element(tag: str, attributes: dict[str, object], text: str | None = None) -> str:
    if text is None:
        return f"<{tag}{_attrs(attributes)}/>"
    return f"<{tag}{_attrs(attributes)}>{escape(text)}</{tag}>"


def _px(value: Decimal | int) -> str:
    """A coordinate with at most one decimal, written without exponent (12.5, 380)."""
    quantized = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format(quantized.normalize(), "f")


def _text_width(text: str, font_size: int) -> float:
    """Rough rendered width: CJK and full-width characters take 1 em, the rest about 0.6 em."""
    return sum(font_size if ord(char) > 0x2E7F else font_size * 0.6 for char in text)


def _fit(text: str, width: float, font_size: int) -> str:
    """Shorten `text` with an ellipsis so that it fits in `width` (the full text stays in the
    bar's <title>, which a browser shows on hover)."""
    if _text_width(text, font_size) <= width:
        return text
    while text and _text_width(text + "…", font_size) > width:
        text = text[:-1]
    return text + "…"


def _baseline(center: Decimal | int, font_size: int) -> Decimal:
    # The baseline sits about 0.35 em below the middle of a line of CJK text.
    return Decimal(center) + Decimal(font_size) * Decimal("0.35")


def chart_frame(*, chart_id: str, title: str, rows: int, empty: str) -> tuple[list[str], int]:
    """The opening of a bar chart of `rows` bars: the <svg> element sized for them with its
    accessible <title>, and the `empty` message when there are none. Returns the parts (the
    caller adds its bars and the closing tag) and the chart's height in px."""
    height = TOP + ROW_HEIGHT * max(rows, 1) + BOTTOM
    title_id = f"{chart_id}-title"
    parts = [
        "<svg"
        + _attrs(
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "class": "chart",
                "id": chart_id,
                "viewBox": f"0 0 {WIDTH} {height}",
                "width": WIDTH,
                "height": height,
                "role": "img",
                "aria-labelledby": title_id,
                "font-family": FONT_FAMILY,
                "font-size": FONT_SIZE,
                "fill": INK,
            }
        )
        + ">",
        _element("title", {"id": title_id}, title),
    ]
    if not rows:
        parts.append(
            _element(
                "text",
                {
                    "x": WIDTH // 2,
                    "y": _px(_baseline(height // 2, FONT_SIZE)),
                    "fill": MUTED,
                    "text-anchor": "middle",
                },
                empty,
            )
        )
    return parts, height


def signing_progress_svg(
    rows: Sequence[ProjectProgress],
    *,
    title: str,
    url_for: Callable[[ProjectProgress], str | None] | None = None,
    chart_id: str = "signing-progress",
) -> SafeString:
    """A horizontal bar per project: the share of its households signed, with the counts and
    the rate written beside it. `url_for` gives each bar's link (or None for no link)."""
    parts, height = chart_frame(
        chart_id=chart_id, title=title, rows=len(rows), empty=_("没有正在实施的项目。")
    )
    if not rows:
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308  (every text and attribute is escaped above)

    parts.append(_axis(height))
    # Translated once per chart, not once per bar.
    texts = (
        _("%(name)s（%(district)s）：已签约%(signed)s户，共%(total)s户，签约率%(rate)s"),
        _("%(signed)s/%(total)s户 %(rate)s"),
    )
    for index, row in enumerate(rows):
        parts.append(_bar(row, index, url_for(row) if url_for else None, texts))
    parts.append(_legend(height))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text and attribute is escaped above)


def _axis(height: int) -> str:
    parts = ['<g class="chart-axis">']
    for percent in (0, 25, 50, 75, 100):
        x = _px(LABEL_WIDTH + Decimal(BAR_LENGTH * percent) / 100)
        parts.append(
            _element(
                "line",
                {
                    "x1": x,
                    "x2": x,
                    "y1": TOP - 6,
                    "y2": height - BOTTOM + 4,
                    "stroke": GRID,
                    "stroke-width": 1,
                },
            )
        )
        parts.append(
            _element(
                "text",
                {
                    "x": x,
                    "y": TOP - 12,
                    "text-anchor": "middle",
                    "fill": MUTED,
                    "font-size": SMALL_FONT_SIZE,
                },
                f"{percent}%",
            )
        )
    parts.append("</g>")
    return "".join(parts)


def row_track(top: int) -> str:
    """The grey track of a bar whose top is at `top` px: the full length behind its value."""
    return _element(
        "rect",
        {
            "class": "track",
            "x": LABEL_WIDTH,
            "y": top,
            "width": BAR_LENGTH,
            "height": BAR_HEIGHT,
            "fill": TRACK,
        },
    )


@functools.lru_cache(maxsize=512)
def _row_layout(index: int) -> tuple[str, str, str, str]:
    """The markup of the `index`-th bar that depends only on its position, worked out once:
    the name's opening <text>, the track, the bar's <rect> up to its width, and the value's
    opening <text>."""
    top = TOP + ROW_HEIGHT * index + (ROW_HEIGHT - BAR_HEIGHT) // 2
    middle = Decimal(top) + Decimal(BAR_HEIGHT) / 2
    text_y = _px(_baseline(middle, FONT_SIZE))
    label = _element_open("text", {"x": LABEL_WIDTH - 8, "y": text_y, "text-anchor": "end"})
    track = row_track(top)
    bar = _element_open("rect", {"class": "bar", "x": LABEL_WIDTH, "y": top})[:-1]
    value = _element_open(
        "text", {"x": LABEL_WIDTH + BAR_LENGTH + VALUE_GAP, "y": text_y, "fill": MUTED}
    )
    return label, track, bar, value


def _bar(row: ProjectProgress, index: int, url: str | None, texts: tuple[str, str]) -> str:
    """One project's bar: its name, the track, the signed share and the counts beside it,
    with the summary as its <title> (what a screen reader and a hovering mouse get).
    `texts` are the summary's and the counts' translated formats."""
    share = Decimal(row.signed) / Decimal(row.households) if row.households else Decimal(0)
    figures = {
        "name": row.name,
        "district": row.district,
        "signed": row.signed,
        "total": row.households,
        "rate": f"{row.rate}%" if row.rate is not None else "—",
    }
    summary, value = texts[0] % figures, texts[1] % figures
    label, track, bar, value_text = _row_layout(index)
    fill = COMPLETE if share == 1 else SIGNED
    markup = (
        f'<g class="chart-row"><title>{escape(summary)}</title>'
        f"{label}{escape(_fit(row.name, LABEL_WIDTH - 16, FONT_SIZE))}</text>{track}"
        f'{bar} width="{_px(BAR_LENGTH * share)}" height="{BAR_HEIGHT}" fill="{fill}"/>'
        f"{value_text}{escape(value)}</text></g>"
    )
    if url:
        return _element_open("a", {"href": url}) + markup + "</a>"
    return markup


def _element_open(tag: str, attributes: dict[str, object]) -> str:
    return f"<{tag}{_attrs(attributes)}>"


def _legend(height: int) -> str:
    y = height - BOTTOM + 14
    swatch = 10
    parts = ['<g class="chart-legend">']
    x = LABEL_WIDTH
    for color, label in ((SIGNED, _("已签约")), (TRACK, _("未签约")), (COMPLETE, _("全部签约"))):
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
