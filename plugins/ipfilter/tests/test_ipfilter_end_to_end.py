"""The ipfilter screen in a real ``gateway serve`` (waitress, real port, SQLite)."""

from __future__ import annotations

import subprocess
import sys

ALERT = '{"ticker":"BTCUSDT","action":"sell","qty":100}'


def post_alert(gateway, headers):
    return gateway.post(
        "/alarms/webhook",
        data=ALERT,
        headers={"Content-Type": "application/json", **headers},
    )


def test_end_to_end_forged_xff_refused_and_proxied_one_accepted(
    start_gateway, tmp_path
):
    """Case 09-xff-spoofing-allowlist: forged from a stranger, then via a proxy."""
    sections = {
        "gateway": {"plugins": "ipfilter, tradingview, sql"},
        "plugin:ipfilter": {"allow": "tradingview"},
    }
    forged_headers = {"X-Forwarded-For": "52.89.214.238", "X-Real-IP": "52.89.214.238"}

    direct = start_gateway(
        {**sections, "plugin:sql": {"url": f"sqlite:///{tmp_path / 'direct.db'}"}},
        name="direct",
    )
    refused = post_alert(direct, forged_headers)

    assert refused.status_code == 403
    assert refused.json() == {
        "error": "forbidden",
        "reason": "client address not allowed",
        "message": "client address not allowed",
        "status": 403,
    }
    log = direct.wait_for_log("forwarding headers ignored")
    assert "client 127.0.0.1 is not in the allow-list (peer 127.0.0.1)" in log
    assert "X-Forwarded-For='52.89.214.238'" in log

    # Here the test itself plays the reverse proxy on 127.0.0.1.
    proxied = start_gateway(
        {
            **sections,
            "gateway": {**sections["gateway"], "trusted_proxies": "127.0.0.1"},
            "plugin:sql": {"url": f"sqlite:///{tmp_path / 'proxied.db'}"},
        },
        name="proxied",
    )
    accepted = post_alert(proxied, {"X-Forwarded-For": "52.89.214.238"})

    assert accepted.status_code == 200, accepted.text
    alarm = proxied.get(f"/alarms/{accepted.json()['id']}").json()
    assert alarm["client_ip"] == "52.89.214.238"


def test_end_to_end_allowed_ips_wildcard_stops_serve(start_gateway, tmp_path):
    """Case 12-allowlist-cidr-ranges: ``gateway serve`` refuses to start."""
    config_path = tmp_path / "gateway.ini"
    config_path.write_text(
        "[gateway]\nplugins = ipfilter, tradingview\n[logging]\nfile =\n",
        encoding="utf-8",
    )

    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "serve", "--config", str(config_path)],
        env={"ALLOWED_IPS": "192.168.1.*", "PATH": "/usr/bin:/bin"},
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ALLOWED_IPS" in result.stderr
    assert "192.168.1.0/24" in result.stderr
