"""What the SMTP server receives: envelope, headers, UTF-8 body and subject."""

from __future__ import annotations

import datetime as dt

import pytest

# A TradingView alarm with emoji, as the e-mail tests send it.
BREAKOUT = {
    "ticker": "BTCUSDT",
    "action": "buy",
    "price": 64250.5,
    "message": "🚀 BTCUSDT breakout ✅ target 70k 🎯",
}


def test_send_plain_server_receives_message(mailbox, make_notifier, make_alarm):
    notifier = make_notifier(
        host="127.0.0.1", port=str(mailbox.port), to="ops@example.com"
    )

    result = notifier.send(make_alarm(id="01J9ZK3V7Q8Y2W4E6R8T0Y2U4I"))

    (received,) = mailbox.wait_for(1)
    message = received.message
    assert result.ok
    assert result.detail == "sent to 1 recipient"
    assert received.mail_from == "bot@example.com"
    assert received.rcpt_tos == ["ops@example.com"]
    assert message["From"] == "AlarmHugger <bot@example.com>"
    assert message["To"] == "ops@example.com"
    assert message["X-AlarmHugger-Alarm-Id"] == "01J9ZK3V7Q8Y2W4E6R8T0Y2U4I"
    assert message["Message-ID"].endswith("@example.com>")
    assert message["Date"]


def test_send_emoji_subject_arrives_encoded_and_intact(
    mailbox, make_notifier, make_alarm
):
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(mailbox.port),
        to="ops@example.com",
        subject="{{ message }}",
    )

    notifier.send(make_alarm(**BREAKOUT))

    (received,) = mailbox.wait_for(1)
    raw_subject = next(
        line for line in received.content.split(b"\r\n") if line.startswith(b"Subject:")
    )
    assert raw_subject.isascii()
    assert b"=?utf-8?" in raw_subject
    assert received.message["Subject"] == "🚀 BTCUSDT breakout ✅ target 70k 🎯"


def test_send_emoji_body_arrives_as_utf8_text(mailbox, make_notifier, make_alarm):
    notifier = make_notifier(
        host="127.0.0.1", port=str(mailbox.port), to="ops@example.com"
    )

    notifier.send(
        make_alarm(
            id="01J9ZK3V7Q8Y2W4E6R8T0Y2U4I",
            received_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc),
            client_ip="52.89.214.238",
            **BREAKOUT,
        )
    )

    (received,) = mailbox.wait_for(1)
    message = received.message
    assert received.content.isascii()
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n") == (
        "BTCUSDT buy @ 64250.5\n\n"
        "🚀 BTCUSDT breakout ✅ target 70k 🎯\n\n"
        "--\n"
        "Received 2024-05-01 12:00:00 UTC on route default from 52.89.214.238\n"
        "Alarm 01J9ZK3V7Q8Y2W4E6R8T0Y2U4I\n"
    )


def test_send_default_subject_names_ticker_and_action(
    mailbox, make_notifier, make_alarm
):
    notifier = make_notifier(
        host="127.0.0.1", port=str(mailbox.port), to="ops@example.com"
    )

    notifier.send(make_alarm(**BREAKOUT))
    notifier.send(make_alarm(ticker=None, action=None, source="binance"))

    first, second = mailbox.wait_for(2)
    assert first.message["Subject"] == "[AlarmHugger] BTCUSDT buy"
    assert second.message["Subject"] == "[AlarmHugger] binance"


@pytest.mark.parametrize(
    ("template", "subject"),
    [
        pytest.param("{{ message }}", "line one line two", id="newlines-joined"),
        pytest.param("{{ fields.missing }}", "AlarmHugger alarm", id="empty-fallback"),
        pytest.param("{{ message * 50 }}", "line one", id="long-shortened"),
    ],
)
def test_send_subject_template_output_is_one_short_line(
    mailbox, make_notifier, make_alarm, template, subject
):
    notifier = make_notifier(
        host="127.0.0.1", port=str(mailbox.port), to="ops@example.com", subject=template
    )

    notifier.send(make_alarm(message="line one\r\nline two\n"))

    (received,) = mailbox.wait_for(1)
    sent = received.message["Subject"]
    assert sent.startswith(subject)
    assert len(sent) <= 200


def test_send_several_recipients_all_receive(mailbox, make_notifier, make_alarm):
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(mailbox.port),
        to='ops@example.com, "Doe, Jane" <jane@example.com>, Zoë <zoe@example.org>',
    )

    result = notifier.send(make_alarm())

    (received,) = mailbox.wait_for(1)
    assert result.detail == "sent to 3 recipients"
    assert received.rcpt_tos == [
        "ops@example.com",
        "jane@example.com",
        "zoe@example.org",
    ]
    assert [str(address) for address in received.message["To"].addresses] == [
        "ops@example.com",
        '"Doe, Jane" <jane@example.com>',
        "Zoë <zoe@example.org>",
    ]


def test_send_body_template_renders_alarm_fields(mailbox, make_notifier, make_alarm):
    notifier = make_notifier(
        host="127.0.0.1",
        port=str(mailbox.port),
        to="ops@example.com",
        body="{{ ticker }} closed at {{ price }} ({{ fields.rsi }})",
    )

    notifier.send(make_alarm(ticker="BTCUSDT", price=64250.5, rsi=71))

    (received,) = mailbox.wait_for(1)
    assert received.message.get_content() == "BTCUSDT closed at 64250.5 (71)\r\n"
