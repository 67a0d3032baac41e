"""The swap selection rules (产权调换选房规则) shown on the compensation plan's page (and so in
its review), registered with projects.plan_sections from ResettlementConfig.ready()."""

from django.template.loader import render_to_string

from core import permissions
from projects.models import CompensationPlan
from projects.plan_sections import carries_forward, edit_refusal, plan_section
from resettlement.models import SwapTerms
from resettlement.stock import swap_terms_refusal
from resettlement.stock_forms import WindowExtensionForm


@plan_section
def swap_terms_section(request, plan) -> str:
    terms = SwapTerms.objects.filter(plan=plan).prefetch_related("tiers").first()
    return render_to_string(
        "resettlement/stock/_swap_terms.html",
        {
            "plan": plan,
            "terms": terms,
            "tiers": list(terms.tiers.all()) if terms else [],
            "can_edit": swap_terms_refusal(request.user, plan) is None,
            "frozen": edit_refusal(plan),
            "extensions": list(
                terms.extensions.select_related("extended_by").order_by("extended_at", "pk")
            )
            if terms
            else [],
            "can_extend": terms is not None
            and plan.status == CompensationPlan.Status.APPROVED
            and permissions.allowed(request.user, "resettlement.extend_window", plan.project),
            "extend_form": WindowExtensionForm(),
        },
        request=request,
    )


@carries_forward
def copy_swap_terms(previous, plan) -> None:
    """A new plan version starts from the previous version's swap rules and tiers."""
    terms = SwapTerms.objects.filter(plan=previous).prefetch_related("tiers").first()
    if terms is None:
        return
    tiers = list(terms.tiers.all())
    terms.pk = None
    terms._state.adding = True
    terms.plan = plan
    terms.save()
    for tier in tiers:
        tier.pk = None
        tier._state.adding = True
        tier.terms = terms
        tier.save()
