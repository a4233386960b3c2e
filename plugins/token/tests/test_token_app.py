"""The token screen inside a gateway app: answers, stored alarms, logs."""

from __future__ import annotations

import pytest

SECRET = "tv-hook-7f3a"


@pytest.fixture
def client(make_app, memory_storage):
    app = make_app(
        {
            "gateway": {"plugins": "token, tradingview, memory"},
            "plugin:token": {"secret": SECRET},
        },
        plugins={"memory": memory_storage},
    )
    return app.test_client()


def post(
    client, body, path="/alarms/webhook", content_type="application/json", **kwargs
):
    return client.post(path, data=body, content_type=content_type, **kwargs)


def assert_secret_nowhere(memory_storage, log_records):
    for alarm in memory_storage.alarms:
        assert SECRET not in repr(alarm)
    for record in log_records:
        assert SECRET not in record["message"]
        assert SECRET not in repr(record["extra"])


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        (
            f"/alarms/webhook?token={SECRET}",
            '{"ticker":"BTCUSDT","action":"buy"}',
            "application/json",
        ),
        (
            f"/alarms/webhook/btc/{SECRET}",
            '{"ticker":"BTCUSDT","action":"buy"}',
            "application/json",
        ),
        (
            "/alarms/webhook",
            f'{{"passphrase":"{SECRET}","ticker":"BTCUSDT","action":"buy"}}',
            "application/json",
        ),
        (
            "/alarms/webhook",
            f"ticker=BTCUSDT; action=buy; token={SECRET}",
            "text/plain",
        ),
        (
            "/alarms/webhook",
            f'{{"passphrase":"{SECRET}","ticker":"BTCUSDT","action":"buy"}}\n',
            "text/plain",
        ),
    ],
    ids=["query", "path", "json-field", "keyvalue-field", "json-sent-as-text"],
)
def test_webhook_right_token_is_stored_without_it(
    client, memory_storage, log_records, path, body, content_type
):
    response = post(client, body, path, content_type)

    assert response.status_code == 200, response.json
    [alarm] = memory_storage.alarms
    assert alarm.ticker == "BTCUSDT"
    assert not {"passphrase", "token"} & set(alarm.fields)
    assert_secret_nowhere(memory_storage, log_records)


def test_webhook_json_field_token_is_masked_in_raw(client, memory_storage):
    post(client, f'{{"passphrase":"{SECRET}","ticker":"BTCUSDT"}}')

    [alarm] = memory_storage.alarms
    assert alarm.raw == '{"passphrase":"***","ticker":"BTCUSDT"}'
    assert alarm.fields["ticker"] == "BTCUSDT"


def test_webhook_token_in_message_text_is_masked(client, memory_storage, log_records):
    body = f"Long BTCUSDT now\npassphrase: {SECRET}"

    response = post(client, body, content_type="text/plain")

    assert response.status_code == 200
    [alarm] = memory_storage.alarms
    assert "***" in alarm.raw
    assert_secret_nowhere(memory_storage, log_records)


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        ("/alarms/webhook", '{"ticker":"BTCUSDT"}', "missing webhook token"),
        (
            "/alarms/webhook?token=tv-hook-0000",
            '{"ticker":"BTCUSDT"}',
            "wrong webhook token",
        ),
        (
            "/alarms/webhook/btc/tv-hook-0000",
            '{"ticker":"BTCUSDT"}',
            "wrong webhook token",
        ),
        ("/alarms/webhook", '{"passphrase":"tv-hook-0000"}', "wrong webhook token"),
    ],
    ids=["missing", "wrong-query", "wrong-path", "wrong-body"],
)
def test_webhook_missing_or_wrong_token_is_401_json(
    client, memory_storage, log_records, path, body, reason
):
    response = post(client, body, path)

    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert response.json["reason"].startswith(reason)
    assert memory_storage.alarms == []
    warnings = [r["message"] for r in log_records if r["level"].name == "WARNING"]
    assert any(reason in message for message in warnings)


def test_webhook_secretkey_environment_variable_sets_secret(
    make_app, memory_storage, monkeypatch
):
    monkeypatch.setenv("SECRETKEY", "from-env-5ecret")
    app = make_app(
        {"gateway": {"plugins": "token, tradingview, memory"}},
        plugins={"memory": memory_storage},
    )

    response = post(app.test_client(), "{}", "/alarms/webhook?token=from-env-5ecret")

    assert response.status_code == 200


def test_app_token_enabled_without_secret_stops_start(
    make_app, memory_storage, monkeypatch
):
    from gateway.kit import ConfigError

    monkeypatch.delenv("SECRETKEY", raising=False)
    with pytest.raises(ConfigError) as caught:
        make_app(
            {"gateway": {"plugins": "token, tradingview, memory"}},
            plugins={"memory": memory_storage},
        )

    assert "[plugin:token] secret" in str(caught.value)
