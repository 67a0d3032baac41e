"""A migrated template database, so that a test run does not apply every migration again.

Applying the project's migrations to an empty database costs about 45 s of CPU (Django renders
the model states again and again); copying a migrated database with PostgreSQL's
`CREATE DATABASE … TEMPLATE` costs a second or two. The template is named after the test
database and a digest of every migration file and of the project modules those files import
(their contents, and their module names or paths relative to the project root, so every checkout
shares one template), so a changed or added migration builds a new template (once) and older
ones are dropped. When migrations were only added, the new template starts as a copy of the
previous one and `migrate` applies the new ones alone, as on a deployed database (each template
records the files it was built from); anything else builds it from an empty database.
It is built by `manage.py migrate` in a child process pointed at it, so nothing can reach the
development database, and renamed into place only when complete.
"""

import ast
import contextlib
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.db import DatabaseError

BASE_DIR = Path(__file__).resolve().parent.parent
MAX_NAME = 63  # PostgreSQL's identifier limit


def migrations_digest() -> str:
    """12 hex characters over the migration files and the project modules they import."""
    return _digest(migration_files())


def migration_files() -> dict[str, str]:
    """Each migration file and each project module a migration imports, with a digest of its
    contents. A file is named by its module (migrations, some of them installed packages') or
    by its path relative to the project root, never by its absolute path: every checkout of the
    same migrations (the working copy, a fresh clone, a helper's worktree) then names the same
    template and reuses it, instead of building its own and dropping the other's."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    files = {}
    for migration in loader.disk_migrations.values():
        path = Path(sys.modules[migration.__module__].__file__)
        files[migration.__module__] = path
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                files |= _project_files(node.module)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    files |= _project_files(alias.name)
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}


def _digest(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name, contents in sorted(files.items()):
        digest.update(f"{name}\0{contents}\0".encode())
    return digest.hexdigest()[:12]


@contextlib.contextmanager
def _build_lock(cursor, prefix: str):
    """One builder at a time per template name (parallel workers or runs): the others wait for
    the lock and then find the template built."""
    key = int(hashlib.sha256(prefix.encode()).hexdigest()[:15], 16)
    cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _project_files(module: str) -> dict[str, Path]:
    base = BASE_DIR.joinpath(*module.split("."))
    paths = (base.with_suffix(".py"), base / "__init__.py")
    return {path.relative_to(BASE_DIR).as_posix(): path for path in paths if path.is_file()}


def _create_from_earlier(cursor, building: str, existing: dict, files: dict[str, str]) -> None:
    """Create the database to build in: a copy of an earlier template when one was built from
    files that are all still here unchanged (only migrations were added since, and perhaps
    project modules they import), so that `migrate` applies just the new migrations, as it
    does on a deployed database; otherwise an empty database, migrated from the start.

    A migration edited, removed or squashed, a project module a migration imports edited, or an
    installed package's migration changed: the earlier template is not used."""
    earlier = []
    for name, comment in existing.items():
        try:
            built_from = json.loads(comment or "")
        except ValueError:
            continue
        if isinstance(built_from, dict) and built_from.items() <= files.items():
            earlier.append((len(built_from), name))
    for _size, name in sorted(earlier, reverse=True):
        try:
            cursor.execute(f'CREATE DATABASE "{building}" TEMPLATE "{name}"')
        except DatabaseError:  # another run is copying it: start from nothing instead
            continue
        return
    cursor.execute(f'CREATE DATABASE "{building}"')


def use_migrated_template(connection) -> str | None:
    """Make sure the template exists and point the test database's creation at it.

    Returns the template's name, or None when the database is not PostgreSQL or
    DATABASE_URL is not set (then Django migrates the test database itself)."""
    url = os.environ.get("DATABASE_URL", "")
    if connection.vendor != "postgresql" or not url.startswith("postgres"):
        return None
    settings_dict = connection.settings_dict
    test_name = settings_dict["TEST"].get("NAME") or "test_" + settings_dict["NAME"]
    # pytest-xdist's workers (test_x_gw0, test_x_gw1, …) share one template.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        test_name = test_name.removesuffix(f"_{worker}")
    files = migration_files()
    digest = _digest(files)
    prefix = f"{test_name}_tmpl_"[: MAX_NAME - len(digest)]
    name = prefix + digest
    with connection._nodb_cursor() as cursor, _build_lock(cursor, prefix):
        cursor.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE left(datname, %s) = %s",
            [len(prefix), prefix],
        )
        existing = dict(cursor.fetchall())
        if name not in existing:
            building = f"{test_name}_tmpb_"[: MAX_NAME - len(digest)] + digest
            cursor.execute(f'DROP DATABASE IF EXISTS "{building}"')
            _create_from_earlier(cursor, building, existing, files)
            child_url = urlsplit(url)._replace(path="/" + building).geturl()
            subprocess.run(  # noqa: S603 (our own manage.py with our own interpreter)
                [sys.executable, str(BASE_DIR / "manage.py"), "migrate", "-v0"],
                env={**os.environ, "DATABASE_URL": child_url},
                cwd=BASE_DIR,
                check=True,
            )
            # What it was built from, so that the next template can start from this one.
            cursor.execute(f'COMMENT ON DATABASE "{building}" IS %s', [json.dumps(files)])
            cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        for old in set(existing) - {name}:
            with contextlib.suppress(DatabaseError):  # another run may still be copying it
                cursor.execute(f'DROP DATABASE IF EXISTS "{old}"')
    settings_dict["TEST"]["TEMPLATE"] = name
    return name


if __name__ == "__main__":
    # scripts/test starts this in the background before it lints, so the template is being built
    # while ruff and the migrations check run; the test processes then find it ready (or wait on
    # the same advisory lock until it is).
    import django

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    use_migrated_template(connection)
