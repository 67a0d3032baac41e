"""The public pages of house selection (选房): a project's published selection order, with the
draw re-run for anyone to check, and the selection board (选房大屏) that updates itself.

Only what the order notice already shows: numbers, household codes and masked names (the
board shows the masked name and number only). The board is never cached: it polls every few
seconds while the selection day runs."""

from django.shortcuts import get_object_or_404, render

from appraisers import draws
from core.masking import mask_name
from public.cache import cached_for_visitors
from public.views import any_case_code, public_projects
from resettlement import selection as services

POLL_SECONDS = 3


def _project(code):
    return get_object_or_404(public_projects(), code=code)


@any_case_code
@cached_for_visitors
def selection_order(request, code):
    project = _project(code)
    rounds = []
    for selection_round in services.published_rounds(project):
        orders = [
            (order.number, order.household.code, mask_name(order.household.head_name))
            for order in selection_round.orders.select_related("household").order_by("number")
        ]
        verifies = None
        if selection_round.seed:
            verifies = services.verifies(selection_round)
        rounds.append(
            {
                "round": selection_round,
                "ordinal": services.round_ordinal(selection_round),  # 第N轮, as on the board
                "orders": orders,
                "verifies": verifies,
            }
        )
    return render(
        request,
        "public/selection_order.html",
        {
            "project": project,
            "rounds": rounds,
            "any_drawn": any(item["round"].seed for item in rounds),
            "steps": draws.order_steps(),
            "python": draws.ORDER_ALGORITHM_PYTHON,
        },
    )


@any_case_code
def selection_board(request, code):
    """The large-screen board; `live/` returns the part htmx swaps in every POLL_SECONDS."""
    project = _project(code)
    context = {"project": project, "board": services.board(project), "poll": POLL_SECONDS}
    if request.htmx:
        return render(request, "public/_selection_board_live.html", context)
    return render(request, "public/selection_board.html", context)
