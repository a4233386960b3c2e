"""Logins, TLS, and how SMTP refusals and network failures become a SendResult."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

# The login test server takes passwords without TLS on purpose; aiosmtpd warns.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"
)


def test_send_login_with_right_password_delivers(
    auth_mailbox, make_notifier, make_alarm, login
):
    notifier = make_notifier(
        host="127.0.0.1", port=str(auth_mailbox.port), to="ops@example.com", **login
    )

    result = notifier.send(make_alarm())

    assert result.ok
    assert len(auth_mailbox.wait_for(1)) == 1


def test_send_login_with_wrong_password_is_permanent(
    auth_mailbox, make_notifier, make_alarm, login
):
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(auth_mailbox.port),
        to="ops@example.com",
        username=login["username"],
        password="wrong-pw-0f1e2d",
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert result.is_permanent
    assert result.detail.startswith("login: refused with 535 ")
    assert auth_mailbox.received == []


def test_send_without_login_to_server_requiring_one_is_permanent(
    auth_mailbox, make_notifier, make_alarm
):
    notifier = make_notifier(
        host="127.0.0.1", port=str(auth_mailbox.port), to="ops@example.com"
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert result.is_permanent
    assert result.detail.startswith("send: refused with 530 ")


def test_send_login_to_server_without_auth_is_permanent(
    mailbox, make_notifier, make_alarm, login
):
    notifier = make_notifier(
        host="127.0.0.1", port=str(mailbox.port), to="ops@example.com", **login
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert result.is_permanent
    assert result.detail == "login: SMTP AUTH extension not supported by server."


def test_send_starttls_with_login_delivers(
    starttls_mailbox, make_notifier, make_alarm, login, tls_files
):
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(starttls_mailbox.port),
        security="starttls",
        ca_file=str(tls_files[0]),
        to="ops@example.com",
        **login,
    )

    result = notifier.send(make_alarm(ticker="BTCUSDT", action="buy"))

    (received,) = starttls_mailbox.wait_for(1)
    assert result.ok
    assert received.message["Subject"] == "[AlarmHugger] BTCUSDT buy"


def test_send_starttls_untrusted_certificate_is_plain_failure(
    starttls_mailbox, make_notifier, make_alarm, login
):
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(starttls_mailbox.port),
        security="starttls",
        to="ops@example.com",
        **login,
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail.startswith("starttls: certificate not trusted (")
    assert starttls_mailbox.received == []


def test_send_starttls_to_server_without_it_is_permanent(
    mailbox, make_notifier, make_alarm
):
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(mailbox.port),
        security="starttls",
        to="ops@example.com",
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert result.is_permanent
    assert result.detail == "starttls: STARTTLS extension not supported by server."


def test_send_ssl_delivers(ssl_mailbox, make_notifier, make_alarm, tls_files):
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(ssl_mailbox.port),
        security="ssl",
        ca_file=str(tls_files[0]),
        to="ops@example.com",
    )

    result = notifier.send(make_alarm(ticker="BTCUSDT", action="buy"))

    (received,) = ssl_mailbox.wait_for(1)
    assert result.ok
    assert received.message["Subject"] == "[AlarmHugger] BTCUSDT buy"


def test_send_ssl_to_plain_server_is_plain_failure(mailbox, make_notifier, make_alarm):
    notifier = make_notifier(
        host="127.0.0.1", port=str(mailbox.port), security="ssl", to="ops@example.com"
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail.startswith("connect: ")


@pytest.mark.parametrize(
    ("answer", "is_permanent"),
    [
        pytest.param("550 5.1.1 No such user", True, id="550"),
        pytest.param("450 4.2.1 Mailbox busy", False, id="450"),
    ],
)
def test_send_every_recipient_refused_maps_code(
    mailbox, make_notifier, make_alarm, answer, is_permanent
):
    mailbox.rcpt_answers = {"a@example.com": answer, "b@example.com": answer}
    notifier = make_notifier(
        host="127.0.0.1", port=str(mailbox.port), to="a@example.com, b@example.com"
    )

    result = notifier.send(make_alarm())

    code, text = answer.split(" ", 1)
    assert not result.ok
    assert result.is_permanent is is_permanent
    assert result.detail == (
        f"send: every recipient was refused: a@example.com ({code} {text}); "
        f"b@example.com ({code} {text})"
    )


def test_send_some_recipients_refused_is_ok_naming_them(
    mailbox, make_notifier, make_alarm
):
    mailbox.rcpt_answers = {"gone@example.com": "550 5.1.1 No such user"}
    notifier = make_notifier(
        host="127.0.0.1", port=str(mailbox.port), to="ops@example.com, gone@example.com"
    )

    result = notifier.send(make_alarm())

    (received,) = mailbox.wait_for(1)
    assert result.ok
    assert result.detail == "sent; refused: gone@example.com (550 5.1.1 No such user)"
    assert received.rcpt_tos == ["ops@example.com"]


@pytest.mark.parametrize(
    ("answer", "is_permanent"),
    [
        pytest.param("554 5.7.1 Message rejected as spam", True, id="554"),
        pytest.param("451 4.3.0 Try again later", False, id="451"),
    ],
)
def test_send_message_refused_maps_code(
    mailbox, make_notifier, make_alarm, answer, is_permanent
):
    mailbox.data_answer = answer
    notifier = make_notifier(
        host="127.0.0.1", port=str(mailbox.port), to="ops@example.com"
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert result.is_permanent is is_permanent
    assert result.detail == f"send: refused with {answer}"


def test_send_refused_connection_is_plain_failure(
    make_notifier, make_alarm, closed_url
):
    notifier = make_notifier(
        host="127.0.0.1", port=str(urlsplit(closed_url).port), to="ops@example.com"
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail == "connect: connection refused"


def test_send_silent_server_times_out_as_plain_failure(
    make_notifier, make_alarm, silent_url
):
    # The TCP handshake completes in the backlog, but no SMTP greeting comes.
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(urlsplit(silent_url).port),
        timeout="0.3",
        to="ops@example.com",
    )

    started = time.monotonic()
    result = notifier.send(make_alarm())

    assert time.monotonic() - started < 2
    assert not result.ok
    assert not result.is_permanent
    assert result.detail == "connect: no answer within 0.3 s"


def test_send_broken_template_value_fails_permanently(
    mailbox, make_notifier, make_alarm
):
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(mailbox.port),
        to="ops@example.com",
        body="{{ 1 / 0 }}",
    )

    result = notifier.send(make_alarm())

    assert not result.ok
    assert result.is_permanent
    assert result.detail.startswith("template could not be rendered: ZeroDivisionError")
