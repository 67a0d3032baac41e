"""Twenty households pick the same flat at the same moment: exactly one gets it."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from resettlement import selection as services
from resettlement.models import Flat, Selection, SelectionOrder, SelectionRound
from tests.factories import staff
from tests.resettlement.selection_helpers import flat, published_round, swap_project

PICKERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_picks_of_one_flat_give_it_to_exactly_one_household(district):
    project = swap_project(district, households=PICKERS)
    clerk = staff(username="hall-clerk", name="大厅经办")
    first = published_round(project, clerk)
    households = [order.household for order in first.orders.order_by("number")]
    # Twenty selection halls of the same project, each with its household called now: every
    # pick passes the order check, and only the flat's lock and the constraint stand between
    # them (rounds set up directly; the picks go through the service).
    orders = []
    for household in households:
        hall = SelectionRound.objects.create(
            project=project,
            method=SelectionRound.Method.SIGNING,
            state=SelectionRound.State.OPEN,
            notice=first.notice,
            current_number=1,
            created_by=clerk,
        )
        orders.append(
            SelectionOrder.objects.create(
                round=hall, household=household, number=1, called_at=timezone.now()
            )
        )
    target = flat(project, "101")
    barrier = threading.Barrier(PICKERS)
    results: dict[int, str] = {}

    def attempt(order):
        try:
            barrier.wait()
            services.pick(order=order, flat=target, by=clerk)
            results[order.pk] = "ok"
        except ValidationError as error:
            results[order.pk] = " ".join(error.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == PICKERS
    winners = [pk for pk, outcome in results.items() if outcome == "ok"]
    assert len(winners) == 1
    refusals = [outcome for outcome in results.values() if outcome != "ok"]
    assert len(refusals) == PICKERS - 1
    assert all("该房源已被选定，请选择其他房源。" in message for message in refusals), refusals
    active = Selection.objects.filter(flat=target, is_active=True)
    assert active.count() == 1
    assert active.get().order_id == winners[0]
    assert Selection.objects.filter(flat=target).count() == 1
    target.refresh_from_db()
    assert target.state == Flat.State.SELECTED


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_picks_of_different_flats_by_one_household_stop_at_its_one_flat(
    district,
):
    project = swap_project(district, households=1, floors=5, per_floor=4, max_flats=1)
    clerk = staff(username="hall-clerk", name="大厅经办")
    selection_round = published_round(project, clerk)
    services.call_next(selection_round=selection_round, by=clerk)
    order = selection_round.orders.get(number=1)
    flats = list(Flat.objects.filter(project=project).order_by("pk"))
    assert len(flats) == PICKERS
    barrier = threading.Barrier(PICKERS)
    results: list[str] = []

    def attempt(target):
        try:
            barrier.wait()
            services.pick(order=order, flat=target, by=clerk)
            results.append("ok")
        except ValidationError as error:
            results.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(target,)) for target in flats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count("ok") == 1
    refusal = "超过每户可选套数上限：补偿方案规定每户最多选1套，该户已选1套。"
    assert results.count(refusal) == PICKERS - 1, results
    assert Selection.objects.filter(household=order.household, is_active=True).count() == 1
    assert Flat.objects.filter(project=project, state=Flat.State.SELECTED).count() == 1
