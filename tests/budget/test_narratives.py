"""Narratives: named figures by placeholder, safe substitution, unknown names refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budget import narratives, services
from budget.figures import Figures
from budget.models import Narrative
from tests.auth import login

pytestmark = pytest.mark.django_db

FIGURES = Figures(
    {
        "in_progress_count": 10,
        "in_progress_households": 1497,
        "in_progress_area_wan": Decimal("14.95"),
        "signing_rate": Decimal("67.2"),
    }
)


def test_a_placeholder_is_replaced_by_its_figure():
    text = (
        "今年正在实施的项目{正在实施项目数}个，共{正在实施项目户数}户，"
        "面积{正在实施项目面积}万平方米，签约率{签约率}。"
    )
    assert narratives.fill(text, FIGURES) == (
        "今年正在实施的项目10个，共1497户，面积14.95万平方米，签约率67.2%。"
    )


def test_a_figure_that_has_no_value_reads_as_a_dash():
    assert narratives.fill("接待{来访人次}人次", FIGURES) == "接待—人次"


def test_staff_text_is_never_run_as_a_template():
    text = (
        "{{ settings.SECRET_KEY }} {% load static %} {正在实施项目数.__class__} {{正在实施项目数}}"
    )
    # Only an exact name from the fixed table is replaced; everything else stays as typed…
    assert narratives.fill(text, FIGURES) == (
        "{{ settings.SECRET_KEY }} {% load static %} {正在实施项目数.__class__} {10}"
    )
    # …and is refused when saved.
    assert narratives.unknown_names(text) == [
        "settings.SECRET_KEY",
        "% load static %",
        "正在实施项目数.__class__",
    ]


def test_lines_with_a_chinese_ordinal_become_sub_headings_without_their_number():
    lines = narratives.lines("（三）依法履职\n正文一段。\n\n(四) 第二个标题", FIGURES)
    assert [(line.text, line.is_heading) for line in lines] == [
        ("依法履职", True),
        ("正文一段。", False),
        ("第二个标题", True),
    ]


def test_a_line_holding_only_the_chart_placeholder_places_the_chart():
    lines = narratives.lines("第一段。\n{签约进度图}\n第二段。", FIGURES)
    assert [line.is_chart for line in lines] == [False, True, False]


def test_saving_a_text_with_an_unknown_name_is_refused_in_chinese(budget_year, office_user):
    with pytest.raises(ValidationError) as refused:
        services.save_narrative(
            budget_year=budget_year, by=office_user, kind="work", body="共{在建项目数}个项目"
        )
    assert "以下数据名称不存在：{在建项目数}" in str(refused.value)
    assert not Narrative.objects.exists()


def test_any_office_staff_member_writes_the_narratives_in_the_browser(
    client, budget_year, office_user
):
    login(client, "clerk")
    url = reverse("budget:narrative_edit", args=[2022, "work"])
    page = client.get(url)
    assert "{正在实施项目数}" in page.content.decode()

    response = client.post(url, {"body": "（一）依法履职\n共{正在实施项目数}个项目。"})
    assert response.status_code == 302
    narrative = Narrative.objects.get()
    assert (narrative.kind, narrative.updated_by) == ("work", office_user)
    assert narrative.history.get().history_user == office_user


def test_the_editor_shows_the_unknown_names_and_keeps_the_text(client, budget_year, office_user):
    login(client, "clerk")
    response = client.post(
        reverse("budget:narrative_edit", args=[2022, "problems"]), {"body": "共{不存在的数}处"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "以下数据名称不存在：{不存在的数}" in html
    assert "共{不存在的数}处" in html
    assert not Narrative.objects.exists()


def test_the_preview_fills_the_figures_as_the_report_will(client, budget_year, office_user):
    login(client, "clerk")
    response = client.post(
        reverse("budget:narrative_preview", args=[2022, "work"]),
        {"body": "（一）标题\n年度：{年度}；编制{编制数}人。"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<h3>标题</h3>" in html
    assert "年度：2022；编制16人。" in html


def test_an_unknown_narrative_kind_is_not_found(client, budget_year, office_user):
    login(client, "clerk")
    assert client.get(reverse("budget:narrative_edit", args=[2022, "poetry"])).status_code == 404
