"""The public project page's offered stock is cached for visitors (10 minutes), yet never
stale: freezing, releasing, a pick and a cancelled pick show on the next visit."""

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.roles import Section
from resettlement.models import Flat, Selection
from tests.auth import login
from tests.factories import staff
from tests.resettlement.helpers import make_estate, swap_ready
from tests.resettlement.selection_helpers import flat, published_round, swap_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def offered_line(client, project) -> str:
    html = client.get(reverse("public:project_detail", args=[project.code])).content.decode()
    start = html.index("本项目提供安置房源")
    return html[start : html.index("。", start) + 1]


def test_freezing_and_releasing_show_on_the_cached_public_page_at_once(
    client, district, project, django_capture_on_commit_callbacks
):
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    estate = make_estate(district)
    swap_ready(project)
    Flat.objects.filter(building__name="1栋", floor=1).update(state="frozen", project=project)
    assert offered_line(client, project) == "本项目提供安置房源 2 套，尚可选择 2 套。"
    staff(Section.LEADER, username="leader", name="周领导")
    desk = Client()
    login(desk, "leader")
    url = reverse("resettlement:project_freeze", args=[project.pk]) + f"?estate={estate.pk}"
    two = Flat.objects.filter(building__name="1栋", floor=2)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(url, {"operation": "freeze", "flats": [f.pk for f in two]})
    assert offered_line(client, project) == "本项目提供安置房源 4 套，尚可选择 4 套。"
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(url, {"operation": "unfreeze", "flats": [two[0].pk]})
    assert offered_line(client, project) == "本项目提供安置房源 3 套，尚可选择 3 套。"


def test_a_pick_and_its_cancellation_show_on_the_cached_public_page_at_once(
    client, district, django_capture_on_commit_callbacks
):
    project = swap_project(district)  # 6 flats frozen for it
    project.started_on = date(2022, 3, 1)
    project.save(update_fields=["started_on"])
    selection_round = published_round(
        project, staff(Section.OPERATIONS, username="desk", name="叫号员")
    )
    assert offered_line(client, project) == "本项目提供安置房源 6 套，尚可选择 6 套。"
    desk = Client()
    login(desk, "desk")
    desk.post(reverse("resettlement:selection_action", args=[selection_round.pk, "call"]))
    first = selection_round.orders.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(
            reverse("resettlement:selection_pick", args=[selection_round.pk]),
            {"order": first.pk, "flat": flat(project, "101").pk},
        )
    assert offered_line(client, project) == "本项目提供安置房源 6 套，尚可选择 5 套。"
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(
            reverse("resettlement:selection_cancel", args=[Selection.objects.get().pk]),
            {"reason": "户主要求改选"},
        )
    assert offered_line(client, project) == "本项目提供安置房源 6 套，尚可选择 6 套。"
