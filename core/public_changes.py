"""A hook for "something the public pages show has changed", so a domain app can say so
without importing `public` (which caches those pages and registers itself here in its
AppConfig.ready()). Signal-free on purpose: the services that change what the public sees
call `changed()` explicitly, after their write, inside their transaction.
"""

from collections.abc import Callable

_listeners: list[Callable[[], None]] = []


def listen(listener: Callable[[], None]) -> None:
    """Call `listener` (e.g. public.cache.bump) whenever `changed()` is called; once per
    listener however often it is registered."""
    if listener not in _listeners:
        _listeners.append(listener)


def changed() -> None:
    """What a public page shows has changed (e.g. a flat's state in the offered stock)."""
    for listener in _listeners:
        listener()
