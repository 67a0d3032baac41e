import os
from dataclasses import dataclass, field
from io import StringIO

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make next to it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from config.celery import app as celery_app
from tests.factories import DistrictFactory, ProjectFactory, district_user, staff

CHROMIUM = "/usr/bin/chromium"


def _broker_of_this_worker():
    """Under pytest-xdist every worker has its own test database, so it gets its own Redis
    database too: a Celery worker started by one test process must never take another's jobs.
    The first worker keeps the configured database; the others count on from it (mod 16)."""
    from urllib.parse import urlsplit

    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    broker = settings.CELERY_BROKER_URL
    if not worker.startswith("gw") or not broker.startswith("redis"):
        return
    parts = urlsplit(broker)
    base = int(parts.path.strip("/") or 0)
    url = parts._replace(path=f"/{(base + int(worker[2:])) % 16}").geturl()
    if broker == settings.CELERY_RESULT_BACKEND:
        settings.CELERY_RESULT_BACKEND = url
        celery_app.conf.result_backend = url
    settings.CELERY_BROKER_URL = url
    celery_app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url  # for the server processes tests start


_broker_of_this_worker()


def pytest_configure(config):
    # Ordinary tests run jobs in-process; the tests that need the real worker turn
    # this off through the `celery_worker` fixture.
    celery_app.conf.task_always_eager = True
    _flush_with_delete()


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

    from tests.nodes import free_port, wait_until_answering

    port = free_port()
    log = open(tmp_path_factory.mktemp("s3") / "moto.log", "wb")  # noqa: SIM115 (server writes it)
    server = subprocess.Popen(  # noqa: S603 (our own fixed command line)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    wait_until_answering(server, endpoint)
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
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """The test database is copied from a migrated template (tests/template_db.py)."""
    from django.db import connection

    from tests.template_db import use_migrated_template

    with django_db_blocker.unblock():
        use_migrated_template(connection)


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


# --- The demo data, loaded once per test session ------------------------------------------------
#
# Loading the whole demo costs 10-30 s on a shared 2-core machine. Tests that only read it (or
# change it inside their own transaction) ask for `demo_data`: the demo is loaded once into an
# open transaction, every such test runs in a savepoint inside it (the `db` fixture), and the
# transaction is rolled back before the first test that does not ask for the demo. For that the
# demo tests run before every other database test (see pytest_collection_modifyitems below);
# they cannot be transactional (a live server or a Celery worker would not see uncommitted rows).

DEMO_FIXTURE = "demo_data"


@dataclass
class DemoData:
    """The session's demo; `output` is what `load_demo` printed (the logins) on its first run."""

    output: str = ""
    media_root: str = ""
    _atomic: object = None
    _settings: object = None
    _blocker: object = None
    closed: bool = field(default=False)
    ungrouped: bool = False  # set when pytest-xdist failed to group the demo's tests

    def close(self):
        """Roll the demo back; the tests after this see an empty database again."""
        if self._atomic is None or self.closed:
            return
        from django.db import transaction

        self.closed = True
        with self._blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._settings.disable()


_demo = DemoData()


def _uses_demo(item) -> bool:
    return DEMO_FIXTURE in getattr(item, "fixturenames", ())


def pytest_itemcollected(item):
    """Under pytest-xdist (`--dist loadgroup`) one worker runs all the demo's tests, so the
    demo is loaded once per run, not once per worker."""
    if _uses_demo(item):
        item.add_marker(pytest.mark.xdist_group(DEMO_FIXTURE))


# Fixtures that reach the test database; a test with none of them (and no django_db mark) runs
# without it.
DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}
# Fixtures of the tests that take seconds each: a browser, a live server, a Celery worker.
SLOW_FIXTURES = {"page", "live_server", "celery_worker"}


def _needs_db(item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & fixtures)


def _is_transactional(item) -> bool:
    """As pytest-django tells them (its get_order_number)."""
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    )
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(transactional or {"transactional_db", "live_server"} & fixtures)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Order the run, keeping pytest-django's order of the database tests (every transactional
    test after the others: its flush at teardown deletes the data migrations' rows), so that
    the workers keep busy:

    1. the tests that need no database, so that a worker runs them while the migrated template
       is still being built (tests/template_db.py) instead of waiting for it;
    2. the tests that read the session's demo (before every other database test: see above);
    3. the other database tests, and last the transactional ones, those with a browser, a live
       server or a Celery worker first among them, so that the run ends on short tests and the
       workers finish at about the same time (pytest-xdist hands a worker the next test as it
       finishes one)."""
    demo = [item for item in items if _uses_demo(item)]
    for item in demo:
        if _is_transactional(item):
            raise pytest.UsageError(f"{item.nodeid}: {DEMO_FIXTURE} cannot be transactional")
    others = [item for item in items if not _uses_demo(item)]
    plain = [item for item in others if _needs_db(item) and not _is_transactional(item)]
    transactional = [item for item in others if _is_transactional(item)]
    slow = [item for item in transactional if SLOW_FIXTURES & set(item.fixturenames)]
    items[:] = (
        [item for item in others if not _needs_db(item)]
        + demo
        + plain
        + slow
        + [item for item in transactional if item not in slow]
    )
    # pytest-xdist tags grouped tests in their node ids (before this trylast hook); when a pytest
    # release stops that from working, every worker would load the demo: the demo's tests fail.
    _demo.ungrouped = bool(
        getattr(config.option, "loadgroup", False)
        and demo
        and not demo[0].nodeid.endswith(f"@{DEMO_FIXTURE}")
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if not _uses_demo(item):
        _demo.close()


@pytest.fixture(scope="session")
def _demo_session(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from appraisers.defaults import ensure_credit_rules

    if _demo.closed:
        raise RuntimeError("the session's demo was already rolled back: test order is wrong")
    if _demo.ungrouped:
        raise RuntimeError(
            "pytest-xdist's --dist loadgroup did not put the demo's tests on one worker "
            "(pytest-dev/pytest-xdist#1386): install the pytest version requirements-dev.txt pins"
        )
    media_root = str(tmp_path_factory.mktemp("demo-media"))
    _demo._settings = override_settings(MEDIA_ROOT=media_root)
    _demo._settings.enable()
    _demo._blocker = django_db_blocker
    _demo.media_root = media_root
    with django_db_blocker.unblock():
        _demo._atomic = transaction.atomic()
        _demo._atomic.__enter__()
        ensure_credit_rules()  # a data migration's rows, as on a fresh installation
        out = StringIO()
        call_command("load_demo", stdout=out)
        _demo.output = out.getvalue()
        # Fire the deferred foreign-key checks now, once: otherwise every test's teardown fires
        # them again (rolling back its savepoint puts them back in the queue).
        connection.check_constraints()
    yield _demo
    _demo.close()


@pytest.fixture
def demo_data(_demo_session, db, settings):
    """The Shaoyang demo (`load_demo`), loaded once per session; each test's changes roll back."""
    settings.MEDIA_ROOT = _demo_session.media_root
    return _demo_session


# --- Transactional tests: empty the tables with DELETE, not TRUNCATE ------------------------------
#
# After each transactional test Django's flush TRUNCATEs all ~150 tables: 5-10 s on a loaded
# machine (PostgreSQL creates new files for each table), against 0.3 s for DELETE on the few
# rows such a test writes. Row triggers (the append-only ledger) and foreign-key checks are off
# for that transaction (session_replication_role, which needs a superuser: otherwise the
# normal flush runs).


def _flush_with_delete():
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables or not _is_superuser(self.connection):
            return original(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        quote = self.quote_name
        return ["SET LOCAL session_replication_role = replica"] + [
            f"DELETE FROM {quote(table)}"  # noqa: S608 (Django's own table names)
            for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush


def _is_superuser(connection) -> bool:
    if not hasattr(connection, "_tests_is_superuser"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            connection._tests_is_superuser = bool(cursor.fetchone()[0])
    return connection._tests_is_superuser
