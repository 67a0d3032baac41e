"""The database a bench script writes into: its own, named by DATABASE_URL."""

import os


def ensure_database() -> None:
    """Create the database DATABASE_URL names when it does not exist yet (PostgreSQL, through
    the maintenance connection Django's test runner uses); other databases must exist."""
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError:
        if connection.vendor != "postgresql":
            raise
        name = connection.settings_dict["NAME"]
        # The maintenance connection Django's test runner uses to create test databases.
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")


def prepare(doc: str) -> bool:
    """Set Django up on the bench's own database: created when missing, migrated, its name
    printed. Returns False, having printed `doc` (the script's usage) and why, when
    DATABASE_URL is not set: the bench would otherwise write into the development database."""
    if not os.environ.get("DATABASE_URL"):
        print(doc)
        print("DATABASE_URL is not set: refusing to write into the development database.")
        return False

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    ensure_database()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    return True
