"""The project list and the household register read their rows by queries written once
(core.compiled): what each shows must be what the ORM's querysets showed, for every filter,
search, page and district."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.compiled import logged_sql
from projects.models import Project
from tests.auth import login
from tests.factories import ProjectFactory

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
