"""The selection pages: the order, the calling desk and the picks, each rule through the page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.roles import Section
from resettlement.models import Flat, Selection, SelectionRound
from tests.auth import login
from tests.factories import district_user, sign_off_and_publish, staff
from tests.resettlement.selection_helpers import (
    act,
    flat,
    head_name,
    messages_of,
    pick,
    published_round,
    swap_project,
)

pytestmark = pytest.mark.django_db


def test_staff_create_the_round_order_by_signing_and_draft_the_order_notice(
    client, district, clerk
):
    project = swap_project(district, households=3)
    login(client, "desk")
    response = client.post(
        reverse("resettlement:selection_rounds", args=[project.pk]),
        {"method": "signing", "selection_on": ""},
        follow=True,
    )
    selection_round = SelectionRound.objects.get()
    assert "已创建选房，请确定选房顺序。" in messages_of(response)
    act(client, selection_round, "order")
    numbers = list(
        selection_round.orders.order_by("number").values_list("number", "household__code")
    )
    assert numbers == [(1, "H-001"), (2, "H-002"), (3, "H-003")]
    # Calling before the notice is out is refused, naming the missing step.
    response = act(client, selection_round, "publish")
    selection_round.refresh_from_db()
    notice = selection_round.notice
    assert notice.kind == "selection_order" and notice.published_on is None
    assert "3　H-003　测*一" in notice.body
    assert head_name(3) not in notice.body
    response = act(client, selection_round, "call")
    assert "选房顺序尚未公告。" in messages_of(response)
    sign_off_and_publish(notice)
    response = act(client, selection_round, "call")
    assert "请1号（H-001户）选房。" in messages_of(response)
    selection_round.refresh_from_db()
    assert selection_round.state == SelectionRound.State.OPEN
    assert selection_round.current_number == 1


def test_signing_order_breaks_a_tie_by_household_code(client, district, clerk):
    project = swap_project(district, households=3)
    project.households.filter(code="H-003").update(signed_on="2022-06-01")
    selection_round = published_round(project, clerk)
    codes = list(
        selection_round.orders.order_by("number").values_list("household__code", flat=True)
    )
    assert codes == ["H-001", "H-003", "H-002"]


def test_a_round_needs_the_signing_stage(client, district, clerk):
    project = swap_project(district)
    project.stage = "appraisal"
    project.save(update_fields=["stage"])
    login(client, "desk")
    response = client.post(
        reverse("resettlement:selection_rounds", args=[project.pk]), {"method": "signing"}
    )
    assert "确定选房顺序须在「签约」阶段办理" in response.content.decode()
    assert not SelectionRound.objects.exists()


def test_the_called_household_picks_a_flat_and_it_is_taken(client, district, clerk):
    project = swap_project(district)
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    first = selection_round.orders.get(number=1)
    response = pick(client, selection_round, first, flat(project, "101"))
    assert "1号（H-001户）选定六岭棚改安置小区1栋101。" in messages_of(response)
    assert flat(project, "101").state == Flat.State.SELECTED
    selection = Selection.objects.get()
    assert (selection.household.code, selection.is_active) == ("H-001", True)


def test_a_household_not_called_is_refused(client, district, clerk):
    project = swap_project(district)
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    second = selection_round.orders.get(number=2)
    response = pick(client, selection_round, second, flat(project, "101"))
    assert "未轮到2号选房：只有正在叫号的户可以选房（当前叫号：1）。" in messages_of(response)
    assert not Selection.objects.exists()
    assert flat(project, "101").state == Flat.State.FROZEN


def test_a_household_over_its_area_cap_is_refused_and_one_at_the_cap_is_not(
    client, district, clerk
):
    # Entitlement 80.00 m² + at most 10.00 m² extra = 90.00 m²; two flats allowed.
    project = swap_project(district, area="45.00", max_flats=2, max_extra_area="10.00")
    Flat.objects.filter(project=project, number="102").update(area=Decimal("45.01"))
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    first = selection_round.orders.get(number=1)
    pick(client, selection_round, first, flat(project, "101"))
    response = pick(client, selection_round, first, flat(project, "102"))
    assert messages_of(response) == [
        "超过可选面积上限：该户应安置面积80.00平方米，补偿方案规定超出部分不得超过10.00平方米"
        "（合计不超过90.00平方米）；已选45.00平方米，加上本套45.01平方米共90.01平方米。"
    ]
    assert flat(project, "102").state == Flat.State.FROZEN
    response = pick(client, selection_round, first, flat(project, "201"))
    assert "1号（H-001户）选定六岭棚改安置小区1栋201。" in messages_of(response)
    assert Selection.objects.filter(household=first.household, is_active=True).count() == 2


def test_a_household_over_its_number_of_flats_is_refused(client, district, clerk):
    project = swap_project(district, max_flats=1)
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    first = selection_round.orders.get(number=1)
    pick(client, selection_round, first, flat(project, "101"))
    response = pick(client, selection_round, first, flat(project, "102"))
    assert messages_of(response) == [
        "超过每户可选套数上限：补偿方案规定每户最多选1套，该户已选1套。"
    ]


def test_a_taken_flat_is_refused_and_a_cancelled_one_can_be_picked_again(client, district, clerk):
    project = swap_project(district)
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    first, second = selection_round.orders.order_by("number")[:2]
    pick(client, selection_round, first, flat(project, "101"))
    act(client, selection_round, "call")
    response = pick(client, selection_round, second, flat(project, "101"))
    assert "该房源已被选定，请选择其他房源。" in messages_of(response)[0]

    selection = Selection.objects.get()
    response = client.post(
        reverse("resettlement:selection_cancel", args=[selection.pk]), {"reason": ""}, follow=True
    )
    assert "撤销原因：这个字段是必填项。" in messages_of(response)
    response = client.post(
        reverse("resettlement:selection_cancel", args=[selection.pk]),
        {"reason": "户主要求改选"},
        follow=True,
    )
    assert "已撤销选房，房源六岭棚改安置小区1栋101恢复为冻结。" in messages_of(response)
    assert flat(project, "101").state == Flat.State.FROZEN
    response = pick(client, selection_round, second, flat(project, "101"))
    assert "2号（H-002户）选定六岭棚改安置小区1栋101。" in messages_of(response)
    assert Selection.objects.filter(flat__number="101").count() == 2
    active = Selection.objects.get(is_active=True)
    assert active.household.code == "H-002"
    cancelled = Selection.objects.get(is_active=False)
    assert cancelled.cancel_reason == "户主要求改选"


def test_an_absent_household_is_passed_over_and_called_later(client, district, clerk):
    project = swap_project(district)
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    response = act(client, selection_round, "call")
    assert "1号尚未选定房源：请先为其选房，或标记过号。" in messages_of(response)
    response = act(client, selection_round, "absent")
    assert "1号过号，可稍后补叫。" in messages_of(response)
    act(client, selection_round, "call")
    first, second = selection_round.orders.order_by("number")[:2]
    response = pick(client, selection_round, first, flat(project, "101"))
    assert "未轮到1号选房" in messages_of(response)[0]
    pick(client, selection_round, second, flat(project, "102"))
    response = client.post(
        reverse("resettlement:selection_recall", args=[selection_round.pk, first.pk]), follow=True
    )
    assert "补叫1号。" in messages_of(response)
    response = pick(client, selection_round, first, flat(project, "101"))
    assert "1号（H-001户）选定六岭棚改安置小区1栋101。" in messages_of(response)
    second.refresh_from_db()
    assert second.finished_at is not None


def test_the_selection_day_page_shows_the_called_household_and_its_entitlement(
    client, district, clerk
):
    project = swap_project(district, max_extra_area="10.00")
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    page = client.get(reverse("resettlement:selection_round", args=[selection_round.pk]))
    text = page.content.decode()
    assert 'id="current-number">1<' in text
    assert "应安置面积 80.00 平方米；已选 0/1 套，0.00 平方米；可选面积上限 90.00 平方米" in text
    assert text.count('class="flat-pick"') == 6


def test_a_district_user_of_another_district_cannot_reach_the_round(
    client, district, clerk, outsider
):
    project = swap_project(district)
    selection_round = published_round(project, clerk)
    login(client, "outsider")
    url = reverse("resettlement:selection_round", args=[selection_round.pk])
    assert client.get(url).status_code == 404
    response = client.post(
        reverse("resettlement:selection_action", args=[selection_round.pk, "call"])
    )
    assert response.status_code == 404
    selection_round.refresh_from_db()
    assert selection_round.current_number is None


def test_the_projects_district_office_may_run_the_desk(client, district, clerk):
    project = swap_project(district)
    selection_round = published_round(project, clerk)
    district_user(district, username="district-desk")
    login(client, "district-desk")
    response = act(client, selection_round, "call")
    assert "请1号（H-001户）选房。" in messages_of(response)


def test_a_public_draw_orders_the_households_and_anyone_can_re_run_it(client, district, clerk):
    project = swap_project(district, households=5)
    login(client, "desk")
    client.post(reverse("resettlement:selection_rounds", args=[project.pk]), {"method": "draw"})
    selection_round = SelectionRound.objects.get()
    response = client.post(
        reverse("resettlement:selection_draw", args=[selection_round.pk]),
        {"witnesses": "", "notary": ""},
        follow=True,
    )
    assert "见证人：这个字段是必填项。" in messages_of(response)
    response = client.post(
        reverse("resettlement:selection_draw", args=[selection_round.pk]),
        {"witnesses": "被征收人代表甲、纪检干部乙", "notary": "测试公证处"},
        follow=True,
    )
    assert "摇号完成，选房顺序已确定。" in messages_of(response)
    selection_round.refresh_from_db()
    from appraisers import draws

    expected = draws.draw_order(selection_round.seed, [f"H-{n:03d}" for n in range(1, 6)])
    codes = list(
        selection_round.orders.order_by("number").values_list("household__code", flat=True)
    )
    assert codes == expected
    assert "按公开方法复算，结果一致。" in response.content.decode()
    act(client, selection_round, "publish")
    selection_round.refresh_from_db()
    sign_off_and_publish(selection_round.notice)
    assert f"随机种子：{selection_round.seed}" in selection_round.notice.body

    client.logout()
    project.started_on = "2022-01-01"
    project.save(update_fields=["started_on"])
    public = client.get(reverse("public:selection_order", args=[project.code])).content.decode()
    assert selection_round.seed in public
    assert "按公开方法复算，结果一致。" in public and "摇号方法" in public
    assert "H-001" in public and "测*一" in public
    assert head_name(1) not in public


def test_the_public_board_shows_taken_flats_and_the_called_number_with_masked_names_only(
    client, district, clerk
):
    project = swap_project(district)
    project.started_on = "2022-01-01"
    project.save(update_fields=["started_on"])
    selection_round = published_round(project, clerk)
    login(client, "desk")
    act(client, selection_round, "call")
    pick(client, selection_round, selection_round.orders.get(number=1), flat(project, "101"))
    act(client, selection_round, "call")
    client.logout()

    url = reverse("public:selection_board", args=[project.code])
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 3s"' in page
    assert "已选 1 套，剩余 5 套" in page
    assert 'data-state="taken"' in page and page.count('data-state="left"') == 5
    assert "<strong>2</strong>号 测*一" in page
    assert "1号 测*一 → 六岭棚改安置小区1栋101" in page
    for n in (1, 2, 3):
        household = project.households.get(code=f"H-{n:03d}")
        assert household.head_name not in page
        assert household.id_number not in page and household.phone not in page
    assert "flat-pick" not in page and "H-001" not in page

    live = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert live.startswith('\n<div id="board-live"') or live.lstrip().startswith(
        '<div id="board-live"'
    )
    assert "<html" not in live and "已选 1 套，剩余 5 套" in live


def test_the_selection_day_must_fall_in_the_plans_window_up_to_its_last_day(
    client, district, clerk
):
    from datetime import date

    from resettlement.models import SwapTerms

    project = swap_project(district)
    SwapTerms.objects.filter(plan__project=project).update(
        window_opens_on=date(2030, 5, 1), window_closes_on=date(2030, 5, 31)
    )
    login(client, "desk")
    url = reverse("resettlement:selection_rounds", args=[project.pk])
    response = client.post(url, {"method": "signing", "selection_on": "2030-06-01"})
    assert "选房日不能晚于补偿方案规定的选房截止日期2030年5月31日。" in response.content.decode()
    response = client.post(url, {"method": "signing", "selection_on": "2030-04-30"})
    assert "选房日不能早于补偿方案规定的选房开始日期2030年5月1日。" in response.content.decode()
    assert not SelectionRound.objects.exists()
    response = client.post(url, {"method": "signing", "selection_on": "2030-05-31"}, follow=True)
    assert "已创建选房，请确定选房顺序。" in messages_of(response)


def test_numbers_are_not_called_before_the_selection_day(client, district, clerk):
    from datetime import timedelta

    from django.utils import timezone

    project = swap_project(district)
    tomorrow = timezone.localdate() + timedelta(days=1)
    selection_round = published_round(project, clerk, selection_on=tomorrow)
    login(client, "desk")
    response = act(client, selection_round, "call")
    assert f"选房日为{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日，尚未开始叫号。" in (
        messages_of(response)
    )
    selection_round.refresh_from_db()
    assert selection_round.current_number is None


def test_the_public_board_of_a_project_not_yet_public_is_not_found(client, district, clerk):
    project = swap_project(district)
    assert client.get(reverse("public:selection_board", args=[project.code])).status_code == 404


def test_calling_after_the_plans_window_closed_says_the_window_is_over_not_the_day(
    client, district, clerk
):
    """The window closed yesterday: calling is refused with a message naming the passed
    closing date (not "选房日不能晚于…", which blamed the selection day); on its last day
    it works."""
    from datetime import timedelta

    from django.utils import timezone

    from resettlement.models import SwapTerms

    today = timezone.localdate()
    project = swap_project(district)
    selection_round = published_round(project, clerk, selection_on=today - timedelta(days=1))
    terms = SwapTerms.objects.filter(plan__project=project)
    terms.update(window_closes_on=today - timedelta(days=1))
    login(client, "desk")
    response = act(client, selection_round, "call")
    day = today - timedelta(days=1)
    expected = f"补偿方案规定的选房截止日期{day.year}年{day.month}月{day.day}日已过，不能再叫号选房"
    assert any(expected in m for m in messages_of(response)), messages_of(response)
    assert not selection_round.orders.filter(called_at__isnull=False).exists()

    terms.update(window_closes_on=today)
    response = act(client, selection_round, "call")
    assert selection_round.orders.filter(called_at__isnull=False).count() == 1


def test_the_secretariat_cannot_run_a_selection_day(project):
    """Selection day is 业务科's (or a leader's) and the project's district's, not any section's."""
    from core import permissions
    from tests.factories import district_user

    assert not permissions.allowed(
        staff(Section.SECRETARIAT), "resettlement.run_selection", project
    )
    assert permissions.allowed(staff(Section.OPERATIONS), "resettlement.run_selection", project)
    assert permissions.allowed(
        district_user(project.district, username="sel-d"), "resettlement.run_selection", project
    )
    assert "业务科" in permissions.refusal(
        staff(Section.SECRETARIAT, username="sec2"), "resettlement.run_selection", project
    )
