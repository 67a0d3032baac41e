"""The app as `make run` serves it (SQLite, Celery in-process, the demo loaded), crawled as every
demo user and anonymously on the public site: exits 1 naming each page that answered 5xx, with
its traceback. The test suite runs on PostgreSQL only, so this is what sees SQLite-only breakage
(a lookup SQLite lacks, SQL written for PostgreSQL).

    .venv/bin/python scripts/smoke_sqlite.py               # new temporary database, then crawl
                                                           # (scripts/test runs this beside pytest)
    .venv/bin/python scripts/smoke_sqlite.py --cap 400 --per-shape 5   # a wider crawl
    .venv/bin/python scripts/smoke_sqlite.py --db db.sqlite3         # an existing demo database

Without --db the schema is built from the models (`migrate --run-syncdb`, migrations off: the
data migrations seed nothing the demo does not load itself) in a temporary directory that also
holds the uploaded files, and the demo is loaded with its report, as scripts/run does.

Each user's crawl starts at / (the public site at /public/) and follows same-site links found
in the pages, breadth first: at most --cap pages per user and --per-shape pages per URL shape
(the path with its numbers replaced and the names of its query parameters), so that the crawl
reaches every kind of page rather than every household. /admin/, logout and files under
/static/ and /media/ are not followed; forms are not submitted.

On the demo it built, it also checks what SQLite reads differently without any page failing
(`sqlite_checks`: decimals added as floats, NULL sorted first in an ascending order), and
exits 1 naming each difference."""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import sys
import tempfile
import time
import traceback
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
STATUSES: dict[int, int] = {}  # status → pages that answered it
SKIPPED = ("/admin/", "/accounts/logout/", "/static/", "/media/")


class _Links(HTMLParser):
    """The links of a page and its GET forms, each form as (action, [(name, value)]): the
    values it would send untouched (first option of a select, checked boxes only)."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form = None  # (action, fields) of the open GET form
        self._select = None  # (name, first value, selected value) of the open select

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        elif tag == "form":
            if (attrs.get("method") or "get").lower() == "get":
                self._form = (attrs.get("action") or "", [])
        elif self._form is None or not attrs.get("name"):
            if tag == "option" and self._select is not None:
                self._option(attrs)
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._form[1].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self._select = [attrs["name"], None, None]

    def _option(self, attrs):
        value = attrs.get("value") or ""
        if self._select[1] is None:
            self._select[1] = value
        if "selected" in attrs:
            self._select[2] = value

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            name, first, selected = self._select
            self._form[1].append((name, selected if selected is not None else first or ""))
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _links(base: str, html: str) -> list[str]:
    """The same-site links of a page, and the URLs its GET forms send, as path?query."""
    parser = _Links()
    parser.feed(html)
    targets = list(parser.hrefs)
    targets += [
        f"{action or base.split('?')[0]}?{urlencode(fields)}" for action, fields in parser.forms
    ]
    found = []
    for href in targets:
        parts = urlsplit(urljoin("http://testserver" + base, href))
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(
    client, starts: list[str], *, cap: int, per_shape: int, failures: list, seen_errors: dict
):
    """Visit up to `cap` pages from `starts`; append (url, status, traceback text) to `failures`
    for each answer ≥ 500. Returns the number of pages requested."""
    starts = list(dict.fromkeys(starts))
    queue, queued, shapes, count = deque(starts), set(starts), {}, 0
    while queue and count < cap:
        url = queue.popleft()
        seen_errors.clear()
        response = client.get(url)
        count += 1
        STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            failures.append((url, response.status_code, seen_errors.get("traceback", "")))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in _links(url, response.content.decode(errors="replace")):
            if link in queued or link.startswith(SKIPPED):
                continue
            shape = _shape(link)
            if shapes.get(shape, 0) >= per_shape:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queued.add(link)
            queue.append(link)
    return count


def seeds() -> list[str]:
    """Every URL of the project that takes no argument (path() routes only), so that a page
    no link reaches, or a home page that fails, still leaves the rest crawled."""
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = pattern.pattern
            if not isinstance(route, RoutePattern) or route.converters:
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(route))
            else:
                found.append(prefix + str(route))

    walk(get_resolver().url_patterns, "/")
    return [url for url in dict.fromkeys(found) if not url.startswith(SKIPPED)]


def sqlite_checks() -> list[str]:
    """What the demo must read on SQLite as it does on PostgreSQL, where the pages answer 200
    either way: each difference found, as a sentence. The tests hold the same on PostgreSQL."""
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from budget.models import BudgetLine, BudgetYear, Fund, SpendingKind
    from core.models import User
    from projects.models import Notice
    from resettlement.todo import swap_agreements_to_compute

    found = []
    computed = swap_agreements_to_compute(User.objects.get(username="operations"))
    if computed:
        found.append(
            "resettlement.todo: the query shows settled swap agreements unsettled (each is "
            "computed for the 补充协议 to-do): " + ", ".join(a.number for a in computed)
        )
    drafts = Notice.objects.filter(published_on__isnull=True)
    if drafts.exists() and Notice.objects.first().published_on is not None:
        found.append("projects.Notice: drafts (no date) are not first, as on PostgreSQL")
    balanced = BudgetLine(
        budget_year=BudgetYear.objects.order_by("-year").first(),
        fund=Fund.GENERAL,
        kind=SpendingKind.PROJECT,
        opening=Decimal("0.10"),
        income=Decimal("0.20"),
        expenditure=Decimal("0.00"),
        closing=Decimal("0.30"),
    )
    [check] = [c for c in BudgetLine._meta.constraints if c.name == "budget_line_balances"]
    try:
        check.validate(BudgetLine, balanced)
    except ValidationError:
        found.append("budget.BudgetLine: 0.10 + 0.20 − 0.00 = 0.30 is refused as unbalanced")
    return found


def _prepare(directory: Path) -> Path:
    """Environment of `make run` on a new SQLite file in `directory`: returns the file."""
    database = directory / "db.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["MEDIA_ROOT"] = str(directory / "media")
    return database


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="an existing SQLite file with the demo loaded")
    parser.add_argument("--cap", type=int, default=80, help="pages per user (default 80)")
    parser.add_argument("--per-shape", type=int, default=1, help="pages per URL shape")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    # Nothing shared with the tests beside it: jobs in-process, cache in-process, files on disk.
    for name in (
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "CELERY_TASK_ALWAYS_EAGER",
        "CACHE_URL",
        "STORAGE_URL",
        "SECURE_SSL_REDIRECT",
    ):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "true"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    temporary = None
    if args.db:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.db).resolve()}"
    else:
        temporary = tempfile.TemporaryDirectory(prefix="smoke_sqlite_")
        _prepare(Path(temporary.name))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.signals import got_request_exception
    from django.test import Client
    from django.test.utils import setup_test_environment

    from core.demo import USERS
    from core.models import User

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        parser.error("--db must be a SQLite file")
    started = time.monotonic()
    if temporary is not None:
        settings.MIGRATION_MODULES = {app.label: None for app in django.apps.apps.get_app_configs()}
        # The crawl logs in without passwords: the demo's ten need no slow hash here.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
        call_command("load_demo", with_report=True, verbosity=0, stdout=io.StringIO())
    built = time.monotonic()

    setup_test_environment()
    # Each 5xx is printed below with its traceback; 4xx answers (a page a user may not see,
    # a POST-only URL) are expected and not logged.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("django.security").setLevel(logging.CRITICAL)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    seen_errors: dict = {}

    def record(sender, request=None, **kwargs):
        seen_errors["traceback"] = traceback.format_exc()

    got_request_exception.connect(record)
    failures: list = []
    pages = 0
    staff_urls = ["/", *seeds()]
    client = Client(raise_request_exception=False)
    pages += crawl(
        client,
        [url for url in staff_urls if url.startswith("/public/")],
        cap=args.cap,
        per_shape=args.per_shape,
        failures=failures,
        seen_errors=seen_errors,
    )
    for spec in USERS:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=spec.username))
        before = len(failures)
        pages += crawl(
            client,
            [url for url in staff_urls if not url.startswith("/public/")],
            cap=args.cap,
            per_shape=args.per_shape,
            failures=failures,
            seen_errors=seen_errors,
        )
        for url, status, _ in failures[before:]:
            print(f"{spec.username}: {status} {url}", file=sys.stderr)
    shown = set()
    for url, status, text in failures:
        key = text.strip().splitlines()[-1] if text.strip() else url
        if key in shown:
            continue
        shown.add(key)
        print(f"\n== {status} {url}\n{text}", file=sys.stderr)
    differences = sqlite_checks() if temporary is not None else []
    for difference in differences:
        print(f"differs from PostgreSQL: {difference}", file=sys.stderr)
    print(
        f"smoke_sqlite: {pages} pages ({dict(sorted(STATUSES.items()))}), "
        f"{len(failures)} answered 5xx, {len(differences)} read differently; "
        f"database {built - started:.1f} s, crawl {time.monotonic() - built:.1f} s",
        file=sys.stderr,
    )
    if temporary is not None:
        temporary.cleanup()
    return 1 if failures or differences else 0


if __name__ == "__main__":
    sys.exit(main())
