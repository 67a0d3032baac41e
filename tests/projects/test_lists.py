"""The lists that grow with an office (issue 16): projects, a project's households (the
register, the compensation list, the valuations) and the dashboard's projects are read one page
at a time, with the page's figures computed in the database, so a page costs the same queries
whether it shows 10 rows or 100."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.compiled import logged_sql
from projects.models import Project
from tests.auth import login
from tests.factories import HouseholdFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PROJECTS = reverse("projects:project_list")


def _projects(district, count, *, first=0, name="测试棚改项目"):
    """`count` projects started one day apart (the list shows the latest started first)."""
    projects = [
        ProjectFactory(district=district, code=f"P-{first + n:03d}", name=f"{name}{first + n:03d}")
        for n in range(count)
    ]
    for n, project in enumerate(projects):
        Project.objects.filter(pk=project.pk).update(
            started_on=date(2020, 1, 1) + timedelta(days=first + n)
        )
    return projects


def _rows(response) -> list[str]:
    """The codes in the first column of the page's table, in order."""
    return [str(getattr(row, "code", row)) for row in response.context["page"].object_list]


def _query_count(client, url, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


# --- the project list -------------------------------------------------------------------


def test_the_project_list_shows_25_projects_a_page_and_the_rest_on_page_2(
    client, office_user, district
):
    _projects(district, 27)
    login(client, "clerk")

    first = client.get(PROJECTS)
    second = client.get(PROJECTS, {"page": 2})

    # Latest started first: P-026 … P-002, then P-001 and P-000.
    assert _rows(first) == [f"P-{n:03d}" for n in range(26, 1, -1)]
    assert _rows(second) == ["P-001", "P-000"]
    html = second.content.decode()
    assert "共 27 个项目" in html
    assert "第 2 / 2 页" in html
    assert 'href="?page=1"' in html


def test_the_project_list_shows_projects_not_started_yet_before_the_latest_started(
    client, office_user, district
):
    """A project without a start day (its 启动公告 not out) comes first, as PostgreSQL sorts
    NULL in a descending order; the query says so, so that SQLite (`make run`), which would
    put it last, shows the same list."""
    _projects(district, 2)
    waiting = ProjectFactory(district=district, code="P-NEW", name="待启动项目")
    login(client, "clerk")

    with CaptureQueriesContext(connection) as captured:
        response = client.get(PROJECTS)

    assert _rows(response) == ["P-NEW", "P-001", "P-000"]
    html = response.content.decode()
    assert html.index(waiting.name) < html.index("测试棚改项目001") < html.index("测试棚改项目000")
    statements = [logged_sql(q["sql"]) for q in captured]
    [listed] = [sql for sql in statements if sql.startswith('SELECT "projects_project"."id"')]
    # The list's query is written once (core.compiled), its ORDER BY by the selected columns.
    assert "DESC NULLS FIRST" in listed.split("ORDER BY")[1]


def test_the_project_lists_counts_are_each_projects_own(client, office_user, district):
    busy, quiet, empty = _projects(district, 3)
    HouseholdFactory.create_batch(3, project=busy, area="100.00")
    HouseholdFactory.create_batch(
        2, project=busy, area="50.25", signed_on=date(2022, 5, 1), method="monetary"
    )
    HouseholdFactory(project=quiet, area="80.00", signed_on=date(2022, 5, 1), method="monetary")
    login(client, "clerk")

    page = client.get(PROJECTS).context["page"]

    counts = {p.code: (p.household_count, p.signed_count, p.household_area) for p in page}
    assert counts[busy.code] == (5, 2, Decimal("400.50"))
    assert counts[quiet.code] == (1, 1, Decimal("80.00"))
    assert counts[empty.code] == (0, 0, None)
    html = client.get(PROJECTS).content.decode()
    assert "400.50" in html


def test_a_project_list_row_shows_its_project_cell_by_cell(client, office_user, district):
    (project,) = _projects(district, 1)
    Project.objects.filter(pk=project.pk).update(is_key=True, stage="signing")
    HouseholdFactory.create_batch(2, project=project, area="1000.25")
    HouseholdFactory(project=project, area="10.00", signed_on=date(2022, 5, 1), method="monetary")
    empty = ProjectFactory(district=district, code="P-EMPTY")
    login(client, "clerk")

    html = client.get(PROJECTS).content.decode()

    assert (
        f'<td>P-000</td>\n      <td><a href="{project.get_absolute_url()}">测试棚改项目000</a>'
        ' <span class="badge key">重点</span></td>\n'
        f"      <td>{district.name}</td>\n      <td>棚户区改造</td>\n"
        '      <td><span class="badge stage-signing">签约</span></td>\n'
        "      <td>2020-01-01</td>\n"
        '      <td class="num">3</td>\n      <td class="num">2,010.50</td>\n'
        '      <td class="num">1</td>'
    ) in html
    assert (
        f'<td>P-EMPTY</td>\n      <td><a href="{empty.get_absolute_url()}">{empty.name}</a></td>'
    ) in html
    assert (
        '<td>—</td>\n      <td class="num">0</td>\n      <td class="num">0.00</td>\n'
        '      <td class="num">0</td>'
    ) in html


def test_a_search_keeps_itself_and_the_filters_in_the_page_links(
    client, office_user, district, other_district
):
    _projects(district, 30, name="六岭棚改")
    _projects(district, 5, first=30, name="水利局片区")
    _projects(other_district, 3, first=40, name="六岭外区")
    login(client, "clerk")
    query = {"q": "六岭", "district": district.pk}

    first = client.get(PROJECTS, query)
    second = client.get(PROJECTS, {**query, "page": 2})

    html = first.content.decode()
    assert "共 30 个项目" in html
    assert f'href="?q=%E5%85%AD%E5%B2%AD&amp;district={district.pk}&amp;page=2"' in html
    assert len(_rows(first)) == 25
    assert _rows(second) == [f"P-{n:03d}" for n in range(4, -1, -1)]
    assert "水利局片区" not in second.content.decode()
    assert "六岭外区" not in second.content.decode()


def test_a_narrower_search_from_a_later_page_shows_its_last_page_not_an_error(
    client, office_user, district
):
    _projects(district, 60)
    login(client, "clerk")

    # Page 3 of everything, then the search typed into the address with page=3 still there.
    response = client.get(PROJECTS, {"q": "项目059", "page": 3})

    assert response.status_code == 200
    assert _rows(response) == ["P-059"]
    assert response.context["page"].number == 1


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("1", 1),
        ("2", 2),
        ("3", 2),
        ("99999", 2),
        pytest.param("9" * 5000, 2, id="5000-digits"),
        ("0", 1),
        ("-1", 1),
        ("abc", 1),
        ("1.5", 1),
        ("", 1),
    ],
)
def test_a_page_past_the_end_gives_the_last_page_and_below_1_or_nonsense_the_first(
    client, office_user, district, page, shown
):
    _projects(district, 26)
    login(client, "clerk")

    response = client.get(PROJECTS, {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == shown
    assert f"第 {shown} / 2 页" in response.content.decode()
    # Latest started first: page 1 is P-025 … P-001, page 2 is P-000 alone.
    assert _rows(response) == (
        ["P-000"] if shown == 2 else [f"P-{n:03d}" for n in range(25, 0, -1)]
    )


def test_the_reader_chooses_25_50_or_100_rows_a_page_and_nothing_else(
    client, office_user, district
):
    _projects(district, 60)
    login(client, "clerk")

    assert len(_rows(client.get(PROJECTS, {"per_page": 50}))) == 50
    assert len(_rows(client.get(PROJECTS, {"per_page": 100}))) == 60
    assert len(_rows(client.get(PROJECTS, {"per_page": 7}))) == 25
    assert len(_rows(client.get(PROJECTS, {"per_page": 100000}))) == 25
    html = client.get(PROJECTS, {"q": "项目", "per_page": 50}).content.decode()
    # The next page keeps the size; the size links keep the search and start again at page 1.
    assert "q=%E9%A1%B9%E7%9B%AE&amp;per_page=50&amp;page=2" in html
    assert '<strong aria-current="true">50</strong>' in html
    assert 'href="?q=%E9%A1%B9%E7%9B%AE&amp;per_page=100"' in html


def test_the_project_list_takes_the_same_queries_for_10_and_100_projects_on_a_page(
    client, office_user, district
):
    login(client, "clerk")
    for project in _projects(district, 10):
        HouseholdFactory(project=project, signed_on=date(2022, 5, 1), method="monetary")
    ten = _query_count(client, PROJECTS, {"per_page": 100})

    for project in _projects(district, 90, first=10):
        HouseholdFactory(project=project)
    response = client.get(PROJECTS, {"per_page": 100})
    assert len(_rows(response)) == 100
    assert _query_count(client, PROJECTS, {"per_page": 100}) == ten


# --- a project's households ---------------------------------------------------------------


def _households(project, count, *, first=0, **fields):
    return [
        HouseholdFactory(
            project=project, code=f"H{first + n:03d}", address=f"六岭路{first + n}号", **fields
        )
        for n in range(count)
    ]


def test_the_project_page_searches_its_households(client, office_user, project):
    _households(project, 3)
    login(client, "clerk")
    html = client.get(project.get_absolute_url()).content.decode()
    households_url = reverse("projects:household_list", args=[project.pk])
    assert f'action="{households_url}"' in html
    assert 'name="q"' in html

    # What the search box on the project page sends.
    response = client.get(households_url, {"q": "六岭路2号"})

    assert _rows(response) == ["H002"]


def test_the_household_list_shows_50_a_page_in_code_order_with_the_projects_totals(
    client, office_user, project
):
    _households(project, 52, area="10.00")
    login(client, "clerk")
    url = reverse("projects:household_list", args=[project.pk])

    first = client.get(url)
    second = client.get(url, {"page": 2})
    last = client.get(url, {"page": 7})

    assert _rows(first) == [f"H{n:03d}" for n in range(50)]
    assert _rows(second) == ["H050", "H051"]
    assert _rows(last) == ["H050", "H051"]
    # The totals are the whole project's, not the page's.
    assert "共 52 户，520.00 平方米" in second.content.decode()


def test_a_household_search_pages_within_its_results(client, office_user, project):
    _households(project, 60)
    _households(project, 60, first=100, signed_on=date(2022, 5, 1), method="monetary")
    login(client, "clerk")
    url = reverse("projects:household_list", args=[project.pk])
    query = {"q": "六岭路1", "signed": "yes"}  # 六岭路100号 … 六岭路159号, all signed

    first = client.get(url, query)
    second = client.get(url, {**query, "page": 2})

    assert "共 60 户" in first.content.decode()
    assert "signed=yes&amp;page=2" in first.content.decode()
    assert _rows(second) == [f"H{n:03d}" for n in range(150, 160)]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "六岭路1"},
        {"signed": "yes"},
        {"signed": "no"},
        {"use": "non_residential"},
        {"q": "六岭路1", "signed": "no", "use": "residential"},
        {"q": "没有这样的户"},
    ],
)
def test_the_household_lists_totals_are_those_of_the_households_its_filters_find(
    client, office_user, project, query
):
    _households(project, 12, area="10.25")
    _households(project, 8, first=20, area="30.00", use="non_residential")
    _households(project, 5, first=40, area="7.50", signed_on=date(2022, 5, 1), method="monetary")
    HouseholdFactory(project=ProjectFactory(district=project.district), address="六岭路1号")
    login(client, "clerk")
    url = reverse("projects:household_list", args=[project.pk])

    response = client.get(url, {**query, "per_page": 100})

    shown = response.context["page"].object_list
    area = sum((household.area for household in shown), Decimal("0"))
    signed = sum(1 for household in shown if household.signed_on)
    assert (
        f"共 {len(shown)} 户，{area:,.2f} 平方米；已签约 {signed} 户" in response.content.decode()
    )


LISTS = [
    ("projects:household_list", "register"),
    ("compensation:project_households", "compensation"),
    ("appraisers:valuation_list", "valuations"),
]


@pytest.mark.parametrize(("name", "_label"), LISTS)
def test_each_household_list_takes_the_same_queries_for_10_and_100_rows_on_a_page(
    client, office_user, project, name, _label
):
    login(client, "clerk")
    url = reverse(name, args=[project.pk])
    _households(project, 10, signed_on=date(2022, 5, 1), method="monetary")
    ten = _query_count(client, url, {"per_page": 100})

    _households(project, 90, first=10)
    response = client.get(url, {"per_page": 100})
    assert len(response.context["page"].object_list) == 100
    assert _query_count(client, url, {"per_page": 100}) == ten


@pytest.mark.parametrize(("name", "_label"), LISTS)
def test_each_household_list_gives_its_last_page_for_a_page_past_the_end(
    client, office_user, project, name, _label
):
    _households(project, 51)
    login(client, "clerk")

    response = client.get(reverse(name, args=[project.pk]), {"page": 5})

    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert [h.code for h in response.context["page"].object_list] == ["H050"]


# --- the dashboard --------------------------------------------------------------------------


def test_the_dashboard_pages_its_projects_and_counts_the_whole_year(client, office_user, district):
    projects = _projects(district, 27)
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(started_on=date(2022, 3, 1))
    for project in projects:
        HouseholdFactory(project=project, signed_on=date(2022, 5, 1), method="monetary")
    login(client, "clerk")
    url = reverse("projects:dashboard")

    second = client.get(url, {"year": 2022, "page": 2})
    past_the_end = client.get(url, {"year": 2022, "page": 40})

    html = second.content.decode()
    assert "正在实施的项目27个，共27户" in html
    assert "（第2/2页，共27个项目）" in html
    assert len(second.context["page"]) == 2
    assert second.content.decode().count("<tr><td><a href=") == 2
    assert past_the_end.status_code == 200
    assert past_the_end.context["page"].number == 2


def test_the_dashboard_takes_the_same_queries_for_10_and_100_projects_on_a_page(
    client, office_user, district
):
    login(client, "clerk")
    url = reverse("projects:dashboard")
    query = {"year": 2022, "per_page": 100}
    for project in _projects(district, 10):
        HouseholdFactory(project=project, signed_on=date(2022, 5, 1), method="monetary")
    ten = _query_count(client, url, query)

    for project in _projects(district, 90, first=10):
        HouseholdFactory(project=project)
    response = client.get(url, query)
    assert len(response.context["page"]) == 100
    assert response.content.decode().count("<tr><td><a href=") == 100
    assert _query_count(client, url, query) == ten


@pytest.mark.parametrize(("name", "_label"), LISTS)
def test_each_household_list_escapes_what_people_typed(client, office_user, project, name, _label):
    HouseholdFactory(
        project=project, code="H<1>", head_name="王<b>\"&'", address="六岭路<script>1号"
    )
    login(client, "clerk")

    html = client.get(reverse(name, args=[project.pk])).content.decode()

    assert "H&lt;1&gt;" in html
    assert "王&lt;b&gt;&quot;&amp;&#x27;" in html
    assert "<b>" not in html
    assert "<script>1" not in html
