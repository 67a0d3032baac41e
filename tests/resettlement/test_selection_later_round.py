"""A later round (补选): only the swap households that have not finished choosing are ordered,
the page says how many were left out and why, and a household signed on its flats may not
pick again."""

import pytest
from django.urls import reverse

from resettlement.handover import mark_signed
from resettlement.models import Selection, SelectionRound
from tests.auth import login
from tests.factories import sign_off_and_publish
from tests.resettlement.selection_helpers import (
    act,
    flat,
    messages_of,
    pick,
    published_round,
    swap_project,
)

pytestmark = pytest.mark.django_db


def two_of_three_chose(client, project, clerk):
    """The first round of `project` (three households, a flat each) run at the desk: 1号 and
    2号 choose 101 and 102, 3号 does not, and the round is closed. The desk stays logged in."""
    first = published_round(project, clerk)
    login(client, "desk")
    for number, room in ((1, "101"), (2, "102")):
        act(client, first, "call")
        pick(client, first, first.orders.get(number=number), flat(project, room))
        act(client, first, "finish")
    act(client, first, "close")
    return first


def test_a_second_round_orders_only_the_household_that_has_not_chosen(client, district, clerk):
    project = swap_project(district, households=3, max_flats=1)
    first = two_of_three_chose(client, project, clerk)
    mark_signed(project.households.get(code="H-001"))  # H-001 signs its swap agreement

    client.post(reverse("resettlement:selection_rounds", args=[project.pk]), {"method": "draw"})
    second = SelectionRound.objects.exclude(pk=first.pk).get()
    response = client.post(
        reverse("resettlement:selection_draw", args=[second.pk]),
        {"witnesses": "被征收人代表甲", "notary": ""},
        follow=True,
    )
    assert "摇号完成，选房顺序已确定。" in messages_of(response)
    codes = list(second.orders.order_by("number").values_list("household__code", flat=True))
    assert codes == ["H-003"]
    page = response.content.decode()
    assert "未列入本轮顺序" in page
    assert "已就所选房源签订产权调换协议 1 户" in page
    assert "已选满可选套数或面积 1 户" in page


def test_a_round_when_every_household_has_chosen_is_refused(client, district, clerk):
    project = swap_project(district, households=1, max_flats=1)
    first = published_round(project, clerk)
    login(client, "desk")
    act(client, first, "call")
    pick(client, first, first.orders.get(number=1), flat(project, "101"))
    act(client, first, "close")
    response = client.post(
        reverse("resettlement:selection_rounds", args=[project.pk]),
        {"method": "signing", "selection_on": ""},
        follow=True,
    )
    assert "选择产权调换的被征收户均已选房完毕" in response.content.decode()
    assert SelectionRound.objects.count() == 1


def test_a_household_with_room_left_is_ordered_again(client, district, clerk):
    project = swap_project(district, households=2, max_flats=2)
    first = published_round(project, clerk)
    login(client, "desk")
    act(client, first, "call")
    pick(client, first, first.orders.get(number=1), flat(project, "101"))
    act(client, first, "close")
    client.post(
        reverse("resettlement:selection_rounds", args=[project.pk]),
        {"method": "signing", "selection_on": ""},
    )
    second = SelectionRound.objects.exclude(pk=first.pk).get()
    response = act(client, second, "order")
    codes = list(second.orders.order_by("number").values_list("household__code", flat=True))
    assert codes == ["H-001", "H-002"]
    assert "未列入本轮顺序" not in response.content.decode()


def test_a_household_signed_on_its_flats_may_not_pick_again(client, district, clerk):
    project = swap_project(district, households=2, max_flats=2)
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    order = selection_round.orders.get(number=1)
    pick(client, selection_round, order, flat(project, "101"))
    mark_signed(order.household)
    response = pick(client, selection_round, order, flat(project, "102"))
    assert (
        "H-001户已就所选房源六岭棚改安置小区1栋101签订产权调换协议，选房已经完成，不能再选房；"
        "如需变更，须先变更协议。"
    ) in messages_of(response)
    assert Selection.objects.filter(household=order.household, is_active=True).count() == 1
    assert flat(project, "102").state == "frozen"


def test_the_public_board_shows_the_current_round_only(client, district, clerk):
    project = swap_project(district, households=3, max_flats=1)
    project.started_on = "2022-01-01"
    project.save(update_fields=["started_on"])
    first = two_of_three_chose(client, project, clerk)
    url = reverse("public:selection_board", args=[project.code])
    page = client.get(url).content.decode()
    assert "第1轮选房（按签约先后）" in page and "已结束" in page
    assert "本轮 3 户，已选定 2 套" in page
    assert "2号 测*一 → 六岭棚改安置小区1栋102" in page

    client.post(reverse("resettlement:selection_rounds", args=[project.pk]), {"method": "draw"})
    second = SelectionRound.objects.exclude(pk=first.pk).get()
    client.post(reverse("resettlement:selection_draw", args=[second.pk]), {"witnesses": "代表甲"})
    act(client, second, "publish")
    second.refresh_from_db()
    sign_off_and_publish(second.notice)
    act(client, second, "call")
    page = client.get(url).content.decode()
    assert "第2轮选房（公开摇号）" in page and "选房中" in page
    assert "本轮 1 户，已选定 0 套" in page
    assert "<strong>1</strong>号 测*一" in page
    assert "1栋101" not in page.split('id="board-recent"')[1].split("</ul>")[0]
    assert "1栋102" not in page.split('id="board-recent"')[1].split("</ul>")[0]

    # The published orders page names both rounds as the board does, each with its own order.
    orders = client.get(reverse("public:selection_order", args=[project.code])).content.decode()
    first_part, second_part = orders.split("第2轮选房（公开摇号）")
    assert "第1轮选房（按签约先后）" in first_part and "第1轮" not in second_part
    assert first_part.count('<td class="num">') == 3 and second_part.count('<td class="num">') == 1

    pick(client, second, second.orders.get(number=1), flat(project, "201"))
    client.logout()
    live = client.get(url, headers={"HX-Request": "true"}).content.decode()
    recent = live.split('id="board-recent"')[1].split("</ul>")[0]
    assert "1号 测*一 → 六岭棚改安置小区1栋201" in recent
    assert "101" not in recent and "102" not in recent
    assert "本轮 1 户，已选定 1 套" in live and "已选 3 套，剩余 3 套" in live
