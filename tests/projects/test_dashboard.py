import re
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as ET
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import panels as core_panels
from projects import figures
from projects.charts import signing_progress_svg
from projects.models import Project
from tests.auth import login
from tests.factories import ProjectFactory
from tests.projects.test_figures import households, start

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
URL = reverse("projects:dashboard")


def chart_of(html: str) -> Element:
    markup = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    return ET.fromstring(markup)


def bars(svg: Element) -> list[Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "bar"]


@pytest.fixture(autouse=True)
def _no_panel_sources(monkeypatch):
    """Other apps register their panels at start-up; these tests choose their own."""
    monkeypatch.setattr(core_panels, "_PANEL_PROVIDERS", [])


@pytest.fixture
def two_districts(district, other_district, office_user):
    """A project in each district, started in 2022, some households signed."""
    own = start(ProjectFactory(district=district, name="六岭棚改"), date(2022, 3, 1), office_user)
    other = start(
        ProjectFactory(district=other_district, name="水利局棚改"), date(2021, 5, 1), office_user
    )
    households(own, 3, area="100.00", signed_on=date(2022, 6, 1))
    households(own, 1, area="72.00")
    households(other, 2, area="150.00", signed_on=date(2022, 7, 1))
    return own, other


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_office_staff_see_every_district_and_the_figures(client, two_districts):
    login(client, "clerk")
    response = client.get(URL, {"year": 2022})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2022年房屋征收工作概况" in html
    assert "六岭棚改" in html and "水利局棚改" in html
    summary = (
        "2022年新增房屋征收项目1个，共4户，面积372平方米；正在实施的项目2个，共6户，"
        "面积0.07万平方米，已完成签约5户，面积0.06万平方米。"
    )
    assert summary in html
    assert "签约率83.3%" in html
    # QA: a household registered after the year is not in its figures, and the note says so.
    assert "登记日期在本年末以前的被征收户计入本年户数" in html


def test_district_user_sees_only_their_district(client, two_districts, district_member):
    login(client, "district")
    html = client.get(URL, {"year": 2022}).content.decode()
    assert "六岭棚改" in html
    assert "水利局棚改" not in html
    assert "正在实施的项目1个，共4户" in html
    assert len(bars(chart_of(html))) == 1


def test_outsider_sees_only_the_other_district(client, two_districts, outsider):
    login(client, "outsider")
    html = client.get(URL, {"year": 2022}).content.decode()
    assert "水利局棚改" in html
    assert "六岭棚改" not in html
    assert "已完成签约2户" in html


def test_year_defaults_to_the_current_year(client, office_user):
    login(client, "clerk")
    this_year = timezone.localdate().year
    for query in ({}, {"year": "abc"}, {"year": "99999"}):
        html = client.get(URL, query).content.decode()
        assert f"{this_year}年房屋征收工作概况" in html


def test_year_picker_lists_the_years_that_have_projects(client, two_districts):
    login(client, "clerk")
    html = client.get(URL, {"year": 2022}).content.decode()
    for year in range(2021, timezone.localdate().year + 1):
        assert f'<option value="{year}"' in html
    assert '<option value="2020"' not in html
    assert '<option value="2022" selected>' in html


def test_chart_is_well_formed_svg_with_one_bar_per_project(client, two_districts):
    login(client, "clerk")
    html = client.get(URL, {"year": 2022}).content.decode()
    svg = chart_of(html)
    assert svg.tag == f"{SVG}svg"
    assert len(bars(svg)) == 2
    markup = html[html.index("<svg") : html.index("</svg>")]
    assert "<script" not in markup
    assert "style=" not in html


def test_chart_escapes_project_names():
    row = figures.ProjectProgress(
        pk=1,
        name='A&B<"棚改">',
        district="双清区",
        households=4,
        signed=1,
        area=Decimal("400.00"),
        signed_area=Decimal("100.00"),
    )
    markup = signing_progress_svg(
        [row], title="<进度> & 签约", url_for=lambda row: "/projects/1/?a=1&b=2"
    )
    svg = ET.fromstring(markup)
    texts = [element.text for element in svg.iter(f"{SVG}text")]
    assert 'A&B<"棚改">' in texts
    assert "1/4户 25.0%" in texts
    assert svg.find(f"{SVG}title").text == "<进度> & 签约"
    assert svg.find(f"{SVG}a").get("href") == "/projects/1/?a=1&b=2"
    (bar,) = bars(svg)
    assert bar.get("width") == "95"  # a quarter of the 380 units a full bar takes


def test_chart_without_projects_says_so():
    svg = ET.fromstring(signing_progress_svg([], title="进度"))
    assert bars(svg) == []
    assert "没有正在实施的项目。" in [element.text for element in svg.iter(f"{SVG}text")]


def test_bars_link_to_the_project_page(client, two_districts):
    own, _ = two_districts
    detail = reverse("projects:project_detail", args=[own.pk])
    login(client, "clerk")
    html = client.get(URL, {"year": 2022}).content.decode()
    links = [a.get("href") for a in chart_of(html).iter(f"{SVG}a")]
    assert detail in links
    assert f'<a href="{detail}">六岭棚改</a>' in html


def test_no_panels_are_shown_without_a_source(client, two_districts):
    login(client, "clerk")
    html = client.get(URL, {"year": 2022}).content.decode()
    assert html.count('class="dash-card"') == 3


def test_panels_of_other_apps_are_shown(client, two_districts):
    def deadlines(*, year, user):
        return [core_panels.Panel(title="逾期期限", value=2, unit="项", tone="alert")]

    core_panels.panel_provider(deadlines)
    login(client, "clerk")
    html = client.get(URL, {"year": 2022}).content.decode()
    assert "逾期期限" in html
    assert "dash-card dash-alert" in html


def _queries_for_dashboard(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"year": 2022}).status_code == 200
    return len(queries)


def test_dashboard_takes_the_same_queries_for_few_and_many_households(
    client, district, office_user
):
    login(client, "clerk")
    project = start(ProjectFactory(district=district), date(2022, 2, 1), office_user)
    households(project, 2)
    few = _queries_for_dashboard(client)

    for index in range(4):
        more = start(ProjectFactory(district=district), date(2021, 2, index + 1), office_user)
        households(more, 50, signed_on=date(2022, 3, 1))
    assert _queries_for_dashboard(client) == few
    # The queries counted are those of a page that added up every household.
    assert "正在实施的项目5个，共202户" in client.get(URL, {"year": 2022}).content.decode()


def test_a_large_year_draws_one_page_of_projects_and_counts_them_all(client, district, office_user):
    """26 projects: one more than a page. The figures add up all 26; the chart and the table
    show 25, then 1 on the second page, with the same queries."""
    projects = ProjectFactory.create_batch(26, district=district)
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(started_on=date(2022, 3, 1))
    for project in projects:
        households(project, 1, area="10.00", signed_on=date(2022, 6, 1))
    login(client, "clerk")
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(URL, {"year": 2022}).content.decode()
    assert len(bars(chart_of(first))) == 25
    assert "（第1/2页，共26个项目）" in first
    assert "正在实施的项目26个，共26户" in first
    assert 'href="?year=2022&amp;page=2"' in first
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(URL, {"year": 2022, "page": 2}).content.decode()
    assert len(bars(chart_of(second))) == 1
    assert "（第2/2页，共26个项目）" in second
    assert len(second_queries) == len(first_queries)


def test_the_table_shows_each_project_cell_by_cell(client, district, two_districts, office_user):
    own, _other = two_districts
    empty = start(ProjectFactory(district=district, name="空项目"), date(2022, 4, 1), office_user)
    login(client, "clerk")

    html = client.get(URL, {"year": 2022}).content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>.*?</tr>", table)
    ]
    own_link = f'<a href="{own.get_absolute_url()}">六岭棚改</a>'
    empty_link = f'<a href="{empty.get_absolute_url()}">空项目</a>'
    assert [own_link, district.name, "4", "3", "75.0%", "372.00", "300.00"] in rows
    assert [empty_link, district.name, "0", "0", "—", "0.00", "0.00"] in rows
    assert len(rows) == 3


def test_the_table_escapes_what_it_shows(client, district, office_user):
    start(ProjectFactory(district=district, name="<b>棚改&</b>"), date(2022, 4, 1), office_user)
    login(client, "clerk")
    html = client.get(URL, {"year": 2022}).content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "&lt;b&gt;棚改&amp;&lt;/b&gt;</a>" in table
    assert "<b>" not in table


def test_each_scope_reads_its_own_figures_from_sql_written_once(
    client, two_districts, district_member, outsider
):
    """The figures' query is written once per form of scope (every district, one district):
    office staff, then each district's user, each get their own figures, and the query run
    is the compiled statement's EXECUTE with the year's bounds as parameters."""
    from core.compiled import logged_sql

    expected = {
        "clerk": "正在实施的项目2个，共6户",
        "district": "正在实施的项目1个，共4户",
        "outsider": "正在实施的项目1个，共2户",
    }
    for username, figures_shown in [*expected.items(), ("clerk", expected["clerk"])]:
        client.logout()
        login(client, username)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(URL, {"year": 2022}).content.decode()
        assert figures_shown in html, username
        progress = [
            q["sql"] for q in captured if '"projects_householdtally"' in logged_sql(q["sql"])
        ]
        assert len(progress) == 1 and progress[0].startswith("EXECUTE compiled_values_")
        assert "'2022-01-01'" in progress[0] and "'2022-12-31'" in progress[0]


def test_the_cards_of_a_year_without_households_say_so(client, district, office_user):
    start(ProjectFactory(district=district, name="空项目"), date(2022, 4, 1), office_user)
    login(client, "clerk")
    html = client.get(URL, {"year": 2022}).content.decode()
    cards = re.findall(r'<section class="dash-card">(.*?)</section>', html, re.S)
    texts = [re.sub(r"<[^>]+>|\s+", "", card) for card in cards]
    assert texts == [
        "新增项目1个0户·0平方米",
        "正在实施1个0户·0.00万平方米",
        "已签约0户0.00万平方米·签约率—",
    ]
    assert "2022年新增房屋征收项目1个，共0户，面积0平方米；正在实施的项目1个，共0户" in html
