"""Loading gateway.ini, the environment and .env into one checked config."""

from __future__ import annotations

import pytest

from gateway._logging import mask
from gateway.config import GatewayConfig
from gateway.config import load_config
from gateway.errors import ConfigError


def write_ini(tmp_path, text):
    path = tmp_path / "gateway.ini"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_config_without_file_uses_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    config = load_config(environ={})

    assert config.path is None
    assert config.enabled_plugins == ["tradingview", "sql"]
    assert config.threads == 8
    assert config.max_body_bytes == 65536


def test_load_config_reads_ini_and_expands_variables(tmp_path):
    path = write_ini(
        tmp_path,
        "[gateway]\nplugins = sql\nport = ${PORT}\n[plugin:sql]\nurl = ${DB:-sqlite:///x.db}\n",
    )

    config = load_config(path, environ={"PORT": "9000"})

    assert config.enabled_plugins == ["sql"]
    assert config.get_int("gateway", "port", 0) == 9000
    assert config.plugin_settings("sql")["url"] == "sqlite:///x.db"


def test_load_config_missing_variable_names_key(tmp_path):
    path = write_ini(tmp_path, "[gateway]\nport = ${NO_SUCH_PORT}\n")

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    assert "[gateway] port" in str(caught.value)
    assert "NO_SUCH_PORT" in str(caught.value)


def test_load_config_environment_overrides_ini(tmp_path):
    path = write_ini(tmp_path, "[plugin:sql]\nurl = sqlite:///file.db\n")
    environ = {
        "DATABASE_URL": "postgresql://u@h/legacy",
        "GATEWAY__GATEWAY__THREADS": "3",
    }

    config = load_config(path, environ=environ)

    assert config.plugin_settings("sql")["url"] == "postgresql://u@h/legacy"
    assert config.threads == 3


def test_load_config_prefixed_variable_beats_legacy_name(tmp_path):
    environ = {
        "DATABASE_URL": "postgresql://u@h/legacy",
        "GATEWAY__PLUGIN_SQL__URL": "postgresql://u@h/explicit",
    }

    config = load_config(write_ini(tmp_path, ""), environ=environ)

    assert config.plugin_settings("sql")["url"] == "postgresql://u@h/explicit"


@pytest.mark.parametrize(
    ("variable", "section", "key"),
    [
        ("DATABASE_URL", "plugin:sql", "url"),
        ("ALLOWED_IPS", "plugin:ipfilter", "allow_extra"),
        ("APIKEY", "api", "keys"),
        ("SECRETKEY", "plugin:token", "secret"),
        ("APIURL", "plugin:webhook", "url"),
    ],
)
def test_load_config_original_service_names_keep_working(
    tmp_path, variable, section, key
):
    config = load_config(write_ini(tmp_path, ""), environ={variable: "value-1234"})

    assert config.section(section)[key] == "value-1234"


def test_load_config_reads_dotenv_beside_ini_without_overriding(tmp_path):
    (tmp_path / ".env").write_text("SECRETKEY=from-dotenv\nAPIKEY=dotenv-key\n")

    config = load_config(write_ini(tmp_path, ""), environ={"APIKEY": "real-env-key"})

    assert config.section("plugin:token")["secret"] == "from-dotenv"
    assert config.section("api")["keys"] == "real-env-key"


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("threads = many", "threads", "a whole number from 1 to 256"),
        ("threads = 0", "threads", "a whole number from 1 to 256"),
        ("port = 70000", "port", "a whole number from 1 to 65535"),
        ("plugins =", "plugins", "a comma-separated list of plugin names"),
        ("trusted_proxies = 10.0.0.0/33", "trusted_proxies", "CIDR range"),
    ],
    ids=["not-a-number", "zero-threads", "port-too-big", "no-plugins", "bad-prefix"],
)
def test_load_config_bad_value_names_section_key_value(tmp_path, text, key, expected):
    path = write_ini(tmp_path, f"[gateway]\n{text}\n")

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    message = str(caught.value)
    assert f"[gateway] {key} = " in message
    assert expected in message


def test_load_config_wildcard_proxy_suggests_cidr(tmp_path):
    path = write_ini(tmp_path, "[gateway]\ntrusted_proxies = 192.168.1.*\n")

    with pytest.raises(ConfigError, match=r"192\.168\.1\.0/24"):
        load_config(path, environ={})


def test_load_config_registers_secrets_for_masking(tmp_path):
    environ = {
        "SECRETKEY": "tv-hook-7f3a-secret",
        "DATABASE_URL": "postgresql://alarm_app:Xy7pass-long@db.example.org/neondb",
    }

    load_config(write_ini(tmp_path, ""), environ=environ)

    line = mask("token tv-hook-7f3a-secret to postgresql://alarm_app:Xy7pass-long@db")
    assert "tv-hook-7f3a-secret" not in line
    assert "Xy7pass-long" not in line
    assert "db.example.org" in mask("host db.example.org")


def test_load_config_keeps_hash_and_semicolon_inside_values(tmp_path):
    path = write_ini(
        tmp_path,
        "[plugin:telegram]\ntemplate = Long #{{ ticker }} ; size {{ quantity }}\n",
    )

    config = load_config(path, environ={})

    assert (
        config.plugin_settings("telegram")["template"]
        == "Long #{{ ticker }} ; size {{ quantity }}"
    )


def test_get_file_reads_existing_file_from_config_folder(tmp_path):
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    sections = {"plugin:relay": {"ca_file": "ca.pem", "blank": " "}}
    config = GatewayConfig(sections, path=tmp_path / "gateway.ini")

    assert config.get_file("plugin:relay", "ca_file", "a PEM file") == (
        tmp_path / "ca.pem"
    )
    assert config.get_file("plugin:relay", "blank", "a PEM file") is None
    assert config.get_file("plugin:relay", "unset", "a PEM file") is None


def test_get_file_missing_file_names_key_path_and_expectation(tmp_path):
    sections = {"plugin:relay": {"ca_file": "missing.pem"}}
    config = GatewayConfig(sections, path=tmp_path / "gateway.ini")

    with pytest.raises(ConfigError) as caught:
        config.get_file("plugin:relay", "ca_file", "a PEM file")

    assert (caught.value.key, caught.value.value) == (
        "ca_file",
        str(tmp_path / "missing.pem"),
    )
    assert caught.value.expected == "a PEM file"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("[api]\nkey = MyReadKey123456\n", "did you mean keys?"),
        ("[gateway]\ntrusted_proxy = 10.0.0.1\n", "did you mean trusted_proxies?"),
        ("[delivery]\nmax_attempt = 3\n", "did you mean max_attempts?"),
    ],
    ids=["api-key", "trusted-proxy", "max-attempt"],
)
def test_load_config_unknown_core_key_is_refused_with_a_hint(tmp_path, text, hint):
    with pytest.raises(ConfigError) as caught:
        load_config(write_ini(tmp_path, text), environ={})

    assert hint in str(caught.value)
    assert "MyReadKey123456" not in str(caught.value)


def test_load_config_short_api_key_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="8 characters or more"):
        load_config(write_ini(tmp_path, ""), environ={"APIKEY": "a"})
