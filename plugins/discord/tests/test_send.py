"""DiscordNotifier.send against a stand-in webhook: payloads and answers."""

from __future__ import annotations

from gateway.testing import StubResponse


def test_send_posts_content_with_wait_and_no_pings(
    make_notifier, make_alarm, discord_api
):
    notifier = make_notifier(username="Alerts", avatar_url="https://example.com/a.png")

    result = notifier.send(
        make_alarm(
            ticker="BTCUSDT", action="buy", price=64250.5, message="@everyone up"
        )
    )

    [request] = discord_api.requests
    assert result == type(result)(ok=True, detail="sent")
    assert (
        request.path
        == "/api/webhooks/111111111111111111/made-up-token-Xk2_9fQ?wait=true"
    )
    assert request.json() == {
        "content": "BTCUSDT buy @ 64250.5\n@everyone up",
        "allowed_mentions": {"parse": []},
        "username": "Alerts",
        "avatar_url": "https://example.com/a.png",
    }


def test_send_mentions_setting_allows_those_pings(
    make_notifier, make_alarm, discord_api
):
    notifier = make_notifier(mentions="roles, everyone")

    notifier.send(make_alarm(message="x"))

    assert discord_api.requests[0].json()["allowed_mentions"] == {
        "parse": ["roles", "everyone"]
    }


def test_send_escapes_markdown_in_values_not_template(
    make_notifier, make_alarm, discord_api
):
    notifier = make_notifier(template="**{{ ticker }}** {{ message }}")

    notifier.send(
        make_alarm(ticker="BTC_USD", message="*hot* ||tip|| `x` [a](b) ~~y~~")
    )

    assert discord_api.requests[0].json()["content"] == (
        r"**BTC\_USD** \*hot\* \|\|tip\|\| \`x\` \[a\](b) \~\~y\~\~"
    )


def test_send_long_table_is_split_in_marked_parts_of_2000(
    make_notifier, make_alarm, discord_api, log_lines
):
    table = "\n".join(f"ROW {i:04d} BTC_USDT 64250.5 buy" for i in range(150))
    notifier = make_notifier(template="{{ message }}")
    alarm = make_alarm(message=table)

    result = notifier.send(alarm)

    texts = [request.json()["content"] for request in discord_api.requests]
    assert result.ok
    assert result.detail == "sent in 3 parts"
    assert [text[-6:] for text in texts] == [" (1/3)", " (2/3)", " (3/3)"]
    assert all(len(text) <= 2000 for text in texts)
    rows = "\n".join(text.rsplit(" ", 1)[0] for text in texts).split("\n")
    assert rows == [rf"ROW {i:04d} BTC\_USDT 64250.5 buy" for i in range(150)]
    assert f"INFO discord: alarm {alarm.id} sent in 3 parts" in log_lines


def test_send_long_text_without_split_is_truncated(
    make_notifier, make_alarm, discord_api
):
    notifier = make_notifier(template="{{ message }}", split="no")
    alarm = make_alarm(id="0196a1b2-0000-7000-8000-000000000001", message="z" * 5000)

    notifier.send(alarm)

    [request] = discord_api.requests
    content = request.json()["content"]
    assert len(content) == 2000
    assert content.endswith(
        "z\n… full text: alarm #0196a1b2-0000-7000-8000-000000000001"
    )


def test_send_bucket_emptied_by_first_part_defers_the_second(
    make_notifier, make_alarm, discord_api, answers, accepted
):
    answers[0] = lambda request, count: accepted(request, count, remaining=0)
    notifier = make_notifier(template="{{ message }}")
    alarm = make_alarm(message="\n".join("q" * 90 for _ in range(30)))

    first = notifier.send(alarm)
    second = notifier.send(alarm)

    texts = [request.json()["content"] for request in discord_api.requests]
    assert first.is_rate_limited
    assert first.retry_after == 2.0
    assert first.detail.startswith("part 2/2: rate window used up, next part waits 2 s")
    assert second.ok
    assert [text[-5:] for text in texts] == ["(1/2)", "(2/2)"]


def test_send_invalid_form_body_is_permanent_with_field_error(
    make_notifier, make_alarm, answers
):
    answers[0] = StubResponse(
        400,
        {
            "message": "Invalid Form Body",
            "code": 50035,
            "errors": {
                "content": {
                    "_errors": [
                        {
                            "code": "BASE_TYPE_MAX_LENGTH",
                            "message": "Must be 2000 or fewer in length.",
                        }
                    ]
                }
            },
        },
    )
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="x"))

    assert result.is_permanent
    assert result.detail == (
        "HTTP 400: Invalid Form Body (code 50035):"
        " content: Must be 2000 or fewer in length."
    )


def test_send_server_error_is_a_plain_failure(make_notifier, make_alarm, answers):
    answers[0] = StubResponse(502, body=b"<html>bad gateway</html>")

    result = make_notifier().send(make_alarm(message="x"))

    assert (result.ok, result.is_permanent, result.is_rate_limited) == (
        False,
        False,
        False,
    )
    assert result.detail == "HTTP 502"


def test_send_cloudflare_429_uses_retry_after_header(
    make_notifier, make_alarm, answers
):
    answers[0] = StubResponse(
        429, body=b"error code: 1015", headers={"Retry-After": "7"}
    )

    result = make_notifier().send(make_alarm(message="x"))

    assert result.is_rate_limited
    assert result.retry_after == 7.0
    assert result.pause_notifier_for == 7.0


def test_send_retry_after_in_milliseconds_falls_back_to_header(
    make_notifier, make_alarm, answers, rate_limited
):
    answers[0] = rate_limited(1750, header="2")

    result = make_notifier().send(make_alarm(message="x"))

    assert result.retry_after == 2.0


def test_send_slow_webhook_times_out_as_plain_failure(
    make_notifier, make_alarm, silent_url, webhook_token
):
    notifier = make_notifier(
        webhook_url=f"{silent_url}/api/webhooks/111111111111111111/{webhook_token}",
        read_timeout=0.2,
    )

    result = notifier.send(make_alarm(message="x"))

    assert not result.ok
    assert not result.is_permanent
    assert result.detail.startswith("read timed out (ReadTimeout) at 127.0.0.1:")


def test_accepts_where_key_matches_a_field(make_notifier, make_alarm):
    notifier = make_notifier(where="signal=rsi")

    assert notifier.accepts(make_alarm(signal="RSI"))
    assert not notifier.accepts(make_alarm(signal="macd"))
