"""State shared by several web nodes: the look-up lockouts live in Redis, so a lockout reached
through one node holds on another; the start-up check warns about a per-process cache."""

from datetime import date
from io import StringIO

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.nodes import gunicorn_nodes, post_form
from tests.petitions.factories import register


def _clear_lockouts(url: str) -> None:
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match="*lockout:*"):
        client.delete(key)


@pytest.mark.django_db(transaction=True)
def test_a_lockout_reached_through_one_node_holds_on_another(office_user, district, tmp_path):
    redis_url = settings.CELERY_BROKER_URL
    assert redis_url.startswith("redis://"), "this test needs a real Redis"
    _clear_lockouts(redis_url)
    case = register(by=office_user, district=district, received_on=date(2022, 3, 1))
    other = register(by=office_user, district=district, received_on=date(2022, 3, 2))
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CACHE_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,  # the look-up codes are keyed hashes
        "DEBUG": "true",  # plain HTTP cookies and static files without collectstatic
        "PROXY_COUNT": "1",
        "PETITION_LOOKUP_MAX_FAILURES": "3",
    }
    with gunicorn_nodes(2, env, tmp_path) as (first, second):
        lookup = "/petitions/lookup/"

        def ask(node, registration, code, address):
            reference = registration.petition.reference
            return post_form(
                node + lookup, {"reference": reference, "code": code}, client_address=address
            )

        assert f"信访件 {case.petition.reference}" in ask(second, case, case.code, "10.5.0.9").text
        for _attempt in range(3):
            assert ask(first, case, "00000-00000", "10.5.0.1").status_code == 200

        # The case is locked on the other node, from another address, even with its code ...
        locked_case = ask(second, case, case.code, "10.5.0.2")
        assert locked_case.status_code == 429
        assert "查询失败次数过多" in locked_case.text
        # ... and the address is locked there for another case too.
        assert ask(second, other, other.code, "10.5.0.1").status_code == 429
        # An address and a case that failed nowhere are not.
        fresh = ask(second, other, other.code, "10.5.0.3")
        assert (fresh.status_code, f"信访件 {other.petition.reference}" in fresh.text) == (
            200,
            True,
        )


def test_the_start_up_check_warns_about_a_per_process_cache_in_production(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    stderr = StringIO()
    call_command("check", stderr=stderr, stdout=StringIO())
    assert "core.W001" in stderr.getvalue()
    assert "CACHE_URL" in stderr.getvalue()


def test_a_shared_cache_or_debug_passes_the_start_up_check(settings):
    settings.DEBUG = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    stderr = StringIO()
    call_command("check", stderr=stderr, stdout=StringIO())
    assert "core.W001" not in stderr.getvalue()
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    call_command("check", stderr=stderr, stdout=StringIO())
    assert "core.W001" not in stderr.getvalue()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "61.187.1.2", "127.0.0.1"),  # no proxy: the header is the client's own say
        (1, "61.187.1.2", "61.187.1.2"),  # nginx appended the client's address
        (1, "1.1.1.1, 61.187.1.2", "61.187.1.2"),  # what the client wrote itself is ignored
        (2, "1.1.1.1, 61.187.1.2, 10.0.0.2", "61.187.1.2"),  # a CDN, then nginx
        (2, "", "127.0.0.1"),  # reached the last proxy directly
    ],
)
def test_the_client_address_is_read_only_as_deep_as_the_proxies_in_front(
    settings, proxies, forwarded, address
):
    from django.test import RequestFactory

    from core.http import client_address

    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_address(request) == address
