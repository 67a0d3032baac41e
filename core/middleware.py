import logging
import time
from urllib.parse import urlsplit, urlunsplit

from botocore.exceptions import ConnectionError as StorageConnectionError
from botocore.exceptions import HTTPClientError as StorageHTTPError
from django.conf import settings
from django.shortcuts import render, resolve_url
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


class StorageUnavailableMiddleware:
    """The object store (STORAGE_URL) cannot be reached while a file is saved or opened: the
    user gets a clear page (503) saying nothing was saved, not a 500.

    botocore raises a ConnectionError (refused, connect timeout) or an HTTPClientError (read
    timeout, connection closed) after its retries; the upload's transaction has rolled back,
    and FileField saves the file before its row, so no row points at a missing file."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StorageConnectionError | StorageHTTPError):
            logger.error("Object storage unavailable on %s: %s", request.path, exception)
            return render(request, "core/storage_unavailable.html", status=503)
        return None


def _to_login(response) -> bool:
    """Whether `response` redirects to the login page."""
    if response.status_code not in (301, 302, 303, 307, 308) or "Location" not in response:
        return False
    return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


def _with_query(url: str, extra: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


class IdleSessionMiddleware:
    """Idle expiry without a database write on every request.

    A session ends SESSION_COOKIE_AGE seconds (SESSION_IDLE_SECONDS, 1,800 by default; the
    public look-up sets its own 15 minutes) after it was last saved. Instead of saving the
    session on every request (SESSION_SAVE_EVERY_REQUEST), a request that brings a session
    cookie marks the session changed when it was last saved TOUCH_SECONDS (60 s) or more ago,
    so that SessionMiddleware saves it with a new expiry: one write a minute at most, and a
    session ends between SESSION_COOKIE_AGE − 60 s and SESSION_COOKIE_AGE after the last
    request. Requests without a session cookie (the public pages) never read the session.
    When a session has ended and a page sends its visitor to log in, the login page is told
    (?expired=1) and says 登录已超时.

    Sits just after SessionMiddleware, whose response step does the saving."""

    TOUCH_SECONDS = 60
    KEY = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None:
            return response
        if settings.SESSION_COOKIE_NAME not in request.COOKIES and not session.modified:
            return response  # a visitor without a session: never read one
        touched = session.get(self.KEY, 0)  # loads the session if the view did not
        if session.is_empty():
            # An unknown or expired key, or a logout: nothing to keep alive. A page that sends
            # such a visitor to log in says why (the login page reads ?expired=1).
            # (A logout is a POST, and its browser drops the emptied cookie.)
            came_with_one = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            if came_with_one and request.method in ("GET", "HEAD") and _to_login(response):
                response["Location"] = _with_query(response["Location"], "expired=1")
            return response
        now = int(time.time())
        if session.modified or now - touched >= self.TOUCH_SECONDS:
            session[self.KEY] = now
        return response
