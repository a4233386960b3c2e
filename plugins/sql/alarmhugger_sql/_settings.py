"""The ``[plugin:sql]`` section of ``gateway.ini``, read and checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gateway.kit import ConfigError
from gateway.kit import register_secret
from gateway.kit import register_secret_in_url

from alarmhugger_sql._url import SECTION
from alarmhugger_sql._url import DatabaseUrl
from alarmhugger_sql._url import parse_database_url

if TYPE_CHECKING:
    from gateway.kit import GatewayConfig

DEFAULT_DATABASE_FILE = "alarmhugger.db"

# Connections beyond the request threads: dispatcher, health, CLI.
EXTRA_CONNECTIONS = 4

SQLITE_SYNCHRONOUS = ("full", "normal")


@dataclass(frozen=True)
class SqlSettings:
    """Everything the SQL storage needs to know, already validated.

    :param database: the normalised database URL.
    :param auto_upgrade: run migrations at start-up.
    :param pool_size: connections kept open.
    :param connect_timeout: seconds to wait for a connection.
    :param statement_timeout_ms: PostgreSQL's limit per statement; 0 is none.
    :param echo: log every SQL statement (debugging only).
    :param sqlite_synchronous: SQLite's ``PRAGMA synchronous``.
    """

    database: DatabaseUrl
    auto_upgrade: bool = True
    pool_size: int = 12
    connect_timeout: int = 3
    statement_timeout_ms: int = 5000
    echo: bool = False
    sqlite_synchronous: str = "full"


def read_settings(config: GatewayConfig) -> SqlSettings:
    """Read ``[plugin:sql]`` from ``config``; connects to nothing.

    :raises ConfigError: naming the key, the (masked) value and what was
        expected.
    """
    default_url = f"sqlite:///{config.data_dir / DEFAULT_DATABASE_FILE}"
    raw_url = config.get(SECTION, "url", default_url) or default_url

    # Mask the password as written and as decoded, before anything logs.
    register_secret_in_url(raw_url)
    database = parse_database_url(raw_url, config.base_dir)
    if database.url.password:
        register_secret(str(database.url.password))

    return SqlSettings(
        database=database,
        auto_upgrade=config.get_bool(SECTION, "auto_upgrade", True),
        pool_size=config.get_int(
            SECTION,
            "pool_size",
            config.threads + EXTRA_CONNECTIONS,
            minimum=1,
            maximum=512,
        ),
        connect_timeout=config.get_int(
            SECTION, "connect_timeout", 3, minimum=1, maximum=300
        ),
        statement_timeout_ms=config.get_int(
            SECTION, "statement_timeout_ms", 5000, minimum=0, maximum=3_600_000
        ),
        echo=config.get_bool(SECTION, "echo", False),
        sqlite_synchronous=_sqlite_synchronous(config),
    )


def _sqlite_synchronous(config: GatewayConfig) -> str:
    value = (config.get(SECTION, "sqlite_synchronous", "full") or "full").lower()
    if value not in SQLITE_SYNCHRONOUS:
        raise ConfigError(
            SECTION,
            "sqlite_synchronous",
            value,
            "full (survives power loss) or normal (survives a process kill)",
        )
    return value
