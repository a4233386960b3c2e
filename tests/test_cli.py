"""The ``gateway`` command as an operator uses it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gateway.cli import main
from gateway.pytest_plugin import write_config


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("GATEWAY_CONFIG", "DATABASE_URL", "SECRETKEY", "APIKEY"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args, sections=None):
        config = write_config(
            tmp_path, sections or {"logging": {"file": "", "console": "false"}}
        )
        return CliRunner().invoke(main, [*args, "--config", str(config)])

    return invoke


def test_check_config_good_file_lists_plugins(run):
    result = run("check-config")

    assert result.exit_code == 0, result.output
    assert "* sql (alarmhugger-sql 0.1.0)" in result.output
    assert "enabled, in order: tradingview, sql" in result.output
    assert "configuration OK" in result.output


def test_check_config_bad_value_names_section_key_and_exits_1(run):
    result = run("check-config", sections={"gateway": {"threads": "lots"}})

    assert result.exit_code == 1
    assert "[gateway] threads = 'lots' is not valid" in result.output


def test_check_config_missing_plugin_names_installed_ones(run):
    """Case 24-plugin-entry-point-silently-ignored: check-config says what is wrong."""
    result = run(
        "check-config",
        sections={
            "gateway": {"plugins": "tradingview, sql, pushover"},
            "plugin:pushover": {"user_key": "u-made-up-0000000000"},
        },
    )

    assert result.exit_code == 1
    assert "'pushover' is enabled" in result.output
    assert "alarmhugger.plugins" in result.output


def test_check_config_masks_database_password(run):
    """Case 16-postgres-scheme-url: check-config output never shows the password."""
    result = run(
        "check-config",
        sections={
            "gateway": {"threads": "x"},
            "plugin:sql": {
                "url": "postgres://alice:S3cret!pw@db.example.com:5432/alarms"
            },
        },
    )

    assert result.exit_code == 1
    assert "S3cret!pw" not in result.output


def test_plugins_command_shows_hooks_of_enabled_plugins(run):
    result = run("plugins")

    assert result.exit_code == 0, result.output
    assert "tradingview    enabled" in result.output
    assert "gateway_parse_alarm" in result.output
    assert "gateway_store_alarm" in result.output


def test_db_upgrade_creates_schema(run, tmp_path):
    result = run(
        "db",
        "upgrade",
        sections={
            "logging": {"file": "", "console": "false"},
            "plugin:sql": {"url": f"sqlite:///{tmp_path / 'cli.db'}"},
        },
    )

    assert result.exit_code == 0, result.output
    assert "revision" in result.output
    assert (tmp_path / "cli.db").exists()


def test_alarms_prune_deletes_only_old_alarms(run, tmp_path):
    import datetime as dt

    from gateway.app import create_app, gateway_of
    from gateway._types import Alarm, ParsedAlarm
    from gateway.testing import make_request

    url = f"sqlite:///{tmp_path / 'prune.db'}"
    app = create_app(
        {
            "gateway": {"plugins": "sql", "data_dir": str(tmp_path)},
            "logging": {"file": "", "console": "false"},
            "plugin:sql": {"url": url},
        }
    )
    host = gateway_of(app).plugins
    old = Alarm.from_parsed(
        ParsedAlarm(parser="raw", format="raw"), make_request("old"), "old-1"
    )
    old.received_at -= dt.timedelta(days=40)
    new = Alarm.from_parsed(
        ParsedAlarm(parser="raw", format="raw"), make_request("new"), "new-1"
    )
    for alarm in (old, new):
        host.call_first("gateway_store_alarm", alarm=alarm, notifiers=[])
    gateway_of(app).close()

    result = run(
        "alarms",
        "prune",
        "--older-than",
        "30d",
        sections={
            "logging": {"file": "", "console": "false"},
            "plugin:sql": {"url": url},
        },
    )

    assert result.exit_code == 0, result.output
    assert "1 alarms deleted" in result.output
    app = create_app(
        {
            "gateway": {"plugins": "sql", "data_dir": str(tmp_path)},
            "logging": {"file": "", "console": "false"},
            "plugin:sql": {"url": url},
        }
    )
    host = gateway_of(app).plugins
    assert host.call_first("gateway_get_alarm", alarm_id="old-1") is None
    assert host.call_first("gateway_get_alarm", alarm_id="new-1") is not None
    gateway_of(app).close()


@pytest.mark.parametrize("value", ["soon", "-90d", "0d", "30m", "99999999999d"])
def test_alarms_prune_rejects_a_bad_or_dangerous_duration(run, value):
    result = run("alarms", "prune", "--older-than", value)

    assert result.exit_code == 2
    assert "a duration of at least 1h" in result.output


def test_check_config_without_storage_plugin_refuses(run):
    result = run("check-config", sections={"gateway": {"plugins": "tradingview"}})

    assert result.exit_code == 1
    assert "no enabled plugin stores alarms" in result.output


def test_check_config_plugin_listed_twice_refuses(run):
    result = run(
        "check-config", sections={"gateway": {"plugins": "tradingview, sql, sql"}}
    )

    assert result.exit_code == 1
    assert "'sql' is listed twice" in result.output


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("gateway", "retention", "-5d"),
        ("gateway", "spool", "maybe"),
        ("dedup", "hash_window", "abc"),
        ("delivery", "max_attempts", "0"),
    ],
)
def test_check_config_catches_what_serve_would_refuse(run, section, key, value):
    result = run(
        "check-config",
        sections={"logging": {"file": "", "console": "false"}, section: {key: value}},
    )

    assert result.exit_code == 1
    assert f"[{section}] {key}" in result.output
