"""Commands plugins add to ``gateway``, and a ``--help`` that needs none of them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from gateway.cli import main
from gateway.pytest_plugin import write_config


@pytest.fixture
def gateway_ini(tmp_path, monkeypatch):
    """Write gateway.ini in the test's folder (the working folder) from sections."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GATEWAY_CONFIG", raising=False)

    def write(plugins, **sections):
        return write_config(
            tmp_path,
            {
                "gateway": {"plugins": plugins},
                "logging": {"file": "", "console": "false"},
                **sections,
            },
        )

    return write


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_plugin_command_found_through_gateway_ini_in_working_folder(
    gateway_ini, install_plugins
):
    install_plugins(hello="hook_examples:HelloCommand")
    gateway_ini("tradingview, hello, sql")

    result = invoke("hello", "trader")

    assert (result.exit_code, result.output) == (0, "hello trader\n")


def test_plugin_command_config_option_picks_the_file(
    gateway_ini, install_plugins, tmp_path
):
    install_plugins(hello="hook_examples:HelloCommand")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = write_config(
        elsewhere,
        {
            "gateway": {"plugins": "tradingview, hello, sql"},
            "logging": {"file": "", "console": "false"},
        },
    )

    result = invoke("hello", "--config", str(config), "desk")

    assert (result.exit_code, result.output) == (0, "hello desk\n")
    assert "--config" in invoke("hello", "--config", str(config), "--help").output


def test_plugin_command_of_disabled_plugin_is_unknown(gateway_ini, install_plugins):
    install_plugins(hello="hook_examples:HelloCommand")
    gateway_ini("tradingview, sql")

    result = invoke("hello", "x")

    assert result.exit_code == 2
    assert "No such command 'hello'" in result.output


def test_plugin_command_unknown_with_broken_config_says_why(gateway_ini):
    gateway_ini("tradingview, sql, pushover")

    result = invoke("pushover-test")

    assert result.exit_code == 2
    assert "plugin commands not loaded:" in result.output
    assert "'pushover' is enabled in [gateway] plugins" in result.output


def test_plugin_command_named_like_core_one_is_ignored(gateway_ini, install_plugins):
    install_plugins(clash="sample_commands:Clashing")
    gateway_ini("tradingview, clash, sql")

    clash_ok = invoke("clash-ok")
    serve = invoke("serve", "--help")

    assert (clash_ok.exit_code, clash_ok.output) == (0, "ok\n")
    assert "Serve the gateway with waitress." in serve.output


def test_plugin_command_registration_failure_named(gateway_ini, install_plugins):
    install_plugins(broken="sample_commands:Broken")
    gateway_ini("tradingview, broken, sql")

    result = invoke("anything")

    assert result.exit_code == 2
    assert "plugin 'broken' failed in gateway_register_commands: no commands today" in (
        result.output
    )


def test_plugins_command_lists_commands_of_each_plugin(gateway_ini, install_plugins):
    install_plugins(hello="hook_examples:HelloCommand")
    gateway_ini("tradingview, hello, sql")

    result = invoke("plugins")

    assert result.exit_code == 0, result.output
    assert "      commands: hello" in result.output


def test_help_lists_core_commands_without_loading_plugins(gateway_ini, install_plugins):
    install_plugins(hello="hook_examples:HelloCommand")
    gateway_ini("tradingview, sql, pushover")  # broken on purpose

    result = invoke("--help")

    assert result.exit_code == 0, result.output
    assert "new-plugin" in result.output
    assert "hello" not in result.output
    assert "`gateway plugins` lists them" in result.output


def test_help_real_process_without_any_config(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key != "GATEWAY_CONFIG" and not key.startswith("GATEWAY__")
    }

    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "--help"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout
    assert result.stderr == ""
    assert not (tmp_path / "logs").exists()
