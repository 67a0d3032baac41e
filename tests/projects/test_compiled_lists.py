"""The project list and the household register read their rows by queries written once
(core.compiled): what each shows must be what the ORM's querysets showed, for every filter,
search, page and district."""

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

# Names a user may type with LIKE's wildcards and escape in them: each search must find the
# one whose name holds the text as typed, not the others that its wildcards would match.
TRICKY = ["百分之50%拆迁", "百分之50X拆迁", "东_区", "东X区", r"路\段", r"路\\段", "路段"]


def _codes(response) -> list[str]:
    return [row.code for row in response.context["page"].object_list]


def _start(projects, first=date(2020, 1, 1)):
    for n, project in enumerate(projects):
        Project.objects.filter(pk=project.pk).update(started_on=first + timedelta(days=n))


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("50%", ["P-0"]),
        ("_区", ["P-2"]),
        ("\\", ["P-4", "P-5"]),
        ("\\\\", ["P-5"]),
        ("路\\段", ["P-4"]),
    ],
)
def test_a_project_search_finds_what_was_typed_wildcards_and_backslashes_included(
    client, office_user, district, typed, found
):
    _start(
        [
            ProjectFactory(district=district, code=f"P-{n}", name=name)
            for n, name in enumerate(TRICKY)
        ]
    )
    login(client, "clerk")

    response = client.get(PROJECTS, {"q": typed})

    assert sorted(_codes(response)) == found
    assert response.context["page"].paginator.count == len(found)


def test_a_project_search_ignores_case_in_names_and_codes(client, office_user, district):
    _start(
        [
            ProjectFactory(district=district, code="2022-SQ-ab", name="Riverside 棚改"),
            ProjectFactory(district=district, code="2022-SQ-cd", name="山水"),
        ]
    )
    login(client, "clerk")

    assert _codes(client.get(PROJECTS, {"q": "RIVERSIDE"})) == ["2022-SQ-ab"]
    assert _codes(client.get(PROJECTS, {"q": "sq-CD"})) == ["2022-SQ-cd"]


def test_a_district_user_sees_only_their_districts_projects_on_every_page(
    client, district_member, district, other_district
):
    ours = [
        ProjectFactory(district=district, code=f"SQ-{n:02d}", name=f"本区{n}") for n in range(30)
    ]
    theirs = [
        ProjectFactory(district=other_district, code=f"DX-{n:02d}", name=f"外区{n}")
        for n in range(30)
    ]
    _start([*ours, *theirs])
    login(client, "district")

    first, second = client.get(PROJECTS), client.get(PROJECTS, {"page": 2})
    searched = client.get(PROJECTS, {"q": "区"})
    filtered = client.get(PROJECTS, {"district": other_district.pk})

    assert first.context["page"].paginator.count == 30
    assert sorted(_codes(first) + _codes(second)) == [p.code for p in ours]
    assert searched.context["page"].paginator.count == 30
    assert all(code.startswith("SQ-") for code in _codes(searched))
    assert all(code.startswith("SQ-") for code in _codes(filtered))
    assert "DX-" not in second.content.decode()


def test_the_project_lists_last_page_ends_with_its_last_project(client, office_user, district):
    projects = [
        ProjectFactory(district=district, code=f"P-{n:03d}", name=f"项目{n}") for n in range(53)
    ]
    _start(projects)
    login(client, "clerk")

    response = client.get(PROJECTS, {"page": 3})

    assert response.context["page"].number == 3
    # Latest started first: the last page ends with the first started.
    assert _codes(response) == ["P-002", "P-001", "P-000"]
    assert "项目0<" in response.content.decode()


def test_the_project_lists_filters_find_what_they_did(
    client, office_user, district, other_district
):
    road = ProjectFactory(district=district, code="R-1", name="道路", kind="road", is_key=True)
    old = ProjectFactory(district=other_district, code="O-1", name="旧城")
    ProjectFactory(district=district, code="N-1", name="新项目")  # not started
    Project.objects.filter(pk=road.pk).update(started_on=date(2022, 3, 1))
    Project.objects.filter(pk=old.pk).update(
        started_on=date(2019, 3, 1), completed_on=date(2021, 12, 31)
    )
    login(client, "clerk")

    def codes(**query):
        return _codes(client.get(PROJECTS, query))

    assert codes(year=2022) == ["R-1"]
    assert codes(year=2021) == ["O-1"]
    assert codes(kind="road") == ["R-1"]
    assert codes(is_key="on") == ["R-1"]
    assert codes(district=other_district.pk) == ["O-1"]
    assert codes(stage="initiation", district=district.pk, q="项目") == ["N-1"]
    assert codes() == ["N-1", "R-1", "O-1"]


def test_the_project_list_takes_the_same_queries_at_25_and_100_a_page_and_executes_its_rows(
    client, office_user, district
):
    projects = [
        ProjectFactory(district=district, code=f"P-{n:03d}", name=f"项目{n}") for n in range(120)
    ]
    _start(projects)
    login(client, "clerk")
    client.get(PROJECTS)  # the statements are prepared on a connection's first use

    counts = {}
    for size in (25, 100):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PROJECTS, {"per_page": size, "q": "项目"})
        assert len(response.context["page"].object_list) == size
        counts[size] = len(captured)
        [rows] = [
            q["sql"]
            for q in captured
            if "LIMIT" in logged_sql(q["sql"]) and "projects_project" in logged_sql(q["sql"])
        ]
        assert rows.startswith("EXECUTE compiled_values_")
    assert counts[25] == counts[100]


# --- the household register -------------------------------------------------------------


def _register(project) -> str:
    return reverse("projects:household_list", args=[project.pk])


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("50%", ["H0"]),
        ("_区", ["H2"]),
        ("\\", ["H4", "H5"]),
        ("\\\\", ["H5"]),
        ("路\\段", ["H4"]),
    ],
)
def test_a_household_search_finds_what_was_typed_wildcards_and_backslashes_included(
    client, office_user, project, typed, found
):
    for n, address in enumerate(TRICKY):
        HouseholdFactory(project=project, code=f"H{n}", address=address)
    login(client, "clerk")

    response = client.get(_register(project), {"q": typed})

    assert _codes(response) == found
    assert response.context["totals"]["count"] == len(found)


def test_a_household_search_ignores_case_in_codes_names_and_addresses(client, office_user, project):
    HouseholdFactory(project=project, code="A-01", head_name="Li Ming", address="一号")
    HouseholdFactory(project=project, code="b-02", head_name="张三", address="Block C")
    HouseholdFactory(project=project, code="C-03", head_name="王五", address="二号")
    login(client, "clerk")

    def codes(q):
        return _codes(client.get(_register(project), {"q": q}))

    assert codes("a-0") == ["A-01"]
    assert codes("LI MING") == ["A-01"]
    assert codes("block c") == ["b-02"]
    assert codes("B-02") == ["b-02"]


def test_the_registers_search_and_filters_agree_with_its_totals(client, office_user, project):
    for n in range(6):
        signed = {"signed_on": date(2022, 5, 1), "method": "monetary"} if n % 2 else {}
        HouseholdFactory(
            project=project,
            code=f"H{n}",
            address=f"六岭路{n}号",
            area="10.25",
            use="non_residential" if n >= 4 else "residential",
            **signed,
        )
    HouseholdFactory(project=project, code="X", address="别处", area="1.00")
    login(client, "clerk")

    def read(**query):
        response = client.get(_register(project), query)
        return _codes(response), response.context["totals"]

    assert read(q="六岭路", signed="no") == (
        ["H0", "H2", "H4"],
        {"count": 3, "total_area": Decimal("30.75"), "signed": 0},
    )
    assert read(signed="yes") == (
        ["H1", "H3", "H5"],
        {"count": 3, "total_area": Decimal("30.75"), "signed": 3},
    )
    assert read(use="non_residential")[0] == ["H4", "H5"]
    assert read(q="没有")[1] == {"count": 0, "total_area": None, "signed": 0}
    assert read(signed="bogus")[1]["count"] == 7  # invalid input filters nothing


def test_another_districts_user_reaches_no_page_of_the_register(
    client, outsider, district_member, project
):
    for n in range(60):
        HouseholdFactory(project=project, code=f"H{n:03d}")
    url = _register(project)

    login(client, "outsider")
    for query in ({}, {"page": 2}, {"q": "H0", "signed": "no"}, {"per_page": 100}):
        assert client.get(url, query).status_code == 404

    client.logout()
    login(client, "district")
    assert client.get(url, {"page": 2}).status_code == 200


def test_the_registers_last_page_ends_with_its_last_household(client, office_user, project):
    for n in range(103):
        HouseholdFactory(project=project, code=f"H{n:03d}", head_name=f"户主{n:03d}")
    login(client, "clerk")

    response = client.get(_register(project), {"page": 3})

    assert response.context["page"].number == 3
    assert _codes(response) == ["H100", "H101", "H102"]
    assert "户主102" in response.content.decode()


def test_the_register_takes_the_same_queries_at_25_and_100_a_page_and_executes_its_rows(
    client, office_user, project
):
    for n in range(120):
        HouseholdFactory(project=project, code=f"H{n:03d}", address=f"六岭路{n}号")
    login(client, "clerk")
    url = _register(project)
    client.get(url)

    counts = {}
    for size in (25, 100):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"per_page": size, "q": "六岭", "signed": "no"})
        assert len(response.context["page"].object_list) == size
        counts[size] = len(captured)
        [rows] = [
            q["sql"]
            for q in captured
            if "LIMIT" in logged_sql(q["sql"]) and "projects_household" in logged_sql(q["sql"])
        ]
        assert rows.startswith("EXECUTE compiled_values_")
    assert counts[25] == counts[100]


def test_the_district_filter_offers_the_districts_the_user_sees_and_keeps_the_chosen_one(
    client, office_user, district_member, district, other_district
):
    from tests.factories import DistrictFactory

    DistrictFactory(code="closed", name="已撤销区", is_active=False)
    login(client, "clerk")
    html = client.get(PROJECTS, {"district": other_district.pk}).content.decode()
    select = html[
        html.index('<select name="district"') : html.index(
            "</select>", html.index('<select name="district"')
        )
    ]
    assert "全部区县" in select and "双清区" in select and "已撤销区" not in select
    assert f'<option value="{other_district.pk}" selected>大祥区</option>' in select

    client.logout()
    login(client, "district")
    html = client.get(PROJECTS).content.decode()
    select = html[
        html.index('<select name="district"') : html.index(
            "</select>", html.index('<select name="district"')
        )
    ]
    assert "双清区" in select and "大祥区" not in select


def test_the_project_list_escapes_what_people_typed(client, office_user, district):
    ProjectFactory(district=district, code="P-X", name="<b>\"棚改\"</b> & 'A'")
    login(client, "clerk")

    html = client.get(PROJECTS).content.decode()

    assert "&lt;b&gt;&quot;棚改&quot;&lt;/b&gt; &amp; &#x27;A&#x27;</a>" in html
    assert "<b>" not in html
