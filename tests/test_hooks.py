"""Every hook, called by the core the way its docstring promises.

One ``test_hook_<name>`` per hook (tests/test_docs.py checks that none is
missing), each running the hook reference's own example plugin from
``docs/hook_examples.py`` in a real in-process gateway, or through the
``gateway`` command where the hook belongs to it.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from click.testing import CliRunner

from gateway.app import gateway_of
from gateway.cli import main
from gateway.kit import SendResult
from gateway.pytest_plugin import write_config
from gateway.retention import prune

TRADINGVIEW = '{"ticker":"BTCUSDT","exchange":"BINANCE","close":67432.5}'


def post(
    app, body=TRADINGVIEW, path="/alarms/webhook", content_type="application/json"
):
    return app.test_client().post(path, data=body, content_type=content_type)


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture
def storage(hook_examples):
    return hook_examples.ListStorage()


@pytest.fixture
def delivering_app(make_app, storage, recording_notifier):
    """TradingView parser, the example storage, the recording notifier."""
    return make_app(
        {
            "gateway": {"plugins": "tradingview, store, recorder"},
            "delivery": {"retry_base": "0.05", "poll_interval": "0.1"},
        },
        plugins={"store": storage, "recorder": recording_notifier},
    )


@pytest.fixture
def run_cli(tmp_path, monkeypatch):
    """Run ``gateway`` in-process with a gateway.ini written from sections."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GATEWAY_CONFIG", raising=False)

    def run(*args, sections):
        sections = {"logging": {"file": "", "console": "false"}, **sections}
        config = write_config(tmp_path, sections)
        return CliRunner().invoke(main, [*args, "--config", str(config)])

    return run


# --------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------


def test_hook_gateway_settings_schema_section_loaded_into_configure(
    make_app, memory_storage, hook_examples
):
    ping = hook_examples.Ping()

    make_app(
        {
            "gateway": {"plugins": "ping, memory"},
            "plugin:ping": {
                "url": "https://ping.example.org/hook",
                "timeout": "2.5",
                "tickers": "BTCUSDT, ETHUSDT",
                "token": "",
            },
        },
        plugins={"ping": ping, "memory": memory_storage},
    )

    assert ping.url == "https://ping.example.org/hook"
    assert ping.timeout == 2.5
    assert ping.tickers == {"BTCUSDT", "ETHUSDT"}


def test_hook_gateway_configure_receives_raw_settings_without_schema(
    make_app, memory_storage, hook_examples
):
    plugin = hook_examples.MinimumPrice()

    make_app(
        {
            "gateway": {"plugins": "minprice, memory"},
            "plugin:minprice": {"minimum": "0.5"},
        },
        plugins={"minprice": plugin, "memory": memory_storage},
    )

    assert str(plugin.minimum) == "0.5"


def test_hook_gateway_startup_runs_only_when_the_gateway_starts(
    make_app, memory_storage, hook_examples
):
    started = hook_examples.Heartbeat()
    configured_only = hook_examples.Heartbeat()
    sections = {"gateway": {"plugins": "heartbeat, memory"}}

    make_app(sections, plugins={"heartbeat": started, "memory": memory_storage})
    make_app(
        sections,
        plugins={"heartbeat": configured_only, "memory": memory_storage},
        start=False,
    )

    assert started.thread is not None and started.thread.is_alive()
    assert configured_only.thread is None


def test_hook_gateway_shutdown_runs_when_the_gateway_closes(
    make_app, memory_storage, hook_examples
):
    heartbeat = hook_examples.Heartbeat()
    app = make_app(
        {"gateway": {"plugins": "heartbeat, memory"}},
        plugins={"heartbeat": heartbeat, "memory": memory_storage},
    )

    gateway_of(app).close()

    assert not heartbeat.thread.is_alive()


# --------------------------------------------------------------------------
# Screening, parsing, enriching
# --------------------------------------------------------------------------


def test_hook_gateway_screen_request_rejection_is_the_answer(
    make_app, memory_storage, hook_examples
):
    app = make_app(
        {"gateway": {"plugins": "routes, tradingview, memory"}},
        plugins={"routes": hook_examples.OpenRoutes(), "memory": memory_storage},
    )

    refused = post(app, path="/alarms/webhook/elsewhere")
    admitted = post(app, path="/alarms/webhook/tv")

    assert refused.status_code == 403
    assert refused.get_json()["error"] == "route_closed"
    assert admitted.status_code == 200
    assert [alarm.source for alarm in memory_storage.alarms] == ["tv"]


def test_hook_gateway_parse_alarm_tryfirst_parser_beats_one_listed_first(
    make_app, memory_storage, hook_examples
):
    app = make_app(
        {"gateway": {"plugins": "tradingview, state, memory"}},
        plugins={"state": hook_examples.ServiceStateParser(), "memory": memory_storage},
    )

    post(app, '{"service": "db", "state": "down"}')
    post(app)

    parsers = [(alarm.parser, alarm.ticker) for alarm in memory_storage.alarms]
    assert parsers == [("service_state", "db"), ("tradingview", "BTCUSDT")]


def test_hook_gateway_enrich_alarm_fields_are_stored(
    make_app, memory_storage, hook_examples
):
    app = make_app(
        {"gateway": {"plugins": "tradingview, desk, memory"}},
        plugins={"desk": hook_examples.DeskTagger(), "memory": memory_storage},
    )

    post(app, path="/alarms/webhook/crypto")

    fields = memory_storage.alarms[0].fields
    assert (fields["route"], fields["desk"]) == ("crypto", "crypto")


# --------------------------------------------------------------------------
# Storage
# --------------------------------------------------------------------------


def test_hook_gateway_store_alarm_alarm_and_its_deliveries_written(
    delivering_app, storage
):
    response = post(delivering_app)

    alarm_id = response.get_json()["id"]
    assert list(storage.alarms) == [alarm_id]
    assert [d.notifier for d in storage.deliveries.values()] == ["recorder"]


def test_hook_gateway_query_alarms_pages_newest_first(make_app, storage):
    app = make_app(
        {"gateway": {"plugins": "tradingview, store"}}, plugins={"store": storage}
    )
    ids = [
        post(app, json.dumps({"ticker": f"T{n}"})).get_json()["id"] for n in range(3)
    ]
    client = app.test_client()

    first = client.get("/alarms", query_string={"limit": 2}).get_json()
    rest = client.get(
        "/alarms", query_string={"limit": 2, "cursor": first["next_cursor"]}
    ).get_json()

    assert [alarm["id"] for alarm in first["alarms"]] == ids[:0:-1]
    assert [alarm["id"] for alarm in rest["alarms"]] == ids[:1]
    assert rest["next_cursor"] is None


def test_hook_gateway_get_alarm_found_or_404(make_app, storage):
    app = make_app(
        {"gateway": {"plugins": "tradingview, store"}}, plugins={"store": storage}
    )
    alarm_id = post(app).get_json()["id"]
    client = app.test_client()

    assert client.get(f"/alarms/{alarm_id}").get_json()["ticker"] == "BTCUSDT"
    assert client.get("/alarms/no-such-alarm").status_code == 404


def test_hook_gateway_claim_deliveries_feeds_the_notifier(
    delivering_app, recording_notifier
):
    alarm_id = post(delivering_app).get_json()["id"]

    [sent] = recording_notifier.notifier.wait_for(1)

    assert sent.id == alarm_id


def test_hook_gateway_finish_delivery_records_each_outcome(
    delivering_app, storage, recording_notifier
):
    recording_notifier.notifier.results = [
        SendResult(ok=False, detail="HTTP 400", is_permanent=True)
    ]

    post(delivering_app)

    [delivery] = storage.deliveries.values()
    wait_until(lambda: delivery.state == "dead")
    assert (delivery.attempts, delivery.last_error) == (1, "HTTP 400")
    assert storage.claims == {}


def test_hook_gateway_release_deliveries_called_with_the_worker_on_stop(
    delivering_app, storage
):
    gateway = gateway_of(delivering_app)
    until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    storage.claims = {
        "mine": (gateway.dispatcher.worker, until),
        "other": ("w2", until),
    }

    gateway.close()

    assert list(storage.claims) == ["other"]


def test_hook_gateway_query_deliveries_listed_by_the_api(
    delivering_app, recording_notifier
):
    alarm_id = post(delivering_app).get_json()["id"]
    recording_notifier.notifier.wait_for(1)

    listed = delivering_app.test_client().get(
        "/deliveries", query_string={"notifier": "recorder"}
    )

    [delivery] = listed.get_json()["deliveries"]
    assert (delivery["alarm_id"], delivery["notifier"]) == (alarm_id, "recorder")


def test_hook_gateway_requeue_deliveries_dead_one_is_sent_again(
    delivering_app, storage, recording_notifier
):
    recording_notifier.notifier.results = [SendResult(ok=False, is_permanent=True)]
    post(delivering_app)
    [delivery] = storage.deliveries.values()
    wait_until(lambda: delivery.state == "dead")

    retried = delivering_app.test_client().post(f"/deliveries/{delivery.id}/retry")

    assert retried.get_json() == {"requeued": 1}
    recording_notifier.notifier.wait_for(1)
    wait_until(lambda: delivery.state == "delivered")


def test_hook_gateway_delivery_backlog_shown_by_health(
    delivering_app, storage, recording_notifier
):
    recording_notifier.notifier.results = [SendResult(ok=False, is_permanent=True)]
    post(delivering_app)
    [delivery] = storage.deliveries.values()
    wait_until(lambda: delivery.state == "dead")

    health = delivering_app.test_client().get("/server/status-server").get_json()

    assert health["notifiers"]["recorder"]["dead"] == 1
    assert health["notifiers"]["recorder"]["pending"] == 0


def test_hook_gateway_prune_alarms_old_alarms_deleted(make_app, storage):
    app = make_app(
        {"gateway": {"plugins": "tradingview, store"}}, plugins={"store": storage}
    )
    alarm_id = post(app).get_json()["id"]

    deleted = prune(gateway_of(app).plugins, dt.timedelta(0))

    assert deleted == 1
    assert app.test_client().get(f"/alarms/{alarm_id}").status_code == 404


def test_hook_gateway_upgrade_storage_run_by_db_upgrade(run_cli, install_plugins):
    install_plugins(liststore="hook_examples:ListStorage")

    result = run_cli(
        "db", "upgrade", sections={"gateway": {"plugins": "tradingview, liststore"}}
    )

    assert result.exit_code == 0, result.output
    assert result.output == "schema upgraded to version 1\n"


def test_hook_gateway_alarm_stored_once_per_stored_alarm(
    make_app, memory_storage, hook_examples
):
    counter = hook_examples.StoredCounter()
    app = make_app(
        {"gateway": {"plugins": "tradingview, counter, memory"}},
        plugins={"counter": counter, "memory": memory_storage},
    )

    post(app)
    duplicate = post(app)

    assert duplicate.get_json()["duplicate"] is True
    assert counter.count == 1


# --------------------------------------------------------------------------
# Notification and health
# --------------------------------------------------------------------------


def test_hook_gateway_register_notifiers_notifier_gets_alarms(
    make_app, memory_storage, hook_examples, tmp_path
):
    path = tmp_path / "sent.jsonl"
    app = make_app(
        {
            "gateway": {"plugins": "tradingview, file, memory"},
            "plugin:file": {"path": str(path)},
        },
        plugins={"file": hook_examples.FilePlugin(), "memory": memory_storage},
    )

    alarm_id = post(app).get_json()["id"]

    wait_until(path.exists)
    wait_until(lambda: path.read_text(encoding="utf-8").endswith("\n"))
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["id"] == alarm_id


def test_hook_gateway_check_health_check_reported(
    make_app, memory_storage, hook_examples
):
    app = make_app(
        {"gateway": {"plugins": "disk, memory"}},
        plugins={"disk": hook_examples.DiskSpace(), "memory": memory_storage},
    )

    health = app.test_client().get("/server/status-server").get_json()

    assert set(health["disk"]) == {"ok", "free_mb"}
    assert health["database"]["ok"] is True


# --------------------------------------------------------------------------
# Web and command line
# --------------------------------------------------------------------------


def test_hook_gateway_register_routes_sender_path_runs_the_pipeline(
    make_app, memory_storage, hook_examples, log_lines
):
    app = make_app(
        {"gateway": {"plugins": "tradingview, acme, memory"}},
        plugins={"acme": hook_examples.SenderRoute(), "memory": memory_storage},
    )

    response = post(app, path="/senders/acme")

    assert response.status_code == 200
    [alarm] = memory_storage.alarms
    assert (alarm.id, alarm.source, alarm.parser) == (
        response.get_json()["id"],
        "acme",
        "tradingview",
    )
    assert "INFO routes added by plugin acme: /senders/acme" in log_lines


def test_hook_gateway_register_commands_command_runs_configured(
    run_cli, install_plugins
):
    install_plugins(hello="hook_examples:HelloCommand")

    result = run_cli(
        "hello", "world", sections={"gateway": {"plugins": "tradingview, hello, sql"}}
    )

    assert result.exit_code == 0, result.output
    assert result.output == "hello world\n"
