"""Reading the database URL an operator pasted into one SQLAlchemy can use.

Hosting services hand out URLs in several spellings (``postgres://`` from
Heroku, Render and Neon, ``postgresql+asyncpg://`` from async examples).
All PostgreSQL forms become ``postgresql+psycopg2://`` with their libpq
parameters kept; SQLite URLs get an absolute file path. Nothing here
connects to anything, so ``gateway check-config`` works offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import psycopg2.extensions
from sqlalchemy.engine import URL
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from gateway.kit import ConfigError
from gateway.kit import mask

SECTION = "plugin:sql"
KEY = "url"

POSTGRES_DRIVER = "postgresql+psycopg2"
SQLITE_DRIVER = "sqlite+pysqlite"

EXPECTED_FORMS = (
    "postgresql://USER:PASSWORD@HOST:5432/DATABASE (postgres://, "
    "postgresql+psycopg2:// and postgresql+asyncpg:// also work) or "
    "sqlite:///PATH/TO/alarmhugger.db"
)

_POSTGRES_SCHEMES = {
    "postgres",
    "postgresql",
    "postgresql+psycopg2",
    "postgresql+psycopg",
    "postgresql+asyncpg",
}
_SQLITE_SCHEMES = {"sqlite", "sqlite+pysqlite"}

# asyncpg spells libpq's sslmode as ssl, and also accepts booleans.
_ASYNCPG_SSL = {
    "true": "require",
    "1": "require",
    "yes": "require",
    "on": "require",
    "false": "disable",
    "0": "disable",
    "no": "disable",
    "off": "disable",
}
_SSLMODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


@dataclass(frozen=True)
class DatabaseUrl:
    """A checked database URL and how to describe it without its password.

    :param url: the URL to hand to SQLAlchemy, password included.
    :param backend: ``postgresql`` or ``sqlite``.
    :param location: where the data lives, for logs and errors:
        ``host:port/database`` or the SQLite file's path.
    :param notes: what was changed from the URL as written.
    """

    url: URL
    backend: str
    location: str
    notes: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        """The server's host name (``localhost`` for a socket or a file)."""
        return self.url.host or "localhost"

    @property
    def is_pooler(self) -> bool:
        """Whether the host is a PgBouncer-style pooler (Neon ``-pooler``)."""
        return self.backend == "postgresql" and "-pooler" in self.host

    def describe(self) -> str:
        """Say which database this is, safe to log."""
        text = f"{self.backend} at {self.location}"
        if self.notes:
            text += f" ({'; '.join(self.notes)})"
        return text


def parse_database_url(raw: str, base_dir: Path) -> DatabaseUrl:
    """Check and normalise a database URL from ``[plugin:sql] url``.

    :param raw: the URL as the operator wrote it.
    :param base_dir: the folder relative SQLite paths are taken from.
    :raises ConfigError: for an unknown scheme, an unreadable URL, an
        in-memory SQLite database or a parameter libpq does not know.
    """
    text = raw.strip()
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as error:
        raise ConfigError(SECTION, KEY, mask(text), EXPECTED_FORMS) from error

    scheme = url.drivername.lower()
    if scheme in _POSTGRES_SCHEMES:
        return _postgres_url(url, scheme)
    if scheme in _SQLITE_SCHEMES:
        return _sqlite_url(url, base_dir)
    raise ConfigError(SECTION, KEY, _shown(url), EXPECTED_FORMS)


def _postgres_url(url: URL, scheme: str) -> DatabaseUrl:
    notes: list[str] = []
    if scheme not in {"postgresql", POSTGRES_DRIVER}:
        notes.append(f"scheme {scheme}:// normalised")

    query = dict(url.query)
    for name, value in query.items():
        if not isinstance(value, str):
            raise ConfigError(
                SECTION, KEY, _shown(url), f"the parameter {name} given only once"
            )

    if "ssl" in query:
        sslmode = _asyncpg_sslmode(url, str(query.pop("ssl")))
        if "sslmode" not in query:
            query["sslmode"] = sslmode
            notes.append(f"ssl={sslmode} read as sslmode={sslmode}")

    _check_libpq_parameters(url, query)
    normalised = url.set(drivername=POSTGRES_DRIVER, query=query)

    location = normalised.host or "localhost"
    if normalised.port:
        location += f":{normalised.port}"
    location += f"/{normalised.database or ''}"
    return DatabaseUrl(normalised, "postgresql", location, tuple(notes))


def _asyncpg_sslmode(url: URL, value: str) -> str:
    lowered = value.lower()
    sslmode = _ASYNCPG_SSL.get(lowered, lowered)
    if sslmode not in _SSLMODES:
        raise ConfigError(
            SECTION,
            KEY,
            _shown(url),
            f"ssl= one of {', '.join(sorted(_SSLMODES))}, true or false",
        )
    return sslmode


def _check_libpq_parameters(url: URL, query: Mapping[str, object]) -> None:
    # libpq refuses unknown keywords only when connecting; ask it now.
    if not query:
        return
    try:
        psycopg2.extensions.parse_dsn(
            psycopg2.extensions.make_dsn(**{k: str(v) for k, v in query.items()})
        )
    except psycopg2.ProgrammingError as error:
        raise ConfigError(
            SECTION,
            KEY,
            _shown(url),
            "only libpq connection parameters after '?', such as "
            f"sslmode=require or channel_binding=require ({error})",
        ) from None


def _sqlite_url(url: URL, base_dir: Path) -> DatabaseUrl:
    database = url.database or ""
    if database in {"", ":memory:"} or url.query.get("mode") == "memory":
        raise ConfigError(
            SECTION,
            KEY,
            _shown(url),
            "a SQLite file such as sqlite:///data/alarmhugger.db; an in-memory "
            "database would lose acknowledged alarms on restart",
        )

    path = Path(database).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    normalised = url.set(drivername=SQLITE_DRIVER, database=str(path))
    return DatabaseUrl(normalised, "sqlite", str(path))


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)
