"""The database a bench script writes into: its own, named by DATABASE_URL."""


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
