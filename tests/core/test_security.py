import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from core.middleware import BrokerUnavailableMiddleware
from tests.auth import login

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def production_environ():
    """The test process's environment without what only tests set."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_check_deploy_passes_with_production_settings():
    env = {
        **production_environ(),
        "DEBUG": "false",
        "SECRET_KEY": "x7#kQ2!vLp9@Zr4$Tn8^Wm3&Yc6*Hb1(Jd5)Gf0-Se2+Ua7=Ro",
        "ALLOWED_HOSTS": "example.org",
        # Production shares its cache between web processes (core.W001 otherwise).
        "CACHE_URL": "redis://127.0.0.1:6379/2",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_refuses_the_development_key():
    env = {**production_environ(), "DEBUG": "false", "ALLOWED_HOSTS": "example.org"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


@pytest.mark.parametrize("url_name", ["login", "public:home", "healthz"])
def test_responses_carry_the_security_headers(client, url_name):
    response = client.get(reverse(url_name), secure=True)
    hsts = response["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 365 * 24 * 3600
    csp = response["Content-Security-Policy"]
    for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client, office_user):
    pages = [client.get(reverse("login")), client.get(reverse("public:home"))]
    login(client, "clerk")
    pages += [client.get(reverse("core:home")), client.get(reverse("password_change"))]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        url = response.request["PATH_INFO"]
        assert "<script" in html  # htmx, from a file
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " onclick=" not in html and " style=" not in html, url


def test_healthz_reports_database_and_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = celery_app.conf.broker_write_url
    celery_app.conf.broker_write_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get(reverse("healthz"))
    finally:
        celery_app.conf.broker_write_url = original
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


def test_a_broker_that_is_down_gives_a_clear_page_not_a_500(office_user):
    request = RequestFactory().get("/")
    request.user = office_user
    middleware = BrokerUnavailableMiddleware(lambda r: None)
    response = middleware.process_exception(request, OperationalError("connection refused"))
    assert response.status_code == 503
    assert "后台任务服务暂不可用" in response.content.decode()


def test_unknown_url_gets_the_chinese_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
