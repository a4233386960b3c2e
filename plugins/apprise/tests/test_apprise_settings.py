"""Reading ``[plugin:apprise]``: URL lists, formats, refusals."""

from __future__ import annotations

import pytest

from alarmhugger_apprise import ApprisePlugin
from alarmhugger_apprise import split_urls
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig


def configure(**settings: str) -> ApprisePlugin:
    plugin = ApprisePlugin()
    plugin.gateway_configure(config=GatewayConfig({"plugin:apprise": settings}))
    return plugin


def refusal(**settings: str) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        configure(**settings)
    assert raised.value.section == "plugin:apprise"
    return raised.value


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        pytest.param("json://a/x", ["json://a/x"], id="one"),
        pytest.param(
            "json://a, tgram://1:T/2", ["json://a", "tgram://1:T/2"], id="comma"
        ),
        pytest.param("json://a\n  tgram://b\n", ["json://a", "tgram://b"], id="lines"),
        pytest.param(
            "json://a,\ntgram://b,", ["json://a", "tgram://b"], id="comma-lines"
        ),
        pytest.param(
            "mailto://u:p@x.com?to=a@x.com,b@x.com, json://c",
            ["mailto://u:p@x.com?to=a@x.com,b@x.com", "json://c"],
            id="comma-inside-url",
        ),
        pytest.param("  ", [], id="blank"),
    ],
)
def test_split_urls_lists_become_urls(text, urls):
    assert split_urls(text) == urls


def test_configure_one_url_gives_defaults():
    settings = configure(urls="json://127.0.0.1:9/notify").settings

    assert settings.body_format == "text"
    assert (settings.connect_timeout, settings.read_timeout) == (5.0, 10.0)
    assert settings.schemes == ["json"]


def test_register_notifiers_returns_one_named_apprise():
    plugin = configure(
        urls="json://127.0.0.1:9/a, jsons://example.com/b", max_attempts="2"
    )

    (notifier,) = plugin.gateway_register_notifiers(config=GatewayConfig({}))

    assert notifier.name == "apprise"
    assert notifier.max_attempts == 2
    assert notifier.describe() == "apprise json, jsons"


def test_configure_missing_urls_is_refused():
    assert refusal().key == "urls"


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("nosuchscheme://tok-0a1b2c3d4e/x", id="unknown-scheme"),
        pytest.param("tgram://", id="incomplete"),
    ],
)
def test_configure_unloadable_url_is_refused_showing_scheme_only(url):
    error = refusal(urls=f"json://127.0.0.1:9/ok, {url}")

    assert error.key == "urls"
    assert error.value == url.split("://")[0] + "://***"
    assert "tok-0a1b2c3d4e" not in str(error)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("body_format", "rtf", id="body-format"),
        pytest.param("title", "{{ ticker ", id="title-syntax"),
        pytest.param("body", "{% endif %}", id="body-syntax"),
        pytest.param("read_timeout", "999", id="read-timeout"),
        pytest.param("where", "x", id="where"),
    ],
)
def test_configure_bad_value_raises_config_error_naming_key(key, value):
    assert refusal(urls="json://127.0.0.1:9/n", **{key: value}).key == key


def test_configure_unknown_key_masks_its_value():
    error = refusal(urls="json://127.0.0.1:9/n", url="tgram://123:tok-9f8e7d6c/1")

    assert error.key == "url"
    assert "tok-9f8e7d6c" not in str(error)
