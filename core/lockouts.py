"""Lockouts for the public look-ups (a household's own look-up, the petitioner's case look-up).

Failed attempts are counted twice, per client address and per subject (the household or the
case asked for), in the shared cache: with Redis (CACHE_URL) every web process and machine
counts into the same keys; core.deployment_checks warns when the cache is per process. Past
the limit, either count refuses further attempts for the rest of its window, so neither many
addresses guessing one case nor one address guessing many cases gets far. A success clears
nothing: holding one valid code does not help to guess others.

Limits are settings, per look-up: `<PREFIX>_MAX_FAILURES` and `<PREFIX>_WINDOW_SECONDS`
(e.g. PETITION_LOOKUP_MAX_FAILURES). django-axes does this for logins only (it counts
authentication failures against a username), so the look-ups share this small helper instead.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from core.http import client_address


@dataclass(frozen=True)
class Lockout:
    """One look-up's lockout; `prefix` names its settings and its cache keys."""

    prefix: str

    @property
    def max_failures(self) -> int:
        return getattr(settings, f"{self.prefix}_MAX_FAILURES")

    @property
    def window_seconds(self) -> int:
        return getattr(settings, f"{self.prefix}_WINDOW_SECONDS")

    def _keys(self, request, subject: str) -> list[str]:
        # Behind the production proxy REMOTE_ADDR is the proxy (PROXY_COUNT says how many).
        address = client_address(request) or "unknown"
        return [
            f"lockout:{self.prefix}:address:{address}",
            f"lockout:{self.prefix}:subject:{subject}",
        ]

    def is_locked(self, request, *, subject: str) -> bool:
        """True when the client's address or `subject` has used up its failures."""
        counts = cache.get_many(self._keys(request, subject))
        return any(count >= self.max_failures for count in counts.values())

    def record_failure(self, request, *, subject: str) -> None:
        """Count one failed attempt against the address and the subject. The window starts
        at the first failure (the key's expiry); the increments are atomic in Redis."""
        for key in self._keys(request, subject):
            if cache.add(key, 1, timeout=self.window_seconds):
                continue
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=self.window_seconds)
