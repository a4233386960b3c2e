"""TelegramNotifier.send against a stand-in Bot API: payloads and answers."""

from __future__ import annotations

from gateway.testing import StubResponse


def test_send_plain_mode_posts_text_without_parse_mode(
    make_notifier, make_alarm, telegram_api
):
    notifier = make_notifier(template="{{ ticker }} {{ action }} <{{ price }}> *")

    result = notifier.send(make_alarm(ticker="BTC-USD", action="buy", price=64250.5))

    [request] = telegram_api.requests
    assert result == type(result)(ok=True, detail="sent")
    assert request.method == "POST"
    assert request.path == "/bot123456:ABC-made-up-token/sendMessage"
    assert request.json() == {
        "chat_id": -1001234567890,
        "text": "BTC-USD buy <64250.5> *",
    }


def test_send_default_template_shows_ticker_action_price_and_message(
    make_notifier, make_alarm, telegram_api
):
    notifier = make_notifier(chat_id="@alerts_channel")

    notifier.send(
        make_alarm(ticker="ETHUSD", action="sell", price=3100.25, message="RSI high")
    )

    payload = telegram_api.requests[0].json()
    assert payload["chat_id"] == "@alerts_channel"
    assert payload["text"] == "ETHUSD sell @ 3100.25\nRSI high"


def test_send_html_mode_escapes_values_but_keeps_tags(
    make_notifier, make_alarm, telegram_api
):
    notifier = make_notifier(
        parse_mode="HTML", template="<b>{{ ticker }}</b> {{ message }}"
    )

    notifier.send(make_alarm(ticker="S&P500", message="close < open & vol > 2x"))

    payload = telegram_api.requests[0].json()
    assert payload["parse_mode"] == "HTML"
    assert payload["text"] == "<b>S&amp;P500</b> close &lt; open &amp; vol &gt; 2x"


def test_send_html_parse_error_falls_back_to_text_without_tags(
    make_notifier, make_alarm, telegram_api, answers, refusal
):
    answers[0] = refusal(
        400, 'Bad Request: can\'t parse entities: Unsupported start tag "x"'
    )
    notifier = make_notifier(
        parse_mode="HTML", template="<x>{{ ticker }}</x> {{ message }}"
    )

    result = notifier.send(make_alarm(ticker="S&P500", message="a < b"))

    assert result.state == "sent_plain_fallback"
    assert telegram_api.requests[1].json() == {
        "chat_id": -1001234567890,
        "text": "S&P500 a < b",
    }


def test_send_plain_fallback_refused_too_returns_that_refusal(
    make_notifier, make_alarm, answers, refusal
):
    answers[0] = refusal(
        400, "Bad Request: can't parse entities: Can't find end of entity"
    )
    answers[1] = refusal(403, "Forbidden: bot was kicked from the supergroup chat")
    notifier = make_notifier(parse_mode="MarkdownV2", template="*{{ ticker }}")

    result = notifier.send(make_alarm(ticker="BTC"))

    assert not result.ok
    assert result.is_permanent
    assert (
        result.detail == "HTTP 403: Forbidden: bot was kicked from the supergroup chat"
    )


def test_send_server_error_is_a_plain_failure(
    make_notifier, make_alarm, answers, refusal
):
    answers[0] = refusal(502, "Bad Gateway")
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="x"))

    assert (result.ok, result.is_permanent, result.is_rate_limited) == (
        False,
        False,
        False,
    )
    assert result.detail == "HTTP 502: Bad Gateway"


def test_send_html_error_page_is_a_plain_failure(make_notifier, make_alarm, answers):
    answers[0] = StubResponse(503, body=b"<html>Service Unavailable</html>")
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="x"))

    assert not result.ok
    assert not result.is_permanent
    assert result.detail == "HTTP 503"


def test_send_bot_blocked_is_permanent(make_notifier, make_alarm, answers, refusal):
    answers[0] = refusal(403, "Forbidden: bot was blocked by the user")
    notifier = make_notifier(chat_id="42")

    result = notifier.send(make_alarm(message="x"))

    assert result.is_permanent
    assert "bot was blocked" in result.detail


def test_send_migrated_group_is_permanent_and_names_new_chat(
    make_notifier, make_alarm, answers, refusal
):
    answers[0] = refusal(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=-1009876543210,
    )
    notifier = make_notifier(chat_id="-12345")

    result = notifier.send(make_alarm(message="x"))

    assert result.is_permanent
    assert result.detail.endswith(
        "(the group is now a supergroup: set chat_id = -1009876543210)"
    )


def test_send_retry_after_only_in_description_is_read(
    make_notifier, make_alarm, answers
):
    answers[0] = StubResponse(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
        },
    )
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="x"))

    assert result.is_rate_limited
    assert result.retry_after == 7


def test_send_slow_api_times_out_as_plain_failure(
    make_notifier, make_alarm, silent_url, bot_token
):
    notifier = make_notifier(api_url=silent_url, read_timeout=0.2)

    result = notifier.send(make_alarm(message="x"))

    assert not result.ok
    assert not result.is_permanent
    assert result.detail.startswith("read timed out (ReadTimeout) at 127.0.0.1:")
    assert bot_token not in result.detail


def test_send_second_part_rate_limited_resumes_without_repeating_first(
    make_notifier, make_alarm, telegram_api, answers, refusal
):
    answers[1] = refusal(429, "Too Many Requests: retry after 5", retry_after=5)
    notifier = make_notifier(template="{{ message }}")
    alarm = make_alarm(
        message="\n".join(f"line {i:04d} " + "x" * 40 for i in range(200))
    )

    first = notifier.send(alarm)
    second = notifier.send(alarm)

    texts = [request.json()["text"] for request in telegram_api.requests]
    assert first.is_rate_limited
    assert first.retry_after == 5
    assert first.detail == (
        "part 2/3: HTTP 429: Too Many Requests: retry after 5"
        " (parts 1-1 sent, not repeated on retry)"
    )
    assert second.ok
    assert second.detail == "sent in 3 parts (parts 1-1 sent before)"
    assert [text[-5:] for text in texts] == ["(1/3)", "(2/3)", "(2/3)", "(3/3)"]


def test_send_part_refused_permanently_starts_over_next_time(
    make_notifier, make_alarm, telegram_api, answers, refusal
):
    answers[1] = refusal(400, "Bad Request: chat not found")
    notifier = make_notifier(template="{{ message }}")
    alarm = make_alarm(message="\n".join("y" * 60 for _ in range(100)))

    first = notifier.send(alarm)
    notifier.send(alarm)

    texts = [request.json()["text"] for request in telegram_api.requests]
    assert first.is_permanent
    assert first.detail == "part 2/2: HTTP 400: Bad Request: chat not found"
    assert [text[-5:] for text in texts] == ["(1/2)", "(2/2)", "(1/2)", "(2/2)"]


def test_send_several_parts_pauses_the_chat_per_part(make_notifier, make_alarm):
    notifier = make_notifier(template="{{ message }}", min_interval=2)

    result = notifier.send(make_alarm(message="\n".join("z" * 60 for _ in range(100))))

    assert result.ok
    assert result.pause_notifier_for == 4


def test_send_single_message_sets_no_pause(make_notifier, make_alarm):
    result = make_notifier().send(make_alarm(message="short"))

    assert result.pause_notifier_for is None


def test_send_template_rendering_nothing_is_permanent(
    make_notifier, make_alarm, telegram_api
):
    notifier = make_notifier(template="{{ fields.missing }}")

    result = notifier.send(make_alarm(message="x"))

    assert result.is_permanent
    assert result.detail == "the template rendered an empty message"
    assert telegram_api.requests == []


def test_accepts_routing_keys_limit_the_alarms(make_notifier, make_alarm):
    notifier = make_notifier(tickers="BTCUSDT, ETHUSDT", actions="buy")

    assert notifier.accepts(make_alarm(ticker="btcusdt", action="BUY"))
    assert not notifier.accepts(make_alarm(ticker="SOLUSDT", action="buy"))
    assert not notifier.accepts(make_alarm(ticker="BTCUSDT", action="sell"))


def test_send_template_raising_is_permanent(make_notifier, make_alarm, telegram_api):
    notifier = make_notifier(template="{{ price + 1 }}")

    result = notifier.send(make_alarm(message="no price"))

    assert result.is_permanent
    assert result.detail.startswith("the template failed: TypeError: ")
    assert telegram_api.requests == []


def test_send_lone_surrogate_is_replaced_not_fatal(
    make_notifier, make_alarm, telegram_api
):
    notifier = make_notifier(template="{{ message }}")

    result = notifier.send(make_alarm(message="bad \udc80 byte"))

    assert result.ok
    assert telegram_api.requests[0].json()["text"] == "bad ? byte"
