"""放弃选房 / 改选货币补偿 on the selection day: recorded by staff with a reason, the household
leaves the call order, the record keeps it, and the board shows 放弃 with the masked name."""

import pytest
from django.urls import reverse

from core.roles import Section
from resettlement.models import SelectionOrder
from tests.auth import login
from tests.factories import staff
from tests.resettlement.selection_helpers import (
    act,
    flat,
    messages_of,
    pick,
    published_round,
    swap_project,
)

pytestmark = pytest.mark.django_db


def waive(client, selection_round, order, waiver="forgo", reason="户主决定不选房"):
    return client.post(
        reverse("resettlement:selection_waive", args=[selection_round.pk]),
        {"waive-order": order.pk, "waive-waiver": waiver, "waive-reason": reason},
        follow=True,
    )


def test_a_household_waiting_its_turn_waives_and_is_never_called(client, district, clerk):
    project = swap_project(district)
    selection_round = published_round(project, clerk)
    login(client, "desk")
    second = selection_round.orders.get(number=2)
    response = waive(client, selection_round, second, "cash", "改选货币补偿，已签补充协议")
    assert messages_of(response) == ["已登记2号（H-002户）改选货币补偿，不再叫号。"]
    page = response.content.decode()
    assert "改选货币补偿</span> 改选货币补偿，已签补充协议" in page
    act(client, selection_round, "call")
    pick(client, selection_round, selection_round.orders.get(number=1), flat(project, "101"))
    response = act(client, selection_round, "call")
    assert "请3号（H-003户）选房。" in messages_of(response)  # 2 is passed over
    second.refresh_from_db()
    assert second.called_at is None and second.waiver == "cash"
    latest = second.history.first()
    assert latest.history_change_reason == "改选货币补偿：改选货币补偿，已签补充协议"
    assert latest.history_user.username == "desk"


def test_the_called_household_waives_and_the_desk_calls_the_next(client, district, clerk):
    project = swap_project(district)
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    first = selection_round.orders.get(number=1)
    response = waive(client, selection_round, first)
    assert messages_of(response) == ["已登记1号（H-001户）放弃选房，不再叫号。"]
    # It cannot pick any more, and calling the next number does not wait for it.
    pick(client, selection_round, first, flat(project, "101"))
    assert flat(project, "101").state == "frozen"
    response = act(client, selection_round, "call")
    assert "请2号（H-002户）选房。" in messages_of(response)


def test_a_waiver_needs_a_reason_and_a_household_with_a_flat_cancels_first(client, district, clerk):
    project = swap_project(district)
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    first = selection_round.orders.get(number=1)
    response = waive(client, selection_round, first, reason="")
    assert messages_of(response) == ["原因：这个字段是必填项。"]
    pick(client, selection_round, first, flat(project, "101"))
    response = waive(client, selection_round, first)
    assert messages_of(response) == ["1号（H-001户）已选定房源，须先撤销选房才能登记放弃。"]
    assert not SelectionOrder.objects.filter(waived_at__isnull=False).exists()


def test_a_waiver_is_refused_to_a_section_that_does_not_run_the_selection(client, district):
    project = swap_project(district)
    selection_round = published_round(project)
    secretary = staff(Section.SECRETARIAT, username="mishu", name="秘书")
    client.force_login(secretary)
    waive(client, selection_round, selection_round.orders.get(number=1))
    assert not SelectionOrder.objects.filter(waived_at__isnull=False).exists()


def test_the_board_shows_the_waived_number_with_the_masked_name_only(client, district, clerk):
    project = swap_project(district)
    project.started_on = "2022-01-01"
    project.save(update_fields=["started_on"])
    selection_round = published_round(project, clerk)
    login(client, "desk")
    waive(client, selection_round, selection_round.orders.get(number=3))
    client.logout()
    url = reverse("public:selection_board", args=[project.code])
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert project.households.get(code="H-003").head_name not in page
    assert "3号 测*一 放弃" in page
    assert "户主决定不选房" not in page and "H-003" not in page
