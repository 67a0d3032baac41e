import logging

from django.shortcuts import render
from kombu.exceptions import OperationalError

from core.jobs import BrokerUnavailable

logger = logging.getLogger(__name__)


class BrokerUnavailableMiddleware:
    """A job queued while the broker is down gives the user a clear page (503), not a 500.

    core.jobs.queue_on_commit raises BrokerUnavailable with the page where the job can be
    retried; a broker error raised anywhere else gets the same page without that link."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BrokerUnavailable | OperationalError):
            logger.error("Task broker unavailable while handling %s: %s", request.path, exception)
            retry_url = getattr(exception, "retry_url", "")
            return render(
                request, "core/broker_unavailable.html", {"retry_url": retry_url}, status=503
            )
        return None
