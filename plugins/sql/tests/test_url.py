"""Database URLs as operators paste them: accepted, normalised, or refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.kit import ConfigError
from gateway.kit import mask

from alarmhugger_sql._engine import postgres_connect_args
from alarmhugger_sql._settings import read_settings
from alarmhugger_sql._url import parse_database_url

BASE = Path("/srv/alarmhugger")

NEON_POOLED = (
    "postgresql://alex:AbC123dEf@ep-cool-darkness-123456-pooler.us-east-2.aws."
    "neon.tech/dbname?sslmode=require&channel_binding=require"
)


@pytest.mark.parametrize(
    ("raw", "host", "database", "query", "description"),
    [
        (
            "postgres://alice:S3cret!pw@db.example.com:5432/alarms",
            "db.example.com",
            "alarms",
            {},
            "postgresql at db.example.com:5432/alarms (scheme postgres:// normalised)",
        ),
        (
            "postgresql://alice:S3cret!pw@db.example.com/alarms",
            "db.example.com",
            "alarms",
            {},
            "postgresql at db.example.com/alarms",
        ),
        (
            "postgresql+psycopg2://alice:S3cret!pw@db.example.com:6543/alarms",
            "db.example.com",
            "alarms",
            {},
            "postgresql at db.example.com:6543/alarms",
        ),
        (
            NEON_POOLED,
            "ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech",
            "dbname",
            {"sslmode": "require", "channel_binding": "require"},
            "postgresql at ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech"
            "/dbname",
        ),
        (
            "postgresql+asyncpg://app:pw12345@ep-x.eu-central-1.aws.neon.tech/neondb"
            "?ssl=require",
            "ep-x.eu-central-1.aws.neon.tech",
            "neondb",
            {"sslmode": "require"},
            "postgresql at ep-x.eu-central-1.aws.neon.tech/neondb (scheme "
            "postgresql+asyncpg:// normalised; ssl=require read as sslmode=require)",
        ),
        (
            "postgresql+asyncpg://app:pw12345@db.internal/alarms?ssl=true",
            "db.internal",
            "alarms",
            {"sslmode": "require"},
            "postgresql at db.internal/alarms (scheme postgresql+asyncpg:// "
            "normalised; ssl=require read as sslmode=require)",
        ),
    ],
    ids=[
        "postgres-scheme",
        "postgresql-no-port",
        "psycopg2-explicit",
        "neon-pooled-ssl-channel-binding",
        "asyncpg-ssl-require",
        "asyncpg-ssl-true",
    ],
)
def test_parse_url_postgres_forms_normalised_to_psycopg2(
    raw, host, database, query, description
):
    parsed = parse_database_url(raw, BASE)

    assert parsed.url.drivername == "postgresql+psycopg2"
    assert parsed.backend == "postgresql"
    assert parsed.url.host == host
    assert parsed.url.database == database
    assert dict(parsed.url.query) == query
    assert parsed.describe() == description


def test_parse_url_case_16_password_decoded_once_and_never_described():
    """Case 16-postgres-scheme-url: postgres:// works, password intact."""
    parsed = parse_database_url(
        "postgres://alice:S3cret!pw@db.example.com:5432/alarms", BASE
    )

    assert parsed.url.password == "S3cret!pw"
    assert "S3cret" not in parsed.describe()


def test_parse_url_percent_encoded_password_decoded_exactly_once():
    # "p%2540ss%3Aw" is the encoding of "p%40ss:w"; decoding twice would
    # wrongly give "p@ss:w".
    parsed = parse_database_url("postgres://bob:p%2540ss%3Aw@db/alarms", BASE)

    assert parsed.url.password == "p%40ss:w"


def test_parse_url_neon_pooler_recognised():
    assert parse_database_url(NEON_POOLED, BASE).is_pooler
    assert not parse_database_url("postgresql://u@db.example.com/a", BASE).is_pooler


@pytest.mark.parametrize(
    "raw",
    [
        "mysql://root:hunter22secret@db.example.com/alarms",
        "mongodb+srv://root:hunter22secret@cluster0.example.net/alarms",
        "postgresql+pg8000://root:hunter22secret@db.example.com/alarms",
        "just some text",
        "postgresql://root:hunter22secret@db.example.com:port/alarms",
    ],
    ids=["mysql", "mongodb", "unsupported-driver", "not-a-url", "bad-port"],
)
def test_parse_url_unknown_scheme_config_error_masked(raw):
    with pytest.raises(ConfigError) as caught:
        parse_database_url(raw, BASE)

    message = str(caught.value)
    assert message.startswith("[plugin:sql] url = ")
    assert "hunter22secret" not in message
    assert "postgresql://USER:PASSWORD@HOST:5432/DATABASE" in message
    assert "sqlite:///" in message


def test_parse_url_unknown_libpq_parameter_config_error():
    with pytest.raises(ConfigError) as caught:
        parse_database_url("postgresql://u:hunter22secret@db/a?sslmod=require", BASE)

    assert "sslmod" in str(caught.value)
    assert "hunter22secret" not in str(caught.value)


def test_parse_url_asyncpg_bad_ssl_value_config_error():
    with pytest.raises(ConfigError, match="ssl="):
        parse_database_url("postgresql+asyncpg://u@db/a?ssl=sometimes", BASE)


def test_parse_url_repeated_parameter_config_error():
    with pytest.raises(ConfigError, match="sslmode given only once"):
        parse_database_url("postgresql://u@db/a?sslmode=require&sslmode=disable", BASE)


@pytest.mark.parametrize("raw", ["sqlite://", "sqlite:///:memory:"])
def test_parse_url_sqlite_in_memory_refused(raw):
    with pytest.raises(ConfigError, match="in-memory"):
        parse_database_url(raw, BASE)


def test_parse_url_sqlite_relative_path_taken_from_config_folder():
    parsed = parse_database_url("sqlite:///data/alarms.db", BASE)

    assert parsed.backend == "sqlite"
    assert parsed.location == str(BASE / "data" / "alarms.db")
    assert parsed.describe() == f"sqlite at {BASE / 'data' / 'alarms.db'}"


def test_parse_url_sqlite_absolute_path_kept():
    parsed = parse_database_url("sqlite:////var/lib/alarms.db", BASE)

    assert parsed.location == "/var/lib/alarms.db"


def test_connect_args_statement_timeout_and_timeout_sent(make_config):
    settings = read_settings(
        make_config("postgres://u:pw12345@db.example.com/alarms", connect_timeout=7)
    )

    url, connect_args = postgres_connect_args(settings)

    assert connect_args["connect_timeout"] == 7
    assert connect_args["options"] == "-c statement_timeout=5000"
    assert connect_args["application_name"] == "alarmhugger"


def test_connect_args_neon_pooler_no_startup_options(make_config):
    settings = read_settings(make_config(NEON_POOLED))

    url, connect_args = postgres_connect_args(settings)

    # PgBouncer in transaction mode does not accept startup options.
    assert "options" not in connect_args
    assert dict(url.query) == {"sslmode": "require", "channel_binding": "require"}


def test_connect_args_url_options_merged_and_url_parameters_win(make_config):
    settings = read_settings(
        make_config(
            "postgresql://u@db/a?options=-c%20search_path%3Dalarms&connect_timeout=9"
        )
    )

    url, connect_args = postgres_connect_args(settings)

    assert connect_args["options"] == "-c search_path=alarms -c statement_timeout=5000"
    assert "options" not in url.query
    assert url.query["connect_timeout"] == "9"
    assert "connect_timeout" not in connect_args


def test_read_settings_password_registered_for_masking(make_config):
    read_settings(make_config("postgres://alice:Zq9-unique-pw@db.example.com/alarms"))

    assert "Zq9-unique-pw" not in mask("connecting with Zq9-unique-pw failed")
