"""``gateway new-plugin``: write a ready plugin package to start from.

The package installs with ``pip install -e``, registers under the
``alarmhugger.plugins`` entry point, imports only :mod:`gateway.kit`, and
ships a test that uses nothing but the fixtures of the core's pytest plugin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

KINDS = ("parser", "notifier", "screen", "storage")

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class PluginNames:
    """How one plugin is named in each place it appears."""

    name: str
    kind: str

    @property
    def distribution(self) -> str:
        """The distribution name, e.g. ``alarmhugger-uptime``."""
        return "alarmhugger-" + self.name.replace("_", "-")

    @property
    def package(self) -> str:
        """The import package, e.g. ``alarmhugger_uptime``."""
        return "alarmhugger_" + self.name

    @property
    def plugin_class(self) -> str:
        """The class the entry point names, e.g. ``UptimeParser``."""
        camel = "".join(part.capitalize() for part in self.name.split("_"))
        suffix = {"parser": "Parser", "notifier": "Plugin", "screen": "Screen"}
        return camel + suffix.get(self.kind, "Storage")

    @property
    def camel(self) -> str:
        """The name in CamelCase, e.g. ``Uptime``."""
        return "".join(part.capitalize() for part in self.name.split("_"))

    def substitutions(self) -> dict[str, str]:
        """The ``$placeholders`` the templates use."""
        return {
            "name": self.name,
            "kind": self.kind,
            "dist": self.distribution,
            "package": self.package,
            "Class": self.plugin_class,
            "Camel": self.camel,
        }


def check_name(name: str) -> str | None:
    """Return why ``name`` cannot name a plugin, or ``None`` when it can."""
    if not _NAME.match(name):
        return (
            "a plugin name is 1 to 40 lower-case letters, digits or '_', "
            "starting with a letter, e.g. uptime or my_sender"
        )
    return None


def write_plugin(folder: Path, name: str, kind: str) -> Path:
    """Write the package of a new ``kind`` plugin called ``name`` into ``folder``.

    :returns: the package's folder, ``folder/alarmhugger-<name>``.
    :raises ValueError: for a bad name or kind.
    :raises FileExistsError: when the package folder already exists.
    """
    problem = check_name(name)
    if problem:
        raise ValueError(problem)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")

    names = PluginNames(name, kind)
    root = folder / names.distribution
    if root.exists():
        raise FileExistsError(root)

    files = {
        "setup.py": SETUP,
        "README.md": README_HEAD + READMES[kind] + README_TAIL,
        f"{names.package}/__init__.py": INIT,
        f"{names.package}/_plugin.py": MODULES[kind],
        f"tests/test_{name}.py": TESTS[kind],
    }
    values = names.substitutions()
    for relative, template in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(template).substitute(values), encoding="utf-8")
    return root


# --------------------------------------------------------------------------
# Files every kind shares
# --------------------------------------------------------------------------

SETUP = '''\
"""The $dist distribution: an AlarmHugger $kind plugin."""

from setuptools import find_packages
from setuptools import setup

setup(
    name="$dist",
    version="0.1.0",
    description="AlarmHugger $kind plugin $name",
    python_requires=">=3.11",
    packages=find_packages(include=["$package", "$package.*"]),
    install_requires=["alarmhugger"],
    entry_points={
        "alarmhugger.plugins": [
            "$name = $package:$Class",
        ],
    },
)
'''

INIT = '''\
"""The $name $kind plugin for AlarmHugger.

The gateway finds :class:`$Class` through the ``alarmhugger.plugins`` entry
point ``$name``; what it does and its settings are in the README.
"""

from __future__ import annotations

from $package._plugin import $Class

__all__ = ["$Class"]
'''

README_HEAD = """\
# $dist

An AlarmHugger $kind plugin, started with `gateway new-plugin $name --kind $kind`.

"""

README_TAIL = """
## Install, enable, check

```bash
pip install -e .                 # into the gateway's environment
gateway plugins                  # lists $name, installed
```

Then add `$name` to `[gateway] plugins` in `gateway.ini` and run
`gateway check-config`: it loads `[plugin:$name]` with the settings schema
and names any key it refuses. `gateway plugins` now shows `$name` enabled,
with its hooks.

## Test

```bash
python -m pytest tests
```

The tests use only the fixtures of AlarmHugger's pytest plugin
(`make_app`, `memory_storage`, `recording_notifier`, `configure_notifier`,
`start_gateway`...), which pytest loads by itself once `alarmhugger` is
installed. The hook reference is `docs/plugins.md` in the AlarmHugger
repository.
"""

# --------------------------------------------------------------------------
# parser
# --------------------------------------------------------------------------

PARSER_README = """\
## What it does

It claims JSON bodies whose `sender` is `"$name"`, for example

```json
{"sender": "$name", "symbol": "DB1", "event": "down", "message": "db1 is down"}
```

and stores them with `parser = "$name"`: `symbol` becomes the alarm's
`ticker`, `event` its `action`, `message` its message, and every key lands
in `fields`. Any other body is left to the next parser. The parser is
registered with `tryfirst=True`, so it is asked before the bundled
TradingView parser (which would claim every JSON body) wherever it is
listed in `[gateway] plugins`.

## Settings: `[plugin:$name]`

| key | default | meaning |
| --- | --- | --- |
| `routes` | (any) | comma-separated webhook routes to read; other routes are left alone |
"""

PARSER_MODULE = '''\
"""The $name parser: turns $name webhook bodies into alarms."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from marshmallow import Schema

from gateway.kit import CommaList
from gateway.kit import InboundRequest
from gateway.kit import ParsedAlarm
from gateway.kit import hookimpl


class ${Camel}Settings(Schema):
    """The keys of ``[plugin:$name]``."""

    routes = CommaList(
        load_default=list,
        metadata={"expected": "route names, e.g. default, $name"},
    )


class $Class:
    """Claims JSON bodies whose ``sender`` is ``"$name"``; leaves the rest."""

    # The versions of the gateway's hook API this plugin was written for.
    hook_api_versions = (1,)

    def __init__(self) -> None:
        self.routes: list[str] = []

    @hookimpl
    def gateway_settings_schema(self) -> type[Schema]:
        """Declare the keys of ``[plugin:$name]``."""
        return ${Camel}Settings

    @hookimpl
    def gateway_configure(self, settings: dict[str, Any]) -> None:
        """Keep the checked settings."""
        self.routes = settings["routes"]

    # tryfirst: asked before the bundled TradingView parser, which claims
    # any JSON body.
    @hookimpl(tryfirst=True)
    def gateway_parse_alarm(self, request: InboundRequest) -> ParsedAlarm | None:
        """Claim a ``$name`` body; ``None`` leaves it to the next parser."""
        if self.routes and request.route not in self.routes:
            return None
        try:
            body = json.loads(
                request.text or "", parse_float=Decimal, parse_constant=_refuse
            )
        except ValueError:
            return None
        if not isinstance(body, dict) or body.get("sender") != "$name":
            return None

        return ParsedAlarm(
            parser="$name",
            format="json",
            ticker=_text(body.get("symbol")),
            action=_text(body.get("event")),
            message=_text(body.get("message")),
            fields=body,
        )


def _refuse(constant: str) -> Any:
    # NaN and Infinity are not JSON; the bundled parsers know what to do.
    raise ValueError(constant)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
'''

PARSER_TEST = '''\
"""The $name parser in a real in-process gateway (AlarmHugger's pytest plugin)."""

from __future__ import annotations

import pytest

from gateway.kit import ConfigError

from $package import $Class


@pytest.fixture
def client(make_app, memory_storage):
    app = make_app(
        {"gateway": {"plugins": "$name, memory"}},
        plugins={"$name": $Class(), "memory": memory_storage},
    )
    return app.test_client()


def test_parse_alarm_own_body_is_claimed(client, memory_storage):
    body = {"sender": "$name", "symbol": "DB1", "event": "down", "message": "db1 is down"}

    response = client.post("/alarms/webhook", json=body)

    assert response.status_code == 200
    [alarm] = memory_storage.alarms
    assert (alarm.parser, alarm.ticker, alarm.action) == ("$name", "DB1", "down")
    assert alarm.message == "db1 is down"


def test_parse_alarm_other_body_is_left_to_the_next_parser(client, memory_storage):
    response = client.post(
        "/alarms/webhook", data="BTCUSDT crossed 70000", content_type="text/plain"
    )

    assert response.status_code == 200
    assert memory_storage.alarms[0].parser == "raw"


def test_settings_unknown_key_is_refused(make_app, memory_storage):
    with pytest.raises(ConfigError, match=r"\\[plugin:$name\\] rutes"):
        make_app(
            {"gateway": {"plugins": "$name, memory"}, "plugin:$name": {"rutes": "x"}},
            plugins={"$name": $Class(), "memory": memory_storage},
        )
'''

# --------------------------------------------------------------------------
# notifier
# --------------------------------------------------------------------------

NOTIFIER_README = """\
## What it does

It appends every stored alarm, as one line of JSON, to a file: a working
notifier to turn into one that calls your service. The gateway calls
`send` from its delivery threads, retries failures with back-off and
records each delivery; `send` only has to deliver one alarm and say how
it went (`SendResult`).

## Settings: `[plugin:$name]`

| key | default | meaning |
| --- | --- | --- |
| `path` | `$name-alarms.jsonl` | the file to append to (relative to `gateway.ini`'s folder) |
| `sources`, `tickers`, `actions`, `where` | (all) | which alarms to pass on, as for the bundled notifiers |
"""

NOTIFIER_MODULE = '''\
"""The $name notifier: appends every alarm to a file as one JSON line."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from marshmallow import Schema
from marshmallow import fields

from gateway.kit import Alarm
from gateway.kit import AlarmFilter
from gateway.kit import GatewayConfig
from gateway.kit import Notifier
from gateway.kit import SendResult
from gateway.kit import alarm_to_json
from gateway.kit import hookimpl

SECTION = "plugin:$name"
ROUTING_KEYS = ("sources", "tickers", "actions", "where")


class ${Camel}Settings(Schema):
    """The keys of ``[plugin:$name]``."""

    path = fields.String(
        load_default="$name-alarms.jsonl", metadata={"expected": "a file path"}
    )
    sources = fields.String(load_default="")
    tickers = fields.String(load_default="")
    actions = fields.String(load_default="")
    where = fields.String(load_default="")


class ${Camel}Notifier(Notifier):
    """Appends each alarm it is sent to one file."""

    name = "$name"

    def __init__(self, path: Path, alarm_filter: AlarmFilter) -> None:
        super().__init__(alarm_filter)
        self.path = path
        self._lock = threading.Lock()

    def send(self, alarm: Alarm) -> SendResult:
        """Append one alarm; an ``OSError`` counts as a failed attempt."""
        line = alarm_to_json(alarm)
        with self._lock, self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\\n")
        return SendResult(ok=True, detail=f"appended to {self.path.name}")

    def describe(self) -> str:
        """Where alarms go, for the logs."""
        return f"{self.name} -> {self.path}"


class $Class:
    """Contributes one :class:`${Camel}Notifier`."""

    # The versions of the gateway's hook API this plugin was written for.
    hook_api_versions = (1,)

    def __init__(self) -> None:
        self.path = Path("$name-alarms.jsonl")
        self.alarm_filter = AlarmFilter()

    @hookimpl
    def gateway_settings_schema(self) -> type[Schema]:
        """Declare the keys of ``[plugin:$name]``."""
        return ${Camel}Settings

    @hookimpl
    def gateway_configure(self, config: GatewayConfig, settings: dict[str, Any]) -> None:
        """Keep the file's path and the routing keys."""
        path = Path(settings["path"]).expanduser()
        self.path = path if path.is_absolute() else config.base_dir / path
        routing = {key: settings[key] for key in ROUTING_KEYS}
        self.alarm_filter = AlarmFilter.from_settings(SECTION, routing)

    @hookimpl
    def gateway_register_notifiers(self) -> list[Notifier]:
        """Hand the gateway this plugin's one notifier."""
        return [${Camel}Notifier(self.path, self.alarm_filter)]
'''

NOTIFIER_TEST = '''\
"""The $name notifier, alone and in a real in-process gateway."""

from __future__ import annotations

import json
import time

from $package import $Class


def test_send_appends_one_json_line(configure_notifier, make_alarm, tmp_path):
    path = tmp_path / "out.jsonl"
    notifier = configure_notifier($Class(), "$name", path=path)

    result = notifier.send(make_alarm(ticker="ETHUSDT", message="rsi below 30"))

    assert result.ok
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["ticker"] == "ETHUSDT"


def test_notifier_receives_alarms_posted_to_the_gateway(make_app, memory_storage, tmp_path):
    path = tmp_path / "out.jsonl"
    app = make_app(
        {"gateway": {"plugins": "$name, memory"}, "plugin:$name": {"path": str(path)}},
        plugins={"$name": $Class(), "memory": memory_storage},
    )

    response = app.test_client().post(
        "/alarms/webhook", data="BTCUSDT crossed 70000", content_type="text/plain"
    )

    assert response.status_code == 200
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["id"] == response.get_json()["id"]
'''

# --------------------------------------------------------------------------
# screen
# --------------------------------------------------------------------------

SCREEN_README = """\
## What it does

It refuses webhooks on routes that are not open (`403 route_closed`), so a
stray sender posting to `/alarms/webhook/<anything>` is turned away before
its body is read. Refused requests are logged and counted, never stored.

## Settings: `[plugin:$name]`

| key | default | meaning |
| --- | --- | --- |
| `routes` | `default` | comma-separated route names that are open (`default` is `/alarms/webhook`) |
"""

SCREEN_MODULE = '''\
"""The $name screen: only listed webhook routes are open."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from gateway.kit import CommaList
from gateway.kit import InboundRequest
from gateway.kit import Rejection
from gateway.kit import hookimpl


class ${Camel}Settings(Schema):
    """The keys of ``[plugin:$name]``."""

    routes = CommaList(
        load_default=lambda: ["default"],
        metadata={"expected": "route names, e.g. default, tv"},
    )


class $Class:
    """Refuses requests on routes that are not listed in ``routes``."""

    # The versions of the gateway's hook API this plugin was written for.
    hook_api_versions = (1,)

    def __init__(self) -> None:
        self.routes = frozenset({"default"})

    @hookimpl
    def gateway_settings_schema(self) -> type[Schema]:
        """Declare the keys of ``[plugin:$name]``."""
        return ${Camel}Settings

    @hookimpl
    def gateway_configure(self, settings: dict[str, Any]) -> None:
        """Keep the open routes."""
        self.routes = frozenset(settings["routes"])

    @hookimpl
    def gateway_screen_request(self, request: InboundRequest) -> Rejection | None:
        """Let open routes through; refuse the others with 403."""
        if request.route in self.routes:
            return None
        return Rejection(
            403,
            "route_closed",
            f"route {request.route!r} is not open; "
            f"open routes: {', '.join(sorted(self.routes))}",
        )
'''

SCREEN_TEST = '''\
"""The $name screen in a real in-process gateway (AlarmHugger's pytest plugin)."""

from __future__ import annotations

import pytest

from $package import $Class


@pytest.fixture
def client(make_app, memory_storage):
    app = make_app(
        {"gateway": {"plugins": "$name, memory"}, "plugin:$name": {"routes": "default, tv"}},
        plugins={"$name": $Class(), "memory": memory_storage},
    )
    return app.test_client()


@pytest.mark.parametrize("path", ["/alarms/webhook", "/alarms/webhook/tv"], ids=["default", "tv"])
def test_screen_open_route_passes(client, memory_storage, path):
    response = client.post(path, data="BTCUSDT crossed 70000", content_type="text/plain")

    assert response.status_code == 200
    assert len(memory_storage.alarms) == 1


def test_screen_closed_route_is_refused_and_not_stored(client, memory_storage):
    response = client.post(
        "/alarms/webhook/other", data="BTCUSDT crossed 70000", content_type="text/plain"
    )

    assert response.status_code == 403
    assert response.get_json()["error"] == "route_closed"
    assert memory_storage.alarms == []
'''

# --------------------------------------------------------------------------
# storage
# --------------------------------------------------------------------------

STORAGE_README = """\
## What it does

It keeps alarms in memory, up to `max_alarms` (oldest dropped first): a
working storage to turn into one that writes to your database. It
implements writing (idempotent on the alarm's id, with duplicate
detection), reading (`GET /alarms`, `/alarms/latest`, `/alarms/<id>`),
pruning and a health check. For notifiers, a storage also keeps
deliveries: implement the delivery hooks (`gateway_claim_deliveries`,
`gateway_finish_delivery`, ...) as `docs/plugins.md` describes.

## Settings: `[plugin:$name]`

| key | default | meaning |
| --- | --- | --- |
| `max_alarms` | `100000` | most alarms kept |
"""

STORAGE_MODULE = '''\
"""The $name storage: keeps alarms in memory (replace with your database)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any
from typing import Mapping

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from gateway.kit import Alarm
from gateway.kit import AlarmPage
from gateway.kit import AlarmQuery
from gateway.kit import CheckResult
from gateway.kit import StoreResult
from gateway.kit import hookimpl


class ${Camel}Settings(Schema):
    """The keys of ``[plugin:$name]``."""

    max_alarms = fields.Integer(
        load_default=100_000, validate=validate.Range(min=1, max=10_000_000)
    )


class $Class:
    """Stores alarms in an ordered dict, oldest first."""

    # The versions of the gateway's hook API this plugin was written for.
    hook_api_versions = (1,)

    def __init__(self) -> None:
        self.max_alarms = 100_000
        self._alarms: OrderedDict[str, Alarm] = OrderedDict()
        self._lock = threading.Lock()

    @hookimpl
    def gateway_settings_schema(self) -> type[Schema]:
        """Declare the keys of ``[plugin:$name]``."""
        return ${Camel}Settings

    @hookimpl
    def gateway_configure(self, settings: dict[str, Any]) -> None:
        """Keep the checked settings."""
        self.max_alarms = settings["max_alarms"]

    @hookimpl
    def gateway_store_alarm(self, alarm: Alarm, notifiers: list[str]) -> StoreResult:
        """Keep one alarm; a re-sent copy is counted on the original."""
        with self._lock:
            if alarm.id in self._alarms:
                return StoreResult(alarm.id)
            original = self._live_original(alarm)
            if original is not None:
                original.duplicates += 1
                return StoreResult(original.id, duplicate=True)

            self._alarms[alarm.id] = alarm
            while len(self._alarms) > self.max_alarms:
                self._alarms.popitem(last=False)
        return StoreResult(alarm.id)

    @hookimpl
    def gateway_get_alarm(self, alarm_id: str) -> Alarm | None:
        """Return one alarm, or ``None``."""
        return self._alarms.get(alarm_id)

    @hookimpl
    def gateway_query_alarms(self, query: AlarmQuery) -> AlarmPage:
        """List matching alarms, newest first, one page at a time."""
        with self._lock:
            found = [alarm for alarm in self._alarms.values() if _matches(alarm, query)]
        found.sort(key=lambda alarm: (alarm.received_at, alarm.id), reverse=True)
        if query.after is not None:
            found = [a for a in found if (a.received_at, a.id) < query.after]
        return AlarmPage(found[: query.limit], len(found) > query.limit)

    @hookimpl
    def gateway_prune_alarms(self, received_before: dt.datetime) -> int:
        """Forget alarms received before ``received_before``."""
        with self._lock:
            old = [i for i, a in self._alarms.items() if a.received_at < received_before]
            for alarm_id in old:
                del self._alarms[alarm_id]
        return len(old)

    @hookimpl
    def gateway_check_health(self) -> Mapping[str, CheckResult]:
        """Report how many alarms are kept."""
        return {
            "database": CheckResult(
                ok=True, details={"backend": "$name", "alarms": len(self._alarms)}
            )
        }

    def _live_original(self, alarm: Alarm) -> Alarm | None:
        if alarm.dedup_key is None:
            return None
        for stored in reversed(self._alarms.values()):
            if (
                stored.dedup_key == alarm.dedup_key
                and stored.dedup_until is not None
                and stored.dedup_until > alarm.received_at
            ):
                return stored
        return None


def _matches(alarm: Alarm, query: AlarmQuery) -> bool:
    wanted = {
        "ticker": query.ticker,
        "exchange": query.exchange,
        "action": query.action,
        "source": query.source,
    }
    if any(value is not None and getattr(alarm, key) != value for key, value in wanted.items()):
        return False
    if query.since is not None and alarm.received_at < query.since:
        return False
    if query.until is not None and alarm.received_at >= query.until:
        return False
    if query.q:
        text = f"{alarm.message or ''} {alarm.raw}".lower()
        return query.q.lower() in text
    return True
'''

STORAGE_TEST = '''\
"""The $name storage behind a real in-process gateway (AlarmHugger's pytest plugin)."""

from __future__ import annotations

import pytest

from $package import $Class


@pytest.fixture
def client(make_app):
    app = make_app({"gateway": {"plugins": "$name"}}, plugins={"$name": $Class()})
    return app.test_client()


def test_store_alarm_then_read_it_back(client):
    response = client.post(
        "/alarms/webhook", data="BTCUSDT crossed 70000", content_type="text/plain"
    )

    assert response.status_code == 200
    alarm_id = response.get_json()["id"]
    assert client.get(f"/alarms/{alarm_id}").get_json()["message"] == "BTCUSDT crossed 70000"
    listed = client.get("/alarms", query_string={"q": "crossed"}).get_json()
    assert [alarm["id"] for alarm in listed["alarms"]] == [alarm_id]


def test_store_alarm_same_body_again_is_a_duplicate(client):
    first = client.post("/alarms/webhook", data="same", content_type="text/plain")
    second = client.post("/alarms/webhook", data="same", content_type="text/plain")

    assert second.get_json() == {"id": first.get_json()["id"], "duplicate": True}
'''

READMES = {
    "parser": PARSER_README,
    "notifier": NOTIFIER_README,
    "screen": SCREEN_README,
    "storage": STORAGE_README,
}
MODULES = {
    "parser": PARSER_MODULE,
    "notifier": NOTIFIER_MODULE,
    "screen": SCREEN_MODULE,
    "storage": STORAGE_MODULE,
}
TESTS = {
    "parser": PARSER_TEST,
    "notifier": NOTIFIER_TEST,
    "screen": SCREEN_TEST,
    "storage": STORAGE_TEST,
}
