from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from budget import figures
from budget.models import BudgetYear, ExpenseControl, Indicator, ProjectExpenditure
from budget.report import layouts
from budget.report.sheets import sample_labels

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


def _money(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, initial=Decimal("0.00"), **MONEY)


class BudgetYearCreateForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


FUNDING_FIELDS = [
    f"{source}_{column}"
    for source in ("fiscal", "carryover", "other")
    for column in ("initial", "full", "executed")
]


class BudgetYearForm(forms.ModelForm):
    form_layout = forms.ChoiceField(label=_("附件表式"), choices=layouts.form_choices)
    sample_keys = forms.MultipleChoiceField(
        label=_("仍为示例的数据"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("填入单位实际数据后，取消勾选，附件中就不再标注“示例数据”。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        marked = self.instance.sample_keys or []
        self.fields["sample_keys"].choices = [
            (key, label) for key, label in zip(marked, sample_labels(marked), strict=True)
        ]

    class Meta:
        model = BudgetYear
        fields = [
            "budget_level",
            "authorized_posts",
            "staff_in_post",
            "retired",
            "sections",
            "subordinate_units",
            "duties",
            "report_date",
            "weight_execution",
            "weight_output",
            "weight_benefit",
            "weight_satisfaction",
            "grade_excellent",
            "grade_good",
            "grade_pass",
            "three_public_note",
            "adjustment_note",
            "cover_label",
            "form_layout",
            "goal",
            "outcome",
            *FUNDING_FIELDS,
            "building_approved_area",
            "building_actual_area",
            "building_budget_investment",
            "building_actual_investment",
            "frugality_measures",
            "sample_keys",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "frugality_measures": forms.Textarea(attrs={"rows": 3}),
            "sections": forms.Textarea(attrs={"rows": 4}),
            "subordinate_units": forms.Textarea(attrs={"rows": 2}),
            "duties": forms.Textarea(attrs={"rows": 10}),
            "report_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "three_public_note": forms.Textarea(attrs={"rows": 3}),
            "adjustment_note": forms.Textarea(attrs={"rows": 3}),
        }


class BudgetLineForm(forms.Form):
    """One fund and kind: the balances must add up (the database holds the same rule)."""

    opening = _money(_("年初结转和结余（元）"))
    income = _money(_("本年收入（元）"))
    expenditure = _money(_("本年支出（元）"))
    closing = _money(_("年末结转和结余（元）"))

    def clean(self):
        data = super().clean()
        amounts = [data.get(name) for name in ("opening", "income", "expenditure", "closing")]
        if None not in amounts:
            opening, income, expenditure, closing = amounts
            if opening + income - expenditure != closing:
                raise forms.ValidationError(
                    _(
                        "年初结转和结余 + 本年收入 − 本年支出 = %(expected)s元，"
                        "与年末结转和结余%(closing)s元不符，请核对。"
                    ),
                    params={"expected": opening + income - expenditure, "closing": closing},
                    code="unbalanced",
                )
        return data


class StatedTotalForm(forms.Form):
    income = _money(_("决算本年收入（元）"))
    expenditure = _money(_("决算本年支出（元）"))


class ProjectExpenditureForm(forms.ModelForm):
    class Meta:
        model = ProjectExpenditure
        fields = [
            "name",
            "department",
            "implementer",
            "goal",
            "outcome",
            "fiscal_initial",
            "fiscal_full",
            "fiscal_executed",
            "carryover_initial",
            "carryover_full",
            "carryover_executed",
            "other_initial",
            "other_full",
            "other_executed",
            "order",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "level",
            "sublevel",
            "name",
            "method",
            "target",
            "unit",
            "target_note",
            "figure",
            "actual",
            "actual_note",
            "weight",
            "manual_score",
            "score_reason",
            "is_applicable",
            "deviation",
            "order",
        ]
        widgets = {
            "score_reason": forms.Textarea(attrs={"rows": 2}),
            "deviation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["figure"] = forms.ChoiceField(
            label=_("取数来源"),
            required=False,
            choices=[("", _("手工填写实际完成值"))]
            + [
                (spec.key, f"{spec.group}：{spec.name}" + (f"（{spec.unit}）" if spec.unit else ""))
                for spec in figures.bindable()
            ],
            help_text=_("选择系统统计的数据后，实际完成值自动填入，无需手工填写。"),
        )


def _control_field(item: str, column: str) -> str:
    return f"{item}__{column}"


CONTROL_COLUMNS = [
    ("previous_actual", _("上年决算数（元）")),
    ("budget", _("本年预算数（元）")),
    ("actual", _("本年决算数（元）")),
]


class ExpenseControlForm(forms.Form):
    """Every expense-control line of attachment 1 on one form, three amounts a line."""

    def __init__(self, *args, controls: list[ExpenseControl], **kwargs):
        super().__init__(*args, **kwargs)
        existing = {control.item: control for control in controls}
        self.rows = []
        for item in ExpenseControl.Item:
            names = []
            for column, label in CONTROL_COLUMNS:
                name = _control_field(item.value, column)
                control = existing.get(item.value)
                self.fields[name] = forms.DecimalField(
                    label=f"{item.label}：{label}",
                    required=False,
                    initial=getattr(control, column) if control else Decimal("0.00"),
                    **MONEY,
                )
                names.append(name)
            self.rows.append((ExpenseControl.label_for(item), [self[name] for name in names]))

    def values(self) -> dict[str, dict[str, Decimal]]:
        return {
            item.value: {
                column: self.cleaned_data[_control_field(item.value, column)]
                for column, _label in CONTROL_COLUMNS
            }
            for item in ExpenseControl.Item
        }


class NarrativeForm(forms.Form):
    body = forms.CharField(
        label=_("正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 22, "class": "narrative-text"}),
        help_text=_(
            "插入数据：在文字中写{数据名称}，如{正在实施项目数}，生成报告时换成当年的数值。"
            "以（一）（二）开头的行是小标题，报告中自动编号；单独一行写{签约进度图}可在该处插入签约进度图。"
        ),
    )


class FindingNoteForm(forms.Form):
    explanation = forms.CharField(
        label=_("差异说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("用单位自己的话说明差异的原因，报告“其他需要说明的情况”中原样写出。"),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("重新开账的理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：补录2022年登记的被征收户。理由记入关账记录。"),
    )
