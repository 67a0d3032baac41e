"""Narratives: the text staff write, with named figures between braces.

A placeholder is a figure's name between braces, `{正在实施项目数}`; the report replaces it
with the figure's value. The substitution is one regular expression over the fixed table of
budget.figures: staff text is never run as a template, so nothing in it can execute.
A name the table does not know is refused when the text is saved.

A line holding only `{签约进度图}` places the signing-progress chart (and its table) there;
without it, the report puts the chart after the narratives of its chapter.

A line that starts with a Chinese ordinal in brackets, （一）…, is a sub-heading; the report
numbers sub-headings itself, in order, so staff need not renumber them when they move text.
"""

import re
from dataclasses import dataclass

from budget.figures import BY_NAME, CHART, Figures

PLACEHOLDER = re.compile(r"\{([^{}\n]{1,40})\}")
SUBHEADING = re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*")


def names_in(text: str) -> list[str]:
    """The placeholder names in `text`, in order, each once."""
    return list(dict.fromkeys(match.group(1).strip() for match in PLACEHOLDER.finditer(text)))


def unknown_names(text: str) -> list[str]:
    return [name for name in names_in(text) if name not in BY_NAME]


def fill(text: str, figures: Figures) -> str:
    """`text` with every known placeholder replaced by its figure (unknown ones stay as typed)."""

    def replace(match: re.Match) -> str:
        value = figures.text_for(match.group(1).strip())
        return match.group(0) if value is None else value

    return PLACEHOLDER.sub(replace, text)


CHART_NAMES = frozenset(spec.name for spec in BY_NAME.values() if spec.style == CHART)


@dataclass(frozen=True)
class Line:
    text: str
    is_heading: bool = False
    is_chart: bool = False


def lines(text: str, figures: Figures) -> list[Line]:
    """The filled text as paragraphs and sub-headings (without their typed numbers)."""
    result = []
    for raw in (text or "").splitlines():
        names = names_in(raw)
        if len(names) == 1 and names[0] in CHART_NAMES and raw.strip() == f"{{{names[0]}}}":
            result.append(Line("", is_chart=True))
            continue
        line = fill(raw, figures).strip()
        if not line:
            continue
        heading = SUBHEADING.match(line)
        if heading:
            result.append(Line(line[heading.end() :], is_heading=True))
        else:
            result.append(Line(line))
    return result
