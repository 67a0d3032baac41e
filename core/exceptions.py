"""Refusals that are not about who the user is.

A `NotYet` is a PermissionDenied (so every view and test that expects a 403 still gets one) for
an action the user's section does take, but not now: a sign-off step that waits for another
section first, or the four-eyes rule of one round. The 403 page (core.views.permission_denied)
says what must happen first and does not send the user to the system administrator, who could
not help: only real permission denials carry that line.
"""

from django.core.exceptions import PermissionDenied


class NotYet(PermissionDenied):
    """The action is the user's to take, once what the message names has happened."""
