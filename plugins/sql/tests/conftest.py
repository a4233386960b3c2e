"""Fixtures for the SQL storage plugin's tests.

The database fixtures themselves (``database_url``, ``postgres_url``,
``sqlite_url``) come from the repository's root ``conftest.py``.

- ``make_config``: a :class:`GatewayConfig` with a ``[plugin:sql]`` section.
- ``start_storage``: a configured and started :class:`SqlStorage` on a URL;
  every one started is shut down after the test.
- ``shared_storage``: one started storage per test module and backend, for
  tests that need no empty database (they tell their alarms apart by id or
  by ``source``). Every PostgreSQL database costs a ``DROP DATABASE`` with
  its checkpoint at the end of the session, so sharing keeps the run short.
- ``make_alarm``: an :class:`Alarm` with plausible values, any overridable.
- ``log_records``: every loguru record emitted during the test.
- ``count_rows``, ``delivery_rows``, ``alarm_row``: what the tables hold,
  read past the hooks (claims, ``last_seen_at``).
- ``unique_name``: a fresh notifier or route name, so tests sharing one
  database do not see each other's deliveries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from loguru import logger
from sqlalchemy import func
from sqlalchemy import select

from gateway.kit import Alarm
from gateway.kit import GatewayConfig

from alarmhugger_sql import SqlStorage
from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._schema import DELIVERIES

UTC = dt.timezone.utc


def build_config(folder, url=None, **settings):
    """Return a gateway configuration rooted in ``folder``."""
    plugin = {key: str(value) for key, value in settings.items()}
    if url is not None:
        plugin["url"] = url
    sections = {
        "gateway": {"threads": "8", "data_dir": str(folder / "data")},
        "plugin:sql": plugin,
    }
    return GatewayConfig(sections, path=folder / "gateway.ini")


def start(config):
    """Configure and start a fresh :class:`SqlStorage`."""
    storage = SqlStorage()
    storage.gateway_configure(config)
    storage.gateway_startup(config)
    return storage


@pytest.fixture
def make_config(tmp_path):
    def make(url=None, **settings):
        return build_config(tmp_path, url, **settings)

    return make


@pytest.fixture
def start_storage(make_config):
    started = []

    def start_one(url, **settings):
        storage = SqlStorage()
        started.append(storage)
        config = make_config(url, **settings)
        storage.gateway_configure(config)
        storage.gateway_startup(config)
        return storage

    yield start_one
    for storage in started:
        storage.gateway_shutdown()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_storage(request, tmp_path_factory, postgres_server_url):
    folder = tmp_path_factory.mktemp("shared")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'alarms.db'}"
    else:
        url = postgres_server_url()

    storage = start(build_config(folder, url))
    yield storage
    storage.gateway_shutdown()


@pytest.fixture(scope="session")
def make_alarm():
    clock = iter(range(1_000_000))

    def make(**overrides):
        # Each alarm a millisecond after the previous one, unless told.
        tick = next(clock)
        values = {
            "id": str(uuid.uuid4()),
            "received_at": dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
            + dt.timedelta(milliseconds=tick),
            "source": "default",
            "client_ip": "52.89.214.238",
            "content_type": "application/json",
            "raw": '{"ticker":"BTCUSDT","action":"buy","price":64250.5}',
            "parser": "tradingview",
            "format": "json",
            "ticker": "BTCUSDT",
            "exchange": "BINANCE",
            "interval": "15",
            "action": "buy",
            "price": Decimal("64250.5"),
            "message": f"alarm {tick}",
        }
        values.update(overrides)
        return Alarm(**values)

    return make


@pytest.fixture
def log_records():
    records = []
    handler_id = logger.add(
        lambda message: records.append(message.record),
        level="DEBUG",
        format="{message}",
    )
    yield records
    logger.remove(handler_id)


def count_alarms(storage, source=None):
    """Count the rows of the ``alarms`` table behind ``storage``."""
    statement = select(func.count()).select_from(ALARMS)
    if source is not None:
        statement = statement.where(ALARMS.c.source == source)
    with storage.database.engine.connect() as connection:
        return connection.execute(statement).scalar_one()


@pytest.fixture
def count_rows():
    return count_alarms


def read_deliveries(storage, alarm_id=None, notifier=None):
    """Return the ``deliveries`` rows behind ``storage``, claim columns too."""
    statement = select(DELIVERIES).order_by(DELIVERIES.c.id)
    if alarm_id is not None:
        statement = statement.where(DELIVERIES.c.alarm_id == alarm_id)
    if notifier is not None:
        statement = statement.where(DELIVERIES.c.notifier == notifier)
    with storage.database.engine.connect() as connection:
        return list(connection.execute(statement))


@pytest.fixture
def delivery_rows():
    return read_deliveries


def read_alarm_row(storage, alarm_id):
    """Return the ``alarms`` row of ``alarm_id``, columns ``Alarm`` lacks too."""
    statement = select(ALARMS).where(ALARMS.c.id == alarm_id)
    with storage.database.engine.connect() as connection:
        return connection.execute(statement).one()


@pytest.fixture
def alarm_row():
    return read_alarm_row


@pytest.fixture
def unique_name():
    def make(prefix="chat"):
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    return make
