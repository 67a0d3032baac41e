"""The public pages are cached for anonymous visitors and invalidated when what they show
changes.

Every service that publishes something (a notice, an approved plan, a credit list, an annual
report, a policy document) calls `bump()`, and so does every one that changes a figure the
pages add up (a household registered, imported, edited or signed; a payment posted; a flat
offered or taken), directly or through core.public_changes; the cached pages are keyed by the
version it increments, so the next visitor sees the new content at once.
"""

from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "public:version"
TIMEOUT = 10 * 60


def version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def bump() -> None:
    """Invalidate every cached public page, once the publishing transaction commits."""

    def increment():
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 2, timeout=None)

    transaction.on_commit(increment)


def cached_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache a public page's response for anonymous GETs. Logged-in people see their own
    navigation (and a CSRF token in it), so their pages are never cached or served cached."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = f"public:page:{version()}:{request.get_full_path()}"
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            cache.set(key, response, TIMEOUT)
        return response

    return wrapper
