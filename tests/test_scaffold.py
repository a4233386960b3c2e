"""``gateway new-plugin``: a package that installs, is found, and tests green."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import main
from gateway.pytest_plugin import write_config
from gateway.testing import find_package_problems

KINDS = ["parser", "notifier", "screen", "storage"]


def scaffold(folder: Path, name: str, kind: str):
    return CliRunner().invoke(
        main, ["new-plugin", name, "--kind", kind, "--dir", str(folder)]
    )


def clean_environment(**extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GATEWAY_CONFIG", "PYTHONPATH", "PYTEST_ADDOPTS"}
        and not key.startswith("GATEWAY__")
    }
    environment.update(extra)
    return environment


@pytest.mark.parametrize("kind", KINDS)
def test_new_plugin_writes_a_complete_package(tmp_path, kind):
    result = scaffold(tmp_path, f"acme_{kind}", kind)

    root = tmp_path / f"alarmhugger-acme-{kind}"
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"created {root} ({kind} plugin 'acme_{kind}')\n")
    assert f"pip install -e {root}" in result.output
    assert sorted(
        path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()
    ) == [
        "README.md",
        f"alarmhugger_acme_{kind}/__init__.py",
        f"alarmhugger_acme_{kind}/_plugin.py",
        "setup.py",
        f"tests/test_acme_{kind}.py",
    ]
    setup = (root / "setup.py").read_text(encoding="utf-8")
    assert f'name="alarmhugger-acme-{kind}"' in setup
    assert '"alarmhugger.plugins": [' in setup
    assert f"acme_{kind} = alarmhugger_acme_{kind}:" in setup


@pytest.mark.parametrize("kind", KINDS)
def test_new_plugin_module_keeps_the_plugin_rules(tmp_path, monkeypatch, kind):
    scaffold(tmp_path, f"rules_{kind}", kind)
    monkeypatch.syspath_prepend(str(tmp_path / f"alarmhugger-rules-{kind}"))

    package = importlib.import_module(f"alarmhugger_rules_{kind}")
    [class_name] = package.__all__
    problems = find_package_problems(package, f"rules_{kind}", class_name)

    # Only what installing it fixes: it is not installed in this test.
    assert problems == [f"no entry point 'rules_{kind}' is installed"]
    assert getattr(package, class_name).hook_api_versions == (1,)


@pytest.mark.parametrize("kind", KINDS)
def test_new_plugin_generated_tests_pass_with_only_the_pytest_plugin(tmp_path, kind):
    scaffold(tmp_path, f"green_{kind}", kind)
    root = tmp_path / f"alarmhugger-green-{kind}"

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=root,
        env=clean_environment(PYTHONPATH=str(root)),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Acme", "lower-case letters"),
        ("9lives", "starting with a letter"),
        (
            "tradingview",
            "a plugin named 'tradingview' already exists (alarmhugger-tradingview)",
        ),
        ("raw", "a plugin named 'raw' already exists (the core)"),
    ],
    ids=["upper-case", "digit-first", "installed", "built-in"],
)
def test_new_plugin_bad_name_refused(tmp_path, name, message):
    result = scaffold(tmp_path, name, "parser")

    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_plugin_existing_folder_left_alone(tmp_path):
    (tmp_path / "alarmhugger-acme").mkdir()
    (tmp_path / "alarmhugger-acme" / "keep.txt").write_text("mine")

    result = scaffold(tmp_path, "acme", "parser")

    assert result.exit_code == 1
    assert "alarmhugger-acme already exists; nothing written" in result.output
    assert [p.name for p in (tmp_path / "alarmhugger-acme").iterdir()] == ["keep.txt"]


@pytest.fixture
def pip_installed(tmp_path):
    """Scaffold a parser, ``pip install -e`` it into this venv; uninstall after."""
    scaffold(tmp_path, "scaffoldprobe", "parser")
    root = tmp_path / "alarmhugger-scaffoldprobe"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]

    installed = subprocess.run(
        [*pip, "install", "--no-deps", "-e", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        assert installed.returncode == 0, installed.stderr
        yield root
    finally:
        subprocess.run(
            [*pip, "uninstall", "-y", "alarmhugger-scaffoldprobe"],
            capture_output=True,
            timeout=120,
        )


def test_new_plugin_pip_installed_shows_in_gateway_plugins(pip_installed, tmp_path):
    gateway = [sys.executable, "-m", "gateway.cli"]
    config = write_config(
        tmp_path,
        {
            "gateway": {"plugins": "tradingview, scaffoldprobe, sql"},
            "logging": {"file": "", "console": "false"},
        },
    )

    def run(*args):
        return subprocess.run(
            [*gateway, *args, "--config", str(config)],
            cwd=tmp_path,
            env=clean_environment(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    listed = run("plugins")
    checked = run("check-config")

    assert listed.returncode == 0, listed.stderr
    assert "scaffoldprobe  enabled   alarmhugger-scaffoldprobe 0.1.0" in listed.stdout
    assert "gateway_parse_alarm" in listed.stdout.split("scaffoldprobe", 1)[1]
    assert checked.returncode == 0, checked.stderr
    assert " * scaffoldprobe (alarmhugger-scaffoldprobe 0.1.0)" in checked.stdout
