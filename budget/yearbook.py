"""Everything about one budget year in one place: its rows, figures, scorecards and findings.

The year page, the narrative preview and the report job all read a year through `gather`,
so the page shows exactly what the report will state. A fixed number of queries.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from budget import checks, figures, scorecards
from budget.models import (
    BudgetLine,
    BudgetYear,
    ExpenseControl,
    FindingNote,
    Fund,
    Narrative,
    ProjectExpenditure,
    SpendingKind,
    StatedTotal,
    YearClosing,
)
from core.models import Office


@dataclass
class YearBook:
    budget_year: BudgetYear
    office_name: str
    parent_body: str
    lines: list[BudgetLine]
    stated: list[StatedTotal]
    expenditures: list[ProjectExpenditure]
    controls: list[ExpenseControl]
    narratives: dict[str, Narrative]
    figures: figures.Figures
    department: scorecards.Scorecard
    project_cards: list[scorecards.Scorecard]
    findings: list[checks.Finding]
    notes: dict[str, FindingNote]
    closing: YearClosing | None = None  # the latest closing or reopening of the year

    @property
    def is_closed(self) -> bool:
        return self.closing is not None and self.closing.is_close

    @property
    def year(self) -> int:
        return self.budget_year.year

    def line(self, fund: str, kind: str) -> BudgetLine | None:
        return next((r for r in self.lines if r.fund == fund and r.kind == kind), None)

    def fund_lines(self, fund: str) -> list[BudgetLine]:
        return [line for line in self.lines if line.fund == fund]

    def stated_total(self, fund: str) -> StatedTotal | None:
        return next((total for total in self.stated if total.fund == fund), None)

    def narrative(self, kind: str) -> str:
        narrative = self.narratives.get(kind)
        return narrative.body if narrative else ""

    def note(self, finding: checks.Finding) -> FindingNote | None:
        return self.notes.get(finding.key)

    def explanation(self, finding: checks.Finding) -> str:
        """What §十 prints for a finding: the office's words, or the finding itself with a
        request for them."""
        note = self.notes.get(finding.key)
        if note and note.explanation.strip():
            return note.explanation.strip()
        return finding.message + _("（差异原因待说明。）")

    def finding_rows(self) -> list[tuple[checks.Finding, FindingNote | None, str]]:
        """(finding, its note, the text §十 prints) of each finding, in the check's order."""
        return [(f, self.notes.get(f.key), self.explanation(f)) for f in self.findings]

    @property
    def funds(self) -> list[tuple[str, str]]:
        return list(Fund.choices)

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return list(SpendingKind.choices)


def gather(budget_year: BudgetYear) -> YearBook:
    lines = list(budget_year.lines.all())
    stated = list(budget_year.stated_totals.all())
    expenditures = list(budget_year.expenditures.all())
    controls = ExpenseControl.in_order(budget_year.controls.all())
    narratives = {n.kind: n for n in budget_year.narratives.all()}
    # A closed year reads the figures stored when it was closed, not today's data.
    closing = YearClosing.objects.select_related("by").latest_for(budget_year)
    if closing is not None and closing.is_close:
        year_figures = figures.thaw(closing.figures)
    else:
        year_figures = figures.collect(budget_year, lines=lines)
    department, project_cards = scorecards.for_year(budget_year, year_figures, expenditures)
    year_figures = scorecards.with_score(year_figures, department)
    office = Office.objects.order_by("pk").first()
    findings = checks.check(
        budget_year,
        lines=lines,
        stated=stated,
        expenditures=expenditures,
        controls=controls,
        cards=[department, *project_cards],
    )
    return YearBook(
        budget_year=budget_year,
        office_name=office.name if office else Office.current_name(),
        parent_body=office.parent_body if office else "",
        lines=lines,
        stated=stated,
        expenditures=expenditures,
        controls=controls,
        narratives=narratives,
        figures=year_figures,
        department=department,
        project_cards=project_cards,
        findings=findings,
        closing=closing,
        notes={
            note.key: note for note in budget_year.finding_notes.select_related("acknowledged_by")
        },
    )
