"""TLS, logins, and how broker refusals and network failures become a SendResult."""

from __future__ import annotations

import time
from urllib.parse import urlsplit


def test_send_refused_port_fails_quickly(make_notifier, make_alarm, closed_url):
    notifier = make_notifier(port=str(urlsplit(closed_url).port))

    started = time.monotonic()
    result = notifier.send(make_alarm())

    assert time.monotonic() - started < 1
    assert not result.ok
    assert not result.is_permanent
    assert result.detail == "connection refused"


def test_send_port_one_fails_quickly(make_notifier, make_alarm):
    started = time.monotonic()
    result = make_notifier(port="1").send(make_alarm())

    assert time.monotonic() - started < 1
    assert not result.ok
    assert result.detail == "connection refused"


def test_send_unresolvable_host_is_plain_failure(make_notifier, make_alarm):
    result = make_notifier(host="alarmhugger-test.invalid").send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail == "host name could not be resolved"


def test_send_silent_broker_times_out(make_notifier, make_alarm, silent_url):
    # Accepts the TCP connection (in the backlog) but never answers CONNECT.
    notifier = make_notifier(port=str(urlsplit(silent_url).port), timeout="0.3")

    started = time.monotonic()
    result = notifier.send(make_alarm())
    elapsed = time.monotonic() - started

    assert elapsed < 2
    assert not result.ok
    assert not result.is_permanent
    assert result.detail == "no answer to CONNECT within 0.3 s"


def test_send_tls_with_login_delivers(
    tls_broker, make_notifier, make_subscriber, make_alarm, topic_prefix
):
    login = {"username": tls_broker.username, "password": tls_broker.password}
    subscriber = make_subscriber(
        "127.0.0.1",
        tls_broker.port,
        f"{topic_prefix}/#",
        ca_file=tls_broker.ca_file,
        **login,
    )
    notifier = make_notifier(
        port=str(tls_broker.port),
        tls="true",
        ca_file=tls_broker.ca_file,
        topic=f"{topic_prefix}/secure",
        qos="2",
        **login,
    )

    result = notifier.send(make_alarm())

    (message,) = subscriber.wait_for(1)
    assert result.ok
    assert message.topic == f"{topic_prefix}/secure"
    assert notifier.describe().startswith(f"mqtt mqtts://127.0.0.1:{tls_broker.port} ")


def test_send_tls_untrusted_certificate_is_plain_failure(
    tls_broker, make_notifier, make_alarm
):
    notifier = make_notifier(
        port=str(tls_broker.port),
        tls="true",
        username=tls_broker.username,
        password=tls_broker.password,
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail.startswith("certificate not trusted (")


def test_send_wrong_password_is_permanent(tls_broker, make_notifier, make_alarm):
    notifier = make_notifier(
        port=str(tls_broker.port),
        tls="true",
        ca_file=tls_broker.ca_file,
        username=tls_broker.username,
        password="wrong-pw-1234",
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert result.is_permanent
    assert result.detail == "broker refused the connection: Not authorized"


def test_send_broken_template_value_fails_permanently(make_notifier, make_alarm):
    notifier = make_notifier(port="1", topic="a/{{ price / 0 }}")

    result = notifier.send(make_alarm(price=64250.5))

    assert not result.ok
    assert result.is_permanent
    assert result.detail.startswith("template could not be rendered: ")
