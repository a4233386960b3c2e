"""The shared cases this plugin answers for (slugs in each docstring)."""

from __future__ import annotations


def test_send_emoji_alert_arrives_intact(make_notifier, make_alarm, telegram_api):
    """23-emoji-in-alert-breaks-log-sink: the chat gets the emoji unchanged."""
    notifier = make_notifier(parse_mode="MarkdownV2", template="{{ message }}")
    alarm = make_alarm(message="🚀 BTCUSDT breakout ✅ target 70k 🎯")

    result = notifier.send(alarm)

    [request] = telegram_api.requests
    assert result.ok
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json()["text"] == "🚀 BTCUSDT breakout ✅ target 70k 🎯"


def test_send_flood_limit_returns_rate_limited_with_retry_after(
    make_notifier, make_alarm, answers, refusal
):
    """26-telegram-429-retry-after: the 429's retry_after pauses the chat."""
    answers["*"] = refusal(429, "Too Many Requests: retry after 34", retry_after=34)
    notifier = make_notifier()

    result = notifier.send(make_alarm(ticker="BTCUSDT", message="breakout"))

    assert not result.ok
    assert result.is_rate_limited
    assert not result.is_permanent
    assert result.retry_after == 34
    assert result.pause_notifier_for == 34
    assert result.detail == "HTTP 429: Too Many Requests: retry after 34"


def test_send_after_twenty_messages_rate_limits_the_rest(
    make_notifier, make_alarm, answers, refusal
):
    """26-telegram-429-retry-after: a burst of 40, refused after the 20th."""
    limited = refusal(429, "Too Many Requests: retry after 34", retry_after=34)
    answers.update({count: limited for count in range(20, 40)})
    notifier = make_notifier()

    results = [notifier.send(make_alarm(message=f"alert {n}")) for n in range(40)]

    assert notifier.min_interval == 3.0
    assert all(result.ok for result in results[:20])
    assert all(result.is_rate_limited for result in results[20:])
    assert {result.retry_after for result in results[20:]} == {34}


def test_send_markdown_v2_escapes_values_not_template(
    make_notifier, make_alarm, telegram_api
):
    """27-telegram-markdownv2-reserved-characters: values escaped, template's * kept."""
    notifier = make_notifier(
        parse_mode="MarkdownV2", template="*{{ ticker }}* {{ action }} @ {{ price }}"
    )
    alarm = make_alarm(
        ticker="BTC-USD", action="buy", price=64250.5, note="RSI(14) > 70! [tf=1h]"
    )

    result = notifier.send(alarm)

    [request] = telegram_api.requests
    assert result.ok
    assert result.state is None
    assert request.json()["parse_mode"] == "MarkdownV2"
    assert request.json()["text"] == r"*BTC\-USD* buy @ 64250\.5"


def test_send_markdown_v2_escapes_every_reserved_character(
    make_notifier, make_alarm, telegram_api
):
    """27-telegram-markdownv2-reserved-characters: the note's ( ) > ! [ ] = too."""
    notifier = make_notifier(parse_mode="MarkdownV2", template="_{{ fields.note }}_")

    notifier.send(make_alarm(note="RSI(14) > 70! [tf=1h]"))

    assert telegram_api.requests[0].json()["text"] == r"_RSI\(14\) \> 70\! \[tf\=1h\]_"


def test_send_unparseable_markup_resends_once_as_plain_text(
    make_notifier, make_alarm, telegram_api, answers, refusal, log_lines
):
    """27-telegram-markdownv2-reserved-characters: a parse error falls back to plain."""
    said = (
        "Bad Request: can't parse entities: Character '-' is reserved "
        "and must be escaped with the preceding '\\'"
    )
    answers[0] = refusal(400, said)
    notifier = make_notifier(
        parse_mode="MarkdownV2", template="*{{ ticker }} up-trend* @ {{ price }}"
    )

    result = notifier.send(make_alarm(ticker="BTC-USD", price=64250.5))

    first, second = telegram_api.requests
    assert result.ok
    assert result.state == "sent_plain_fallback"
    assert first.json()["text"] == r"*BTC\-USD up-trend* @ 64250\.5"
    assert "parse_mode" not in second.json()
    assert second.json()["text"] == "*BTC-USD up-trend* @ 64250.5"
    assert any(line.startswith("WARNING") and said in line for line in log_lines)


def test_send_220_line_table_goes_in_two_marked_parts(
    make_notifier, make_alarm, telegram_api, log_lines
):
    """29-telegram-message-too-long: ≤ 4096 after escaping, (1/2) (2/2)."""
    table = "\n".join(f"ROW {i:04d} BTCUSDT 64250.5 buy" for i in range(220))
    notifier = make_notifier(parse_mode="MarkdownV2", template="{{ message }}")
    alarm = make_alarm(message=table)

    result = notifier.send(alarm)

    texts = [request.json()["text"] for request in telegram_api.requests]
    assert result.ok
    assert result.detail == "sent in 2 parts"
    assert len(texts) == 2
    assert all(len(text) <= 4096 for text in texts)
    assert texts[0].endswith(r" \(1/2\)")
    assert texts[1].endswith(r" \(2/2\)")
    assert texts[0].startswith(r"ROW 0000 BTCUSDT 64250\.5 buy")
    rows = "\n".join(text.rsplit(" ", 1)[0] for text in texts).split("\n")
    assert rows == [r"ROW {:04d} BTCUSDT 64250\.5 buy".format(i) for i in range(220)]
    assert f"INFO telegram: alarm {alarm.id} sent in 2 parts" in log_lines


def test_send_long_text_without_split_is_truncated_with_pointer(
    make_notifier, make_alarm, telegram_api
):
    """29-telegram-message-too-long: split = false cuts once and names the alarm."""
    table = "\n".join(f"ROW {i:04d} BTCUSDT 64250.5 buy" for i in range(220))
    notifier = make_notifier(split="false", template="{{ message }}")
    alarm = make_alarm(id="0196a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", message=table)

    result = notifier.send(alarm)

    [request] = telegram_api.requests
    text = request.json()["text"]
    assert result.ok
    assert len(text) <= 4096
    assert text.endswith("\n… full text: alarm #0196a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b")
    # 29 characters a row: 139 whole rows fit before the pointer.
    assert text.split("\n")[-2] == "ROW 0138 BTCUSDT 64250.5 buy"


def test_send_message_too_long_answer_is_permanent(
    make_notifier, make_alarm, answers, refusal
):
    """29-telegram-message-too-long: "message is too long" is permanent."""
    answers[0] = refusal(400, "Bad Request: message is too long")
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="x" * 100))

    assert not result.ok
    assert result.is_permanent
    assert result.detail == "HTTP 400: Bad Request: message is too long"


def test_send_failures_never_show_the_bot_token(
    make_notifier, make_alarm, answers, refusal, bot_token, log_lines
):
    """34-notifier-webhook-url-logged: 401, 404, 500, 429, parse error: masked."""
    answers.update(
        {
            0: refusal(401, "Unauthorized"),
            1: refusal(404, "Not Found"),
            2: refusal(500, "Internal Server Error"),
            3: refusal(429, "Too Many Requests: retry after 3", retry_after=3),
            4: refusal(400, f"Bad Request: can't parse entities in /bot{bot_token}/"),
            5: refusal(400, f"Bad Request: chat not found for bot{bot_token}"),
        }
    )
    notifier = make_notifier(parse_mode="HTML")

    results = [notifier.send(make_alarm(message=f"alert {n}")) for n in range(5)]

    assert [result.ok for result in results] == [False, False, False, False, False]
    shown = [result.detail for result in results] + log_lines + [notifier.describe()]
    assert not [text for text in shown if bot_token in text]
    assert any("bot***" in text for text in log_lines)
    assert "***" in results[4].detail


def test_send_unreachable_api_never_shows_the_bot_token(
    make_notifier, make_alarm, bot_token, closed_url, log_lines
):
    """34-notifier-webhook-url-logged: a refused connection is reported masked."""
    address = closed_url
    notifier = make_notifier(api_url=address, connect_timeout=0.5)

    result = notifier.send(make_alarm(message="breakout"))

    assert not result.ok
    assert not result.is_permanent
    assert result.detail == (
        f"connection failed (ConnectionError) at "
        f"{address.removeprefix('http://')}/bot***/sendMessage"
    )
    assert not [line for line in log_lines if bot_token in line]


def test_describe_masks_the_bot_token(make_notifier, telegram_api, bot_token):
    """34-notifier-webhook-url-logged: describe() shows bot*** only."""
    notifier = make_notifier()

    shown = notifier.describe()

    host = telegram_api.url.removeprefix("http://")
    assert shown == f"telegram: chat -1001234567890 via {host}/bot***/sendMessage"
    assert bot_token not in repr(notifier.settings)
