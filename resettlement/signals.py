"""Receivers keeping the stock in step with what compensation records (compensation never
imports this app)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from compensation.models import Agreement
from projects.models import Household
from resettlement.handover import mark_signed


@receiver(post_save, sender=Agreement, dispatch_uid="resettlement_flats_signed")
def flats_signed_with_the_agreement(sender, instance: Agreement, **kwargs):
    """A swap household's own agreement signed: its chosen flats become 已签约."""
    if (
        instance.party == Agreement.Party.HOUSEHOLD
        and instance.method == Household.Method.SWAP
        and instance.status != Agreement.Status.DRAFT
    ):
        mark_signed(instance.household)
