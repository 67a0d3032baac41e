"""The per-project freeze page: a leader ticks flats (or a whole building) to freeze for a
project and releases frozen flats nobody has chosen, all or nothing, kept in the history."""

import pytest
from django.urls import reverse

from core.roles import Section
from resettlement.models import Flat, Selection
from tests.factories import HouseholdFactory, staff
from tests.resettlement.helpers import make_estate, swap_ready

pytestmark = pytest.mark.django_db

State = Flat.State


@pytest.fixture
def estate(district):
    return make_estate(district)


@pytest.fixture
def leader(db):
    return staff(Section.LEADER, username="leader", name="周领导")


def _url(project, estate=None):
    url = reverse("resettlement:project_freeze", args=[project.pk])
    return f"{url}?estate={estate.pk}" if estate else url


def _post(client, project, estate, **data):
    response = client.post(_url(project, estate), data, follow=True)
    return [str(m) for m in response.context["messages"]], response


def _flat(number, building="1栋"):
    return Flat.objects.get(building__name=building, number=number)


def test_the_page_shows_each_free_flat_with_a_checkbox_by_building_and_floor(
    client, leader, estate, project
):
    swap_ready(project)
    taken = _flat("301")
    taken.state = State.VOID
    taken.save()
    client.force_login(leader)
    response = client.get(_url(project, estate))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('name="flats"') == 23  # 24 flats, one void
    assert f'value="{taken.pk}"' not in html
    assert html.count('name="buildings"') == 2  # 整栋全选 per building
    assert "6层" in html and "1层" in html


def test_a_leader_freezes_the_ticked_flats_only(client, leader, estate, project):
    swap_ready(project)
    client.force_login(leader)
    chosen = [_flat("101"), _flat("102"), _flat("601", "2栋")]
    messages, response = _post(
        client, project, estate, operation="freeze", flats=[f.pk for f in chosen]
    )
    assert messages == [f"已为“{project.name}”冻结3套房源。"]
    frozen = Flat.objects.filter(state=State.FROZEN)
    assert set(frozen) == set(chosen)
    assert {f.project for f in frozen} == {project}
    assert chosen[0].history.first().history_user == leader
    # The release part of the page lists them with their checkbox.
    assert response.content.decode().count('name="flats"') == 21 + 3


def test_whole_building_takes_its_free_flats(client, leader, estate, project):
    swap_ready(project)
    building = estate.buildings.get(name="2栋")
    void = building.flats.get(number="101")
    void.state = State.VOID
    void.save()
    client.force_login(leader)
    messages, _response = _post(
        client, project, estate, operation="freeze", buildings=[building.pk]
    )
    assert messages == [f"已为“{project.name}”冻结11套房源。"]
    assert set(Flat.objects.filter(state=State.FROZEN).values_list("building", flat=True)) == {
        building.pk
    }


def test_a_flat_not_free_is_refused_by_name_and_nothing_is_frozen(
    client, leader, estate, project, other_project
):
    swap_ready(project)
    swap_ready(other_project)
    taken = _flat("201")
    taken.state, taken.project = State.FROZEN, other_project
    taken.save()
    client.force_login(leader)
    messages, _response = _post(
        client, project, estate, operation="freeze", flats=[_flat("101").pk, taken.pk]
    )
    assert messages == [
        f"桃源安置小区1栋1单元201状态为“冻结”（{other_project.name}），不是空闲房源，不能冻结。"
    ]
    assert list(Flat.objects.filter(project=project)) == []


def test_nothing_ticked_is_told(client, leader, estate, project):
    swap_ready(project)
    client.force_login(leader)
    messages, _response = _post(client, project, estate, operation="freeze")
    assert messages == ["请勾选要冻结的房源。"]


def test_only_a_leader_opens_the_page(client, office_user, estate, project):
    swap_ready(project)
    client.force_login(office_user)
    response = client.get(_url(project, estate), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["该事项须由领导审批，请由领导操作。"]
    response = client.post(
        _url(project, estate), {"operation": "freeze", "flats": [_flat("101").pk]}
    )
    assert not Flat.objects.filter(state=State.FROZEN).exists()


def test_releasing_a_chosen_flat_is_refused_and_a_free_one_is_released_in_history(
    client, leader, estate, project
):
    swap_ready(project)
    client.force_login(leader)
    first, second = _flat("101"), _flat("102")
    _post(client, project, estate, operation="freeze", flats=[first.pk, second.pk])
    Selection.objects.create(
        household=HouseholdFactory(project=project), flat=second, selected_by=leader
    )
    Flat.objects.filter(pk=second.pk).update(state=State.SELECTED)
    messages, _response = _post(
        client, project, estate, operation="unfreeze", flats=[first.pk, second.pk]
    )
    assert messages == ["桃源安置小区1栋1单元102状态为“已选”，只能解冻尚未选定的房源。"]
    assert Flat.objects.get(pk=first.pk).state == State.FROZEN
    messages, response = _post(client, project, estate, operation="unfreeze", flats=[first.pk])
    assert messages == [f"已释放“{project.name}”的1套房源。"]
    first.refresh_from_db()
    assert (first.state, first.project, first.frozen_by) == (State.FREE, None, None)
    reasons = list(first.history.values_list("history_change_reason", "history_user"))
    assert reasons[0] == (f"解冻（项目：{project.name}）", leader.pk)
    assert reasons[1] == (f"冻结用于项目：{project.name}", leader.pk)
    # Breadcrumbs: 首页 / 征收项目 / project / 冻结安置房源
    crumbs = response.content.decode().split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert "征收项目" in crumbs and project.name in crumbs
