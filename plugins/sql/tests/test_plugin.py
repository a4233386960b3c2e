"""The plugin as the core sees it: hooks, exports, packaging, settings, logs."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
from pathlib import Path

import pluggy
import pytest

from gateway import hookspecs
from gateway.kit import ConfigError

import alarmhugger_sql
from alarmhugger_sql import SqlStorage
from alarmhugger_sql._settings import read_settings

CASE_16_URL = "postgres://alice:S3cret!pw@db.example.com:5432/alarms"


def test_package_exports_only_the_plugin():
    assert alarmhugger_sql.__all__ == ["SqlStorage"]
    assert all(hasattr(alarmhugger_sql, name) for name in alarmhugger_sql.__all__)


def test_package_entry_point_names_the_plugin():
    entry_points = importlib.metadata.entry_points(group="alarmhugger.plugins")

    (sql,) = [entry for entry in entry_points if entry.name == "sql"]
    assert sql.load() is SqlStorage


def test_package_data_covers_every_migration_file():
    # setup.py's package_data patterns must ship what Alembic needs.
    package = Path(str(importlib.resources.files("alarmhugger_sql")))
    shipped = {
        path.relative_to(package).as_posix()
        for pattern in (
            "migrations/*.py",
            "migrations/*.mako",
            "migrations/versions/*.py",
        )
        for path in package.glob(pattern)
    }
    present = {
        path.relative_to(package).as_posix()
        for path in (package / "migrations").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }

    assert present == shipped
    assert "migrations/versions/0001_initial.py" in shipped
    assert "migrations/versions/0002_deliveries_and_dedup.py" in shipped


def test_hooks_match_the_core_specs():
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)

    manager.register(SqlStorage(), name="sql")

    manager.check_pending()
    implemented = {name for name in dir(SqlStorage) if name.startswith("gateway_")}
    assert implemented == {
        "gateway_configure",
        "gateway_startup",
        "gateway_shutdown",
        "gateway_store_alarm",
        "gateway_query_alarms",
        "gateway_get_alarm",
        "gateway_claim_deliveries",
        "gateway_finish_delivery",
        "gateway_release_deliveries",
        "gateway_query_deliveries",
        "gateway_requeue_deliveries",
        "gateway_delivery_backlog",
        "gateway_prune_alarms",
        "gateway_upgrade_storage",
        "gateway_check_health",
    }


def test_configure_case_16_logs_normalised_scheme_without_password(
    make_config, log_records
):
    """Case 16-postgres-scheme-url: accepted, logged once, password masked."""
    storage = SqlStorage()

    storage.gateway_configure(make_config(CASE_16_URL))

    assert storage.settings.database.url.drivername == "postgresql+psycopg2"
    assert storage.settings.database.url.password == "S3cret!pw"
    infos = [r["message"] for r in log_records if r["level"].name == "INFO"]
    assert infos == [
        "storage: postgresql at db.example.com:5432/alarms "
        "(scheme postgres:// normalised)"
    ]
    assert all("S3cret" not in r["message"] for r in log_records)


def test_configure_case_16_postgres_scheme_stores_in_postgresql(
    postgres_url, start_storage, make_alarm
):
    """Case 16-postgres-scheme-url: the alarm lands in PostgreSQL."""
    url = postgres_url.replace(
        "postgresql://postgres@", "postgres://postgres:S3cret!pw@"
    )
    storage = start_storage(url)

    storage.gateway_store_alarm(alarm := make_alarm(), [])

    assert storage.settings.database.backend == "postgresql"
    assert storage.gateway_get_alarm(alarm.id) == alarm


def test_configure_bad_scheme_config_error_names_setting(make_config):
    storage = SqlStorage()

    with pytest.raises(ConfigError) as caught:
        storage.gateway_configure(make_config("mysql://root:hunter22secret@db/alarms"))

    assert caught.value.section == "plugin:sql"
    assert caught.value.key == "url"
    assert caught.value.value == "mysql://root:***@db/alarms"


def test_settings_defaults(make_config, tmp_path):
    settings = read_settings(make_config())

    assert settings.database.backend == "sqlite"
    assert settings.database.location == str(tmp_path / "data" / "alarmhugger.db")
    assert settings.auto_upgrade is True
    assert settings.pool_size == 8 + 4
    assert settings.connect_timeout == 3
    assert settings.statement_timeout_ms == 5000
    assert settings.echo is False
    assert settings.sqlite_synchronous == "full"


def test_settings_explicit_values_read(make_config):
    settings = read_settings(
        make_config(
            auto_upgrade="no",
            pool_size="20",
            connect_timeout="10",
            statement_timeout_ms="0",
            echo="on",
            sqlite_synchronous="NORMAL",
        )
    )

    assert settings.auto_upgrade is False
    assert settings.pool_size == 20
    assert settings.connect_timeout == 10
    assert settings.statement_timeout_ms == 0
    assert settings.echo is True
    assert settings.sqlite_synchronous == "normal"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("auto_upgrade", "maybe"),
        ("pool_size", "0"),
        ("connect_timeout", "three"),
        ("statement_timeout_ms", "-1"),
        ("echo", "loud"),
        ("sqlite_synchronous", "off"),
    ],
)
def test_settings_bad_value_config_error_names_key(make_config, key, value):
    with pytest.raises(ConfigError) as caught:
        read_settings(make_config(**{key: value}))

    assert caught.value.section == "plugin:sql"
    assert caught.value.key == key
