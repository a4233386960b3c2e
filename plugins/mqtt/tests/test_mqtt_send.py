"""What subscribers receive from the broker at 127.0.0.1:1883."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
import paho.mqtt.publish
import pytest
from loguru import logger
from paho.mqtt.enums import CallbackAPIVersion

from gateway.kit import alarm_to_json


def test_send_default_payload_publishes_alarm_json(
    subscriber, topic_prefix, make_notifier, make_alarm
):
    alarm = make_alarm(ticker="BTCUSDT")
    notifier = make_notifier(
        topic=f'{topic_prefix}/{{{{ source }}}}/{{{{ ticker or "unknown" }}}}'
    )

    result = notifier.send(alarm)

    (message,) = subscriber.wait_for(1)
    assert result.ok
    assert result.detail == "published with QoS 1"
    assert message.topic == f"{topic_prefix}/default/BTCUSDT"
    assert message.payload == alarm_to_json(alarm).encode("utf-8")
    assert message.qos == 1
    assert not message.retain


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_send_qos_level_arrives_with_that_qos(
    subscriber, topic_prefix, make_notifier, make_alarm, qos
):
    notifier = make_notifier(topic=f"{topic_prefix}/q", qos=str(qos))

    result = notifier.send(make_alarm())

    (message,) = subscriber.wait_for(1)
    assert result.ok
    assert message.qos == qos


def test_send_template_payload_publishes_text_with_emoji(
    subscriber, topic_prefix, make_notifier, make_alarm
):
    notifier = make_notifier(
        topic=f"{topic_prefix}/text",
        template="{{ ticker }} {{ action }}: {{ message }}",
    )

    notifier.send(make_alarm(ticker="BTCUSDT", action="buy", message="🚀 breakout ✅"))

    (message,) = subscriber.wait_for(1)
    assert message.payload.decode("utf-8") == "BTCUSDT buy: 🚀 breakout ✅"


@pytest.mark.parametrize(
    ("source", "ticker", "levels"),
    [
        pytest.param("default", "EUR/USD", "default/EUR_USD", id="slash-in-value"),
        pytest.param("default", "BTC+#", "default/BTC__", id="wildcards-in-value"),
        pytest.param("default", None, "default/unknown", id="no-ticker"),
        pytest.param("", "BTCUSDT", "BTCUSDT", id="empty-level-dropped"),
    ],
)
def test_send_topic_values_fill_one_clean_level(
    subscriber, topic_prefix, make_notifier, make_alarm, source, ticker, levels
):
    notifier = make_notifier(
        topic=f'{topic_prefix}/{{{{ source }}}}/{{{{ ticker or "unknown" }}}}'
    )

    result = notifier.send(make_alarm(source=source, ticker=ticker))

    (message,) = subscriber.wait_for(1)
    assert result.ok
    assert message.topic == f"{topic_prefix}/{levels}"


def test_send_retain_keeps_message_for_later_subscribers(
    topic_prefix, make_notifier, make_subscriber, make_alarm
):
    notifier = make_notifier(topic=f"{topic_prefix}/last", retain="true")
    assert notifier.send(make_alarm(id="01J9ZK3V7Q8Y2W4E6R8T0Y2U4I")).ok

    late = make_subscriber("127.0.0.1", 1883, f"{topic_prefix}/last")

    (message,) = late.wait_for(1)
    assert message.retain
    assert message.payload.startswith(b'{"id": "01J9ZK3V7Q8Y2W4E6R8T0Y2U4I"')
    # An empty retained message clears it, so the broker does not keep it.
    paho.mqtt.publish.single(
        f"{topic_prefix}/last", b"", retain=True, hostname="127.0.0.1"
    )


def test_send_several_alarms_share_one_connection(
    subscriber, topic_prefix, make_notifier, make_alarm, log_lines
):
    notifier = make_notifier(topic=f"{topic_prefix}/{{{{ ticker }}}}")

    results = [notifier.send(make_alarm(ticker=f"T{number}")) for number in range(5)]

    messages = subscriber.wait_for(5)
    assert all(result.ok for result in results)
    assert sorted(message.topic for message in messages) == [
        f"{topic_prefix}/T{number}" for number in range(5)
    ]
    assert log_lines.count("INFO connected to MQTT broker") == 1


def test_send_after_connection_lost_reconnects_and_delivers(
    subscriber, topic_prefix, make_notifier, make_alarm
):
    notifier = make_notifier(
        topic=f"{topic_prefix}/x", client_id=f"ah-{topic_prefix[-12:]}"
    )
    assert notifier.send(make_alarm()).ok
    lost = threading.Event()
    sink_id = logger.add(
        lambda message: lost.set(),
        filter=lambda record: record["message"] == "MQTT connection lost",
    )

    # The broker drops a client when another connects with the same id.
    usurper = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"ah-{topic_prefix[-12:]}"
    )
    usurper.connect("127.0.0.1", 1883)
    usurper.loop_start()
    try:
        assert lost.wait(5)
    finally:
        usurper.disconnect()
        usurper.loop_stop()
        logger.remove(sink_id)

    result = notifier.send(make_alarm(ticker="AFTER"))

    messages = subscriber.wait_for(2)
    assert result.ok
    assert b'"ticker": "AFTER"' in messages[1].payload


def test_close_then_send_connects_again(
    subscriber, topic_prefix, make_notifier, make_alarm
):
    notifier = make_notifier(topic=f"{topic_prefix}/x")
    assert notifier.send(make_alarm()).ok

    notifier.close()
    notifier.close()
    result = notifier.send(make_alarm())

    assert result.ok
    assert len(subscriber.wait_for(2)) == 2
