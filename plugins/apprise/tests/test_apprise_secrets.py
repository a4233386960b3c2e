"""Case 34: Apprise URLs are credentials; only their schemes are ever shown."""

from __future__ import annotations

from gateway.kit import mask
from gateway.testing import StubResponse

BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_describe_shows_schemes_only(make_notifier):
    notifier = make_notifier(
        urls=f"tgram://{BOT_TOKEN}/-1001234567890, json://127.0.0.1:9/n, "
        "tgram://987654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsbx/42"
    )

    assert notifier.describe() == "apprise tgram, json"
    assert BOT_TOKEN not in repr(notifier.settings)


def test_configure_registers_url_and_token_parts_for_masking(make_notifier):
    make_notifier(urls=f"tgram://{BOT_TOKEN}/-1001234567890")

    line = f"posting to https://api.telegram.org/bot{BOT_TOKEN}/sendMessage"
    assert mask(line) == "posting to https://api.telegram.org/bot***/sendMessage"
    assert mask(f"tgram://{BOT_TOKEN}/-1001234567890") == "***"


def test_send_failure_keeps_url_secrets_out_of_logs_and_details(
    stub_server, make_notifier, make_alarm, log_records
):
    path_token = "hk-5a4b3c2d1e0f9a8b"
    stub_server.respond = lambda request, count: StubResponse(
        403, body=f"bad token {path_token}".encode()
    )
    notifier = make_notifier(
        urls=stub_server.url.replace("http://", "json://hook:pw-77aa88bb@")
        + f"/h/{path_token}"
    )

    result = notifier.send(make_alarm())

    seen = repr(log_records) + result.detail + notifier.describe()
    assert not result.ok
    assert path_token not in seen
    assert "pw-77aa88bb" not in seen
