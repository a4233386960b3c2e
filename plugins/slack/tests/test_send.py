"""SlackNotifier.send against a stand-in incoming webhook: payloads and answers."""

from __future__ import annotations


def test_send_posts_text_with_values_escaped(make_notifier, make_alarm, slack_api):
    notifier = make_notifier(template="*{{ ticker }}* <!here> {{ message }}")

    result = notifier.send(
        make_alarm(ticker="S&P500", message="close < open & <!channel> > 2x")
    )

    [request] = slack_api.requests
    assert result == type(result)(ok=True, detail="sent")
    assert request.method == "POST"
    assert request.path == "/services/T00000000/B00000000/madeupmadeupmadeup"
    assert request.json() == {
        "text": "*S&amp;P500* <!here> close &lt; open &amp; &lt;!channel&gt; &gt; 2x"
    }


def test_send_mrkdwn_off_is_sent_as_flag(make_notifier, make_alarm, slack_api):
    notifier = make_notifier(mrkdwn="false")

    notifier.send(make_alarm(message="*not bold*"))

    assert slack_api.requests[0].json() == {"text": "*not bold*", "mrkdwn": False}


def test_send_long_text_is_split_in_parts_of_4000(
    make_notifier, make_alarm, slack_api, log_lines
):
    table = "\n".join(f"ROW {i:04d} S&P500 5321.5 buy" for i in range(300))
    notifier = make_notifier(template="{{ message }}")
    alarm = make_alarm(message=table)

    result = notifier.send(alarm)

    texts = [request.json()["text"] for request in slack_api.requests]
    assert result.ok
    assert result.detail == "sent in 3 parts"
    assert all(len(text) <= 4000 for text in texts)
    assert [text[-6:] for text in texts] == [" (1/3)", " (2/3)", " (3/3)"]
    rows = "\n".join(text.rsplit(" ", 1)[0] for text in texts).split("\n")
    assert rows == [f"ROW {i:04d} S&amp;P500 5321.5 buy" for i in range(300)]
    assert f"INFO slack: alarm {alarm.id} sent in 3 parts" in log_lines


def test_send_long_line_is_never_cut_inside_an_entity(
    make_notifier, make_alarm, slack_api
):
    notifier = make_notifier(template="{{ message }}")

    notifier.send(make_alarm(message="&" * 1500))

    texts = [request.json()["text"].rsplit(" ", 1)[0] for request in slack_api.requests]
    assert len(texts) == 2
    assert all(text == "&amp;" * (len(text) // 5) for text in texts)
    assert sum(len(text) for text in texts) == 7500


def test_send_without_split_truncates_with_pointer(
    make_notifier, make_alarm, slack_api
):
    notifier = make_notifier(template="{{ message }}", split="off")

    notifier.send(make_alarm(id="a-1", message="word " * 2000))

    [request] = slack_api.requests
    text = request.json()["text"]
    assert len(text) <= 4000
    assert text.endswith("word\n… full text: alarm #a-1")


def test_send_third_part_rate_limited_resumes_there(
    make_notifier, make_alarm, slack_api, answers, answer
):
    answers[2] = answer(429, "", {"Retry-After": "1"})
    notifier = make_notifier(template="{{ message }}")
    alarm = make_alarm(message="\n".join("m" * 99 for _ in range(100)))

    first = notifier.send(alarm)
    second = notifier.send(alarm)

    texts = [request.json()["text"] for request in slack_api.requests]
    assert first.is_rate_limited
    assert first.detail.startswith("part 3/3: HTTP 429")
    assert second.ok
    assert second.detail == "sent in 3 parts (parts 1-2 sent before)"
    assert [text[-5:] for text in texts] == ["(1/3)", "(2/3)", "(3/3)", "(3/3)"]


def test_send_slow_webhook_times_out_as_plain_failure(
    make_notifier, make_alarm, silent_url, webhook_secret
):
    notifier = make_notifier(
        webhook_url=f"{silent_url}/services/T00000000/B00000000/{webhook_secret}",
        read_timeout=0.2,
    )

    result = notifier.send(make_alarm(message="x"))

    assert not result.ok
    assert not result.is_permanent
    assert result.detail.startswith("read timed out (ReadTimeout) at 127.0.0.1:")


def test_send_no_service_names_the_fix(make_notifier, make_alarm, answers, answer):
    answers[0] = answer(404, "no_service")

    result = make_notifier().send(make_alarm(message="x"))

    assert result.detail == (
        "HTTP 404: no_service (the webhook was removed or revoked: create a new one)"
    )


def test_accepts_sources_key_limits_routes(make_notifier, make_alarm):
    notifier = make_notifier(sources="default")

    assert notifier.accepts(make_alarm(message="x"))
