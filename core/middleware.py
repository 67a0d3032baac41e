import logging

from django.shortcuts import render
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


class BrokerUnavailableMiddleware:
    """A job queued while the broker is down gives the user a clear page, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BrokerError):
            logger.error("Task broker unavailable while handling %s: %s", request.path, exception)
            return render(request, "core/broker_unavailable.html", status=503)
        return None
