"""Plugin settings declared as marshmallow schemas and checked by the core."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from gateway.cli import main
from gateway.errors import ConfigError
from gateway.errors import PluginError
from gateway.kit import CommaList
from gateway.kit import hookimpl
from gateway.pytest_plugin import write_config


class PingSettings(Schema):
    url = fields.URL(required=True)
    token = fields.String(load_default=None, metadata={"secret": True})
    timeout = fields.Float(load_default=5.0, validate=validate.Range(min=0.1, max=60))
    retries = fields.Integer(
        load_default=3, metadata={"expected": "a count of retries"}
    )
    verbose = fields.Boolean(load_default=False)
    tickers = CommaList(load_default=list)


class Ping:
    """Declares PingSettings and keeps what configure received."""

    def __init__(self, schema=PingSettings):
        self.schema = schema
        self.settings = None

    @hookimpl
    def gateway_settings_schema(self):
        return self.schema

    @hookimpl
    def gateway_configure(self, settings):
        self.settings = settings


def build(make_app, memory_storage, section, plugin=None):
    plugin = plugin or Ping()
    make_app(
        {"gateway": {"plugins": "ping, memory"}, "plugin:ping": section},
        plugins={"ping": plugin, "memory": memory_storage},
    )
    return plugin


def refusal(make_app, memory_storage, section, plugin=None) -> str:
    with pytest.raises(ConfigError) as caught:
        build(make_app, memory_storage, section, plugin)
    return str(caught.value)


def test_settings_schema_values_typed_and_defaults_filled(make_app, memory_storage):
    plugin = build(
        make_app,
        memory_storage,
        {
            "url": "https://ping.example.org",
            "verbose": "yes",
            "retries": "5",
            "tickers": "BTCUSDT,\nETHUSDT",
            "timeout": "",
        },
    )

    assert plugin.settings == {
        "url": "https://ping.example.org",
        "token": None,
        "timeout": 5.0,
        "retries": 5,
        "verbose": True,
        "tickers": ["BTCUSDT", "ETHUSDT"],
    }


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            {"url": "https://p.example.org", "timeout": "600"},
            "[plugin:ping] timeout = '600' is not valid: expected a number "
            "(must be greater than or equal to 0.1 and less than or equal to 60)",
        ),
        (
            {"url": "https://p.example.org", "retries": "many"},
            "[plugin:ping] retries = 'many' is not valid: expected a count of "
            "retries (not a valid integer)",
        ),
        (
            {"url": "not a url"},
            "[plugin:ping] url = 'not a url' is not valid: expected a URL "
            "(not a valid URL)",
        ),
        (
            {"timeout": "1"},
            "[plugin:ping] url = '' is not valid: expected a URL (the key is required)",
        ),
        (
            {"url": "https://p.example.org", "tiemout": "5"},
            "[plugin:ping] tiemout = '5' is not valid: expected one of the keys "
            "retries, tickers, timeout, token, url, verbose",
        ),
    ],
    ids=[
        "out-of-range",
        "custom-expected",
        "bad-url",
        "missing-required",
        "unknown-key",
    ],
)
def test_settings_schema_bad_value_names_section_key_value_and_expectation(
    make_app, memory_storage, section, message
):
    assert refusal(make_app, memory_storage, section) == message


def test_settings_schema_first_bad_key_in_written_order(make_app, memory_storage):
    message = refusal(
        make_app,
        memory_storage,
        {"url": "https://p.example.org", "verbose": "maybe", "retries": "x"},
    )

    assert message.startswith("[plugin:ping] verbose = 'maybe'")


def test_settings_schema_secret_value_masked_in_error_and_logs(
    make_app, memory_storage, log_lines
):
    class StrictToken(PingSettings):
        token = fields.String(
            validate=validate.Length(min=20), metadata={"secret": True}
        )

    message = refusal(
        make_app,
        memory_storage,
        {"url": "https://p.example.org", "token": "tok-short-9"},
        Ping(StrictToken),
    )

    assert "tok-short-9" not in message
    assert message.startswith("[plugin:ping] token = '***' is not valid")
    from loguru import logger

    logger.info("sending with tok-short-9")
    assert "INFO sending with ***" in log_lines


def test_settings_schema_unknown_keys_allowed_when_schema_excludes_them(
    make_app, memory_storage
):
    class Lenient(Schema):
        class Meta:
            unknown = EXCLUDE

        url = fields.String(load_default="")

    plugin = build(make_app, memory_storage, {"other": "1"}, Ping(Lenient()))

    assert plugin.settings == {"url": ""}


def test_settings_schema_not_a_schema_is_a_plugin_error(make_app, memory_storage):
    with pytest.raises(
        PluginError, match="returned 'nonsense' from gateway_settings_schema"
    ):
        build(make_app, memory_storage, {}, Ping("nonsense"))


def test_settings_schema_failure_of_one_plugin_stops_before_any_configure(
    make_app, memory_storage
):
    first = Ping()
    with pytest.raises(ConfigError):
        make_app(
            {
                "gateway": {"plugins": "first, ping, memory"},
                "plugin:first": {"url": "https://ok.example.org"},
                "plugin:ping": {"url": "bad"},
            },
            plugins={"first": first, "ping": Ping(), "memory": memory_storage},
        )

    assert first.settings is None


def test_settings_schema_used_by_configure_notifier_fixture(configure_notifier):
    from gateway.kit import Notifier

    class Settings(Schema):
        label = fields.String(required=True)

    class NamedNotifier:
        @hookimpl
        def gateway_settings_schema(self):
            return Settings

        @hookimpl
        def gateway_configure(self, settings):
            self.label = settings["label"]

        @hookimpl
        def gateway_register_notifiers(self):
            notifier = Notifier()
            notifier.name = self.label
            return [notifier]

    assert configure_notifier(NamedNotifier(), "named", label="desk").name == "desk"


def test_check_config_reports_plugin_setting_error(
    tmp_path, monkeypatch, install_plugins
):
    monkeypatch.chdir(tmp_path)
    install_plugins(ping="hook_examples:Ping")
    config = write_config(
        tmp_path,
        {
            "gateway": {"plugins": "tradingview, sql, ping"},
            "logging": {"file": "", "console": "false"},
            "plugin:ping": {"url": "https://p.example.org", "timeout": "-1"},
        },
    )

    result = CliRunner().invoke(main, ["check-config", "--config", str(config)])

    assert result.exit_code == 1
    assert (
        "[plugin:ping] timeout = '-1' is not valid: expected a number" in result.output
    )
