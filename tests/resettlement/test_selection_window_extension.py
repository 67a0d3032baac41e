"""选房期限延长: a leader extends the approved plan's selection window with a reason, on the
plan's page; the plan stays as approved, and a late round can then be created and called."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Section
from resettlement.models import SelectionRound, SwapTerms, WindowExtension
from tests.auth import login
from tests.factories import staff
from tests.resettlement.selection_helpers import messages_of, swap_project

pytestmark = pytest.mark.django_db


def extend(client, plan, closes_on, reason):
    return client.post(
        reverse("resettlement:swap_window_extend", args=[plan.pk]),
        {"closes_on": closes_on, "reason": reason},
        follow=True,
    )


def test_a_leader_extends_the_window_and_a_late_round_can_be_created(client, district, clerk):
    project = swap_project(district, households=2)
    terms = SwapTerms.objects.get(plan__project=project)
    terms.window_opens_on = date(2022, 6, 1)
    terms.window_closes_on = date(2022, 6, 30)
    terms.save()
    plan = terms.plan
    staff(Section.LEADER, username="leader", name="王领导")
    today = timezone.localdate()
    later = today + timedelta(days=10)

    login(client, "desk")
    response = client.post(
        reverse("resettlement:selection_rounds", args=[project.pk]),
        {"method": "signing", "selection_on": today.isoformat()},
        follow=True,
    )
    assert "选房日不能晚于补偿方案规定的选房截止日期2022年6月30日。" in response.content.decode()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "延长选房期限" not in page
    response = extend(client, plan, later.isoformat(), "补选")
    assert not WindowExtension.objects.exists()
    client.logout()

    login(client, "leader")
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "延长选房期限" in page
    assert "产权调换房屋价格" not in page  # the legacy flat price gives way to the swap rules
    response = extend(client, plan, "2022-06-30", "补选")
    assert "延长后的截止日期须晚于现在的选房截止日期2022年6月30日。" in messages_of(response)
    response = extend(client, plan, later.isoformat(), "")
    assert not WindowExtension.objects.exists()
    response = extend(client, plan, later.isoformat(), "首轮后仍有两户未选房，组织公开摇号补选")
    day = f"{later.year}年{later.month}月{later.day}日"
    assert f"选房期限已延长至{day}。" in messages_of(response)
    page = response.content.decode()
    assert (
        f"选房期限已延长至{day}（王领导于{today.year}年{today.month}月{today.day}日决定）："
        "首轮后仍有两户未选房，组织公开摇号补选"
    ) in page
    terms.refresh_from_db()
    assert terms.window_closes_on == date(2022, 6, 30)  # the approved plan is unchanged
    extension = WindowExtension.objects.get()
    assert extension.previous_closes_on == date(2022, 6, 30)
    assert extension.history.count() == 1
    client.logout()

    login(client, "desk")
    response = client.post(
        reverse("resettlement:selection_rounds", args=[project.pk]),
        {"method": "signing", "selection_on": today.isoformat()},
        follow=True,
    )
    assert "已创建选房，请确定选房顺序。" in messages_of(response)
    assert SelectionRound.objects.count() == 1
    response = client.post(
        reverse("resettlement:selection_rounds", args=[project.pk]),
        {"method": "signing", "selection_on": (later + timedelta(days=1)).isoformat()},
        follow=True,
    )
    assert f"选房日不能晚于补偿方案规定的选房截止日期{day}。" in response.content.decode()


def test_the_legacy_swap_price_shows_on_a_plan_without_swap_rules(client, district):
    project = swap_project(district, households=1)
    plan = SwapTerms.objects.get(plan__project=project).plan
    SwapTerms.objects.filter(plan=plan).delete()
    staff(Section.LEADER, username="leader", name="王领导")
    login(client, "leader")
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "产权调换房屋价格" in page
    assert "延长选房期限" not in page
