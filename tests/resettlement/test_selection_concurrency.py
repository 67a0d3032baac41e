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
