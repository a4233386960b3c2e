"""The ipfilter screen inside a gateway app, as a sender sees it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gateway.cli import main
from gateway.kit import ConfigError

ALERT = '{"ticker":"BTCUSDT","action":"sell","qty":100}'

TRADINGVIEW_AND_RANGES = (
    "52.89.214.238, 34.212.75.30, 54.218.53.128, 52.32.178.7, "
    "10.8.0.0/16, 2001:db8:42::/48"
)


@pytest.fixture
def filtered_app(make_app, memory_storage):
    def build(trusted_proxies: str = "", **settings: str):
        return make_app(
            {
                "gateway": {
                    "plugins": "ipfilter, tradingview, memory",
                    "trusted_proxies": trusted_proxies,
                },
                "plugin:ipfilter": settings,
            },
            plugins={"memory": memory_storage},
        )

    return build


def post_from(app, remote_addr: str, headers=None):
    return app.test_client().post(
        "/alarms/webhook",
        data=ALERT,
        content_type="application/json",
        environ_base={"REMOTE_ADDR": remote_addr},
        headers=headers or {},
    )


def test_webhook_forged_xff_from_untrusted_peer_is_403(
    filtered_app, memory_storage, log_records
):
    """Case 09-xff-spoofing-allowlist: a forged header from 203.0.113.9 fails."""
    app = filtered_app(allow="tradingview")

    response = post_from(
        app,
        "203.0.113.9",
        {"X-Forwarded-For": "52.89.214.238", "X-Real-IP": "52.89.214.238"},
    )

    assert response.status_code == 403
    assert response.json == {
        "error": "forbidden",
        "reason": "client address not allowed",
        "message": "client address not allowed",
        "status": 403,
    }
    assert memory_storage.alarms == []
    warnings = [r["message"] for r in log_records if r["level"].name == "WARNING"]
    assert any(
        "peer 203.0.113.9" in message and "forwarding headers ignored" in message
        for message in warnings
    )


def test_webhook_xff_through_trusted_proxy_is_accepted(filtered_app, memory_storage):
    """Case 09-xff-spoofing-allowlist: the same header via a trusted proxy gets in."""
    app = filtered_app(trusted_proxies="10.0.0.0/8", allow="tradingview")

    response = post_from(app, "10.0.0.2", {"X-Forwarded-For": "52.89.214.238"})

    assert response.status_code == 200
    [alarm] = memory_storage.alarms
    assert alarm.client_ip == "52.89.214.238"


def test_webhook_forged_hop_before_trusted_proxy_is_403(filtered_app, memory_storage):
    """Case 09-xff-spoofing-allowlist: a claim the proxy only relayed fails."""
    app = filtered_app(trusted_proxies="10.0.0.0/8", allow="tradingview")

    # The attacker sent "X-Forwarded-For: 52.89.214.238"; the proxy appended
    # the attacker's real address.
    response = post_from(
        app, "10.0.0.2", {"X-Forwarded-For": "52.89.214.238, 203.0.113.9"}
    )

    assert response.status_code == 403
    assert memory_storage.alarms == []


@pytest.mark.parametrize(
    ("remote_addr", "status"),
    [("10.8.3.4", 200), ("2001:db8:42::17", 200), ("10.9.0.1", 403)],
    ids=["v4-range-member", "v6-range-member", "outside"],
)
def test_webhook_allowed_ips_cidr_ranges_decide(
    filtered_app, memory_storage, monkeypatch, remote_addr, status
):
    """Case 12-allowlist-cidr-ranges: ALLOWED_IPS with v4 and v6 CIDR ranges."""
    monkeypatch.setenv("ALLOWED_IPS", TRADINGVIEW_AND_RANGES)
    app = filtered_app()

    response = post_from(app, remote_addr)

    assert response.status_code == status
    assert len(memory_storage.alarms) == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    "value", ["192.168.1.*", "10.8.0.0/33"], ids=["wildcard", "prefix-33"]
)
def test_app_bad_allowed_ips_entry_stops_start(filtered_app, monkeypatch, value):
    """Case 12-allowlist-cidr-ranges: the app is not built with a bad ALLOWED_IPS."""
    monkeypatch.setenv("ALLOWED_IPS", value)

    with pytest.raises(ConfigError) as caught:
        filtered_app()

    assert "ALLOWED_IPS" in str(caught.value)
    assert repr(value) in str(caught.value)


@pytest.mark.parametrize(
    ("value", "hint"),
    [("192.168.1.*", "192.168.1.0/24"), ("10.8.0.0/33", "10.8.0.0/16")],
    ids=["wildcard", "prefix-33"],
)
def test_check_config_bad_allowed_ips_entry_fails(tmp_path, value, hint):
    """Case 12-allowlist-cidr-ranges: check-config reports the same without serving."""
    config_path = tmp_path / "gateway.ini"
    config_path.write_text(
        "[gateway]\nplugins = ipfilter, tradingview\n"
        "[logging]\nconsole = false\nfile =\n",
        encoding="utf-8",
    )

    result = CliRunner().invoke(
        main, ["check-config", "--config", str(config_path)], env={"ALLOWED_IPS": value}
    )

    assert result.exit_code != 0
    assert "ALLOWED_IPS" in result.output
    assert repr(value) in result.output
    assert hint in result.output
