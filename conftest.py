"""Fixtures shared by the core's and the bundled plugins' tests.

``postgres_url`` gives a fresh database on the real PostgreSQL server at
127.0.0.1:5432 for the whole session; the suite fails (never skips) when
the server cannot be reached, because CI must run those tests.
"""

from __future__ import annotations

import os
import uuid

import psycopg2
import pytest

POSTGRES_ADMIN_DSN = os.environ.get(
    "ALARMHUGGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _admin_connection():
    try:
        connection = psycopg2.connect(POSTGRES_ADMIN_DSN, connect_timeout=5)
    except psycopg2.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_DSN} ({error}); "
            "start it with: pg_ctlcluster --skip-systemctl-redirect "
            "$(ls /etc/postgresql) main start",
            pytrace=False,
        )
    connection.autocommit = True
    return connection


@pytest.fixture(scope="session")
def postgres_server_url():
    """A factory making fresh, empty databases; all dropped at the end."""
    created: list[str] = []
    admin = _admin_connection()

    def make() -> str:
        name = f"alarmhugger_test_{uuid.uuid4().hex[:10]}"
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0]
        return f"{base}/{name}"

    yield make

    with admin.cursor() as cursor:
        for name in created:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def postgres_url(postgres_server_url):
    """The URL of a fresh, empty PostgreSQL database for one test."""
    return postgres_server_url()


@pytest.fixture
def sqlite_url(tmp_path):
    """The URL of a fresh SQLite file for one test."""
    return f"sqlite:///{tmp_path / 'alarms.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, postgres_server_url):
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'alarms.db'}"
    return postgres_server_url()
