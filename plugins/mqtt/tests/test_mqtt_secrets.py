"""Case 34: the broker password never shows in logs, details or describe()."""

from __future__ import annotations


def test_describe_shows_broker_and_topic_only(make_notifier):
    notifier = make_notifier(
        host="broker.example.com",
        port="8883",
        tls="true",
        username="gateway",
        password="mqtt-pw-describe-1",
    )

    assert notifier.describe() == (
        "mqtt mqtts://broker.example.com:8883 topic "
        'alarmhugger/{{ source }}/{{ ticker or "unknown" }}'
    )
    assert "mqtt-pw-describe-1" not in repr(notifier.settings)


def test_send_refused_login_keeps_password_out_of_logs_and_details(
    tls_broker, make_notifier, make_alarm, log_records
):
    notifier = make_notifier(
        port=str(tls_broker.port),
        tls="true",
        ca_file=tls_broker.ca_file,
        username=tls_broker.username,
        password=tls_broker.password + "-old",
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    seen = repr(log_records) + result.detail + notifier.describe()
    assert tls_broker.password not in seen
