"""Receivers keeping the stock in step with what compensation records (compensation never
imports this app)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from compensation.models import Agreement
from projects.models import Household
from resettlement.handover import mark_signed
from resettlement.models import Selection


@receiver(post_save, sender=Agreement, dispatch_uid="resettlement_flats_signed")
def flats_signed_with_the_agreement(sender, instance: Agreement, **kwargs):
    """A swap household's own agreement signed: its chosen flats become 已签约."""
    if (
        instance.party == Agreement.Party.HOUSEHOLD
        and instance.method == Household.Method.SWAP
        and instance.status != Agreement.Status.DRAFT
    ):
        mark_signed(instance.household)


@receiver(post_save, sender=Selection, dispatch_uid="resettlement_pick_after_signing")
def flat_signed_when_the_agreement_came_first(sender, instance: Selection, created, **kwargs):
    """A household ordered by its signing picks after its swap agreement is signed: the flat it
    picks is 已签约 at once (the difference is settled by a supplement to that agreement)."""
    if created and instance.is_active:
        signed = Agreement.objects.signed_swap().filter(household_id=instance.household_id)
        if signed.exists():
            mark_signed(instance.household)
