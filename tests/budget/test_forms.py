"""The attachments follow the forms a year files on (budget.report.layouts.FORM_SETS), with
Hunan's blocks; figures the office has not given yet are marked 示例数据 in their cells and on
the year's page; the cover as the seed's."""

from dataclasses import replace
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from budget import services
from budget.models import AnnualReport, ExpenseControl
from budget.report import layouts
from tests.auth import login
from tests.budget.test_views import YEAR_FORMS_AND_FUNDS

pytestmark = pytest.mark.django_db


def year_form(budget_year, **changes) -> dict:
    data = {
        "budget_level": budget_year.budget_level,
        "authorized_posts": "16",
        "staff_in_post": "11",
        "retired": "8",
        "duties": "审核补偿方案；",
        "weight_execution": "10",
        "weight_output": "50",
        "weight_benefit": "30",
        "weight_satisfaction": "10",
        "grade_excellent": "90",
        "grade_good": "80",
        "grade_pass": "60",
        **YEAR_FORMS_AND_FUNDS,
    }
    return {**data, **changes}


def budget_year_office() -> str:
    from core.models import Office

    return Office.current_name()


def build(budget_year) -> AnnualReport:
    run = AnnualReport.objects.create(budget_year=budget_year)
    return services.build_report(run_id=run.pk)


def sheet(field_file):
    with field_file.open("rb") as handle:
        return load_workbook(handle).active


def test_the_buildings_and_department_funds_entered_on_the_year_page_fill_the_forms(
    client, budget_year, finance
):
    login(client, "finance")
    response = client.post(
        reverse("budget:year_edit", args=[2022]),
        year_form(
            budget_year,
            building_approved_area="1200",
            building_actual_area="1180.5",
            building_budget_investment="3000000",
            building_actual_investment="2950000",
            frugality_measures="会议一律在机关会议室召开。",
            goal="完成签约1000户。",
            outcome="完成签约1006户。",
            fiscal_initial="2000000",
            fiscal_full="2184000",
            fiscal_executed="2134000",
        ),
    )
    assert response.status_code == 302
    run = build(budget_year)

    basic = sheet(run.attachment1)
    values = [[cell.value for cell in row] for row in basic.iter_rows()]
    building = next(i for i, row in enumerate(values) if str(row[0]).startswith("楼堂馆所控制情况"))
    assert values[building + 1][1:] == [1200, 1180.5, pytest.approx(1180.5 / 1200)]
    assert values[building + 3][1:] == [300, 295, pytest.approx(295 / 300)]
    assert values[building + 4][:2] == ["厉行节约保障措施", "会议一律在机关会议室召开。"]

    department = sheet(run.attachment2)
    rows = [[cell.value for cell in row] for row in department.iter_rows()]
    fiscal = next(row for row in rows if row[1] == "其中：当年财政拨款")
    assert fiscal[2:5] == [200, 218.4, 213.4]
    assert fiscal[6] == pytest.approx(213.4 / 218.4)
    goal = next(i for i, row in enumerate(rows) if row[0] == "年度总体目标")
    assert (rows[goal + 1][1], rows[goal + 1][5]) == ("完成签约1000户。", "完成签约1006户。")


def test_spending_beyond_a_budget_is_refused_on_the_year_form(client, budget_year, finance):
    login(client, "finance")
    page = client.post(
        reverse("budget:year_edit", args=[2022]),
        year_form(budget_year, carryover_full="30000", carryover_executed="40000"),
    ).content.decode()
    assert "全年执行数不能超过全年预算数" in page
    budget_year.refresh_from_db()
    assert budget_year.carryover_executed == 0


def test_a_year_files_on_the_forms_it_names(client, budget_year, finance, monkeypatch):
    """Another province's forms are a FormSet declared in layouts, chosen on the year form."""
    other = layouts.FormSet(
        label="某省表式（测试）",
        attachment1=replace(
            layouts.ATTACHMENT1,
            rows=[
                layouts.Row([layouts.Cell(text="某省基础数据表", style=layouts.TITLE, span=4)]),
                *layouts.ATTACHMENT1.rows[1:],
            ],
        ),
        attachment2=layouts.ATTACHMENT2,
        attachment3=layouts.ATTACHMENT3,
    )
    monkeypatch.setitem(layouts.FORM_SETS, "other", other)
    login(client, "finance")
    assert (
        "某省表式（测试）" in client.get(reverse("budget:year_edit", args=[2022])).content.decode()
    )
    client.post(
        reverse("budget:year_edit", args=[2022]), year_form(budget_year, form_layout="other")
    )
    budget_year.refresh_from_db()
    assert budget_year.form_layout == "other"
    assert sheet(build(budget_year).attachment1)["A1"].value == "某省基础数据表"

    monkeypatch.delitem(layouts.FORM_SETS, "other")  # a set no longer declared: the default
    assert sheet(build(budget_year).attachment1)["A1"].value == "部门整体支出绩效评价基础数据表"


def test_sample_figures_are_marked_until_the_office_unmarks_them(client, budget_year, finance):
    services.save_expense_controls(
        budget_year=budget_year,
        by=finance,
        values={ExpenseControl.Item.RECEPTION: {"budget": Decimal("8000")}},
    )
    services.update_year(
        budget_year=budget_year, by=finance, sample_keys=["reception", "fiscal.initial"]
    )
    login(client, "finance")
    page = client.get(reverse("budget:year_detail", args=[2022])).content.decode()
    assert "示例数据" in page and "公务接待费、当年财政拨款：年初预算数" in page

    basic = sheet(build(budget_year).attachment1)
    reception = next(row for row in basic.iter_rows() if row[0].value == "　3.公务接待费")
    assert "示例数据" in reception[2].comment.text

    client.post(
        reverse("budget:year_edit", args=[2022]),
        year_form(budget_year, sample_keys=["fiscal.initial"]),
    )
    budget_year.refresh_from_db()
    assert budget_year.sample_keys == ["fiscal.initial"]
    basic = sheet(build(budget_year).attachment1)
    reception = next(row for row in basic.iter_rows() if row[0].value == "　3.公务接待费")
    assert reception[2].comment is None


def test_the_cover_carries_the_label_the_unit_and_the_date_as_the_seeds(budget_year, finance):
    services.update_year(budget_year=budget_year, by=finance, report_date="2023-04-07")
    with build(budget_year).pdf.open("rb") as handle:
        cover = PdfReader(BytesIO(handle.read())).pages[0].extract_text()
    lines = [line.strip() for line in cover.splitlines() if line.strip()]
    assert lines[0] == "附件1"
    office = budget_year_office()
    assert lines[-2:] == [f"单位名称：{office}", "2023年4月7日"]  # the date under the unit
    assert "报告日期" not in cover

    services.update_year(budget_year=budget_year, by=finance, cover_label="")
    with build(budget_year).pdf.open("rb") as handle:
        cover = PdfReader(BytesIO(handle.read())).pages[0].extract_text()
    assert "附件1" not in cover
