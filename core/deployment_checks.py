"""System checks on how a deployment is wired (run by `manage.py check`, `migrate`, `runserver`):
warnings for settings that work on one process but break with several web nodes or workers."""

from django.conf import settings
from django.core import checks

# Cache backends whose entries live in one process (or, for files, on one machine): lockouts
# and the public page cache would count and expire separately on every node.
LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "per process",
    "django.core.cache.backends.dummy.DummyCache": "not stored at all",
    "django.core.cache.backends.filebased.FileBasedCache": "per machine",
}


@checks.register(checks.Tags.caches)
def check_shared_cache(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in LOCAL_CACHES:
        return []
    return [
        checks.Warning(
            f"The default cache ({backend}) is {LOCAL_CACHES[backend]} while DEBUG is off: "
            "the public look-up lockouts and the public page cache are not shared between "
            "web processes or machines.",
            hint="Set CACHE_URL to a shared Redis, e.g. redis://redis:6379/2.",
            id="core.W001",
        )
    ]


@checks.register()
def check_job_timeouts(app_configs, **kwargs):
    if settings.JOBS_VISIBILITY_TIMEOUT_SECONDS > settings.JOBS_TIME_LIMIT_SECONDS:
        return []
    return [
        checks.Warning(
            "JOBS_VISIBILITY_TIMEOUT_SECONDS is not longer than JOBS_TIME_LIMIT_SECONDS: a job "
            "still running would be delivered to a second worker.",
            hint="Raise the visibility timeout above the hard time limit.",
            id="core.W002",
        )
    ]
