"""Every project-scoped resettlement page leads back the same way as the project's own pages:
首页 / 征收项目 / <project> / …"""

import re

import pytest
from django.urls import reverse

from core.roles import Section
from tests.auth import login
from tests.factories import district_user, staff
from tests.resettlement.selection_helpers import published_round, swap_project

pytestmark = pytest.mark.django_db


def crumbs(response) -> list[str]:
    html = response.content.decode()
    nav = html.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    nav = nav.split(">", 1)[1]
    return [re.sub(r"<[^>]+>", "", part).strip() for part in nav.split(" / ")]


def test_project_scoped_resettlement_pages_lead_through_the_project_list(client, district):
    project = swap_project(district)
    clerk = staff(Section.OPERATIONS, username="desk", name="叫号员")
    leader = staff(Section.LEADER, username="leader", name="周领导")
    selection_round = published_round(project, clerk)
    household = project.households.get(code="H-001")
    login(client, "desk")
    pages = {
        reverse("resettlement:selection_rounds", args=[project.pk]): ["选房"],
        reverse("resettlement:selection_round", args=[selection_round.pk]): [
            "选房",
            selection_round.get_method_display(),
        ],
        reverse("resettlement:settlements", args=[project.pk]): ["产权调换结算"],
        reverse("resettlement:household_settlement", args=[household.pk]): [
            "产权调换结算",
            "H-001",
        ],
    }
    for url, tail in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert crumbs(response) == ["首页", "征收项目", project.name, *tail], url
    client.force_login(leader)
    response = client.get(reverse("resettlement:project_freeze", args=[project.pk]))
    assert crumbs(response) == ["首页", "征收项目", project.name, "冻结安置房源"]


def test_the_swap_rules_page_is_the_plans(client, district):
    from projects import services as project_services
    from tests.compensation.factories import PLAN
    from tests.factories import ProjectFactory

    project = ProjectFactory(district=district, code="2022-SQ-009", name="测试棚改")
    submitter = district_user(district, username="qx", name="区县经办")
    # The rules are entered while the version waits for its first review step.
    plan = project_services.submit_plan(project=project, by=submitter, **PLAN)
    client.force_login(submitter)
    response = client.get(reverse("resettlement:swap_terms_edit", args=[plan.pk]))
    assert response.status_code == 200
    assert crumbs(response) == ["首页", "征收项目", project.name, "补偿方案", "第1版", "选房规则"]
