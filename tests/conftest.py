import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make next to it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from config.celery import app as celery_app
from tests.factories import DistrictFactory, ProjectFactory, district_user, staff

CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config):
    # Ordinary tests run jobs in-process; the tests that need the real worker turn
    # this off through the `celery_worker` fixture.
    celery_app.conf.task_always_eager = True


@pytest.fixture
def district(db):
    return DistrictFactory(code="shuangqing", name="双清区")


@pytest.fixture
def other_district(db):
    return DistrictFactory(code="daxiang", name="大祥区")


@pytest.fixture
def office_user(db):
    return staff(username="clerk", name="王测试")


@pytest.fixture
def district_member(district):
    return district_user(district, username="district", name="李区县")


@pytest.fixture
def outsider(other_district):
    return district_user(other_district, username="outsider", name="赵外区")


@pytest.fixture
def project(district):
    """A project of the `district` fixture (双清区)."""
    return ProjectFactory(district=district, code="2022-SQ-001", name="六岭棚改")


@pytest.fixture
def other_project(other_district):
    """A project of another district (大祥区): district users of 双清区 must not reach it."""
    return ProjectFactory(district=other_district, code="2022-DX-001", name="水利局棚改")


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread on the configured broker (Redis in CI)."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task start_worker uses)
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=True) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3 API server (moto's standalone server) on a loopback port, for the session."""
    import subprocess
    import sys
    import time

    import requests

    from tests.nodes import free_port

    port = free_port()
    log = open(tmp_path_factory.mktemp("s3") / "moto.log", "wb")  # noqa: SIM115 (server writes it)
    server = subprocess.Popen(  # noqa: S603 (our own fixed command line)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, "moto_server exited"
        try:
            requests.get(endpoint, timeout=5)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "moto_server did not come up"
            time.sleep(0.2)
    yield endpoint
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture
def s3_storage(s3_server, settings):
    """Files go to a fresh bucket on the S3 server, as with STORAGE_URL in production.
    Yields the STORAGE_URL; the bucket is made through the command operators use."""
    import uuid

    from django.core.management import call_command

    from config.storage import s3_options

    url = f"s3+http://test:test-secret@{s3_server.removeprefix('http://')}/media-{uuid.uuid4().hex}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(url)},
    }
    call_command("create_media_bucket", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture(scope="session", autouse=True)
def _plain_http_in_tests():
    """Tests talk plain HTTP to the test client and the live server; production redirects."""
    from django.test.utils import override_settings

    # Static files come from the finders: tests do not depend on a collectstatic run.
    override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=True,
        # Hashing strength is not under test; the default costs half a second per user.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        WHITENOISE_AUTOREFRESH=True,
    ).enable()
