"""What chat notifiers share (gateway.chat): settings, fitting text, parts, the base."""

from __future__ import annotations

import re

import pytest

from gateway.chat import ChatNotifier
from gateway.chat import ChatPlugin
from gateway.chat import ChatSettings
from gateway.chat import PartProgress
from gateway.chat import ServiceAddress
from gateway.chat import cut_outside_backslash
from gateway.chat import cut_outside_entity
from gateway.chat import fit_message
from gateway.chat import match_webhook_url
from gateway.chat import read_chat_settings
from gateway.chat import send_in_parts
from gateway.chat import split_message
from gateway.chat import utf16_length
from gateway.config import GatewayConfig
from gateway.config import load_config
from gateway.errors import ConfigError
from gateway.kit import SendResult
from gateway.kit import json_or_empty
from gateway.kit import mask
from gateway.kit import result_from_status
from gateway.plugins import PluginHost
from gateway.testing import StubResponse
from gateway.testing import make_alarm

SECTION = "plugin:chatstub"


def plain_marker(number: int, total: int) -> str:
    return f" ({number}/{total})"


def no_cut(text: str, position: int) -> int:
    return position


# --------------------------------------------------------------------------
# Fitting text to a limit
# --------------------------------------------------------------------------


def test_utf16_length_counts_astral_emoji_twice():
    assert utf16_length("a🚀é") == 4


def test_fit_message_short_text_is_one_part():
    parts = fit_message(
        "hello", 40, split=True, marker=plain_marker, truncation="…", safe_cut=no_cut
    )

    assert parts == ["hello"]


def test_fit_message_counts_emoji_as_two_units():
    text = "\n".join("🚀" * 40 for _ in range(6))

    parts = fit_message(
        text, 100, split=True, marker=plain_marker, truncation="…", safe_cut=no_cut
    )

    assert len(parts) == 6
    assert all(utf16_length(part) <= 100 for part in parts)
    assert "".join(part.rsplit(" ", 1)[0] for part in parts) == "🚀" * 240


def test_fit_message_long_line_is_cut_where_safe_cut_allows():
    def after_x(text: str, position: int) -> int:
        return text.rfind("x", 0, position) + 1

    text = ("abcx" * 30).strip()

    parts = fit_message(
        text, 50, split=True, marker=plain_marker, truncation="…", safe_cut=after_x
    )

    bodies = [part.rsplit(" ", 1)[0] for part in parts]
    assert all(body.endswith("x") for body in bodies)
    assert "".join(bodies) == text


def test_fit_message_safe_cut_that_gives_up_still_makes_progress():
    text = "y" * 200

    parts = fit_message(
        text,
        40,
        split=True,
        marker=plain_marker,
        truncation="…",
        safe_cut=lambda text, position: 0,
    )

    assert all(utf16_length(part) <= 40 for part in parts)
    assert "".join(part.rsplit(" ", 1)[0] for part in parts) == text


def test_fit_message_blank_lines_that_vanish_leave_one_unmarked_part():
    text = "alert" + "\n" * 80

    parts = fit_message(
        text, 40, split=True, marker=plain_marker, truncation="…", safe_cut=no_cut
    )

    assert parts == ["alert"]


def test_fit_message_without_split_truncates_at_a_line_break():
    text = "\n".join(f"row {i:02d}" for i in range(20))

    [part] = fit_message(
        text, 40, split=False, marker=plain_marker, truncation="\n…#7", safe_cut=no_cut
    )

    assert part == "row 00\nrow 01\nrow 02\nrow 03\nrow 04\n…#7"


def test_fit_message_without_split_ends_at_a_space_not_inside_a_word():
    text = "word " * 30

    [part] = fit_message(
        text, 42, split=False, marker=plain_marker, truncation=" …", safe_cut=no_cut
    )

    assert part == "word " * 7 + "word …"
    assert utf16_length(part) <= 42


def test_fit_message_without_split_one_long_word_is_cut_within_the_limit():
    [part] = fit_message(
        "z" * 100, 40, split=False, marker=plain_marker, truncation="…", safe_cut=no_cut
    )

    assert part == "z" * 39 + "…"


def test_fit_message_limit_without_room_for_text_is_refused():
    with pytest.raises(ValueError, match="leaves 6 units"):
        fit_message(
            "q" * 100,
            16,
            split=True,
            marker=plain_marker,
            truncation="…",
            safe_cut=no_cut,
        )


def test_split_message_marks_parts_and_keeps_each_within_the_limit():
    text = "\n".join(f"line {i:03d} " + "x" * 20 for i in range(30))

    parts = split_message(text, 100)

    assert len(parts) > 1
    assert all(len(part) <= 100 for part in parts)
    assert parts[0].endswith(f" (1/{len(parts)})")
    rebuilt = "\n".join(re.sub(r" \(\d+/\d+\)$", "", part) for part in parts)
    assert rebuilt == text


def test_split_message_without_marker_cuts_a_long_line_anywhere():
    assert split_message("a" * 90, 40, marker=False) == ["a" * 40, "a" * 40, "a" * 10]


def test_split_message_short_text_is_returned_as_is():
    assert split_message("short", 10) == ["short"]


def test_split_message_tiny_limit_is_refused():
    with pytest.raises(ValueError):
        split_message("m" * 100, 20)


def test_cut_outside_backslash_keeps_backslash_with_its_character():
    assert cut_outside_backslash(r"abc\.def", 4) == 3
    assert cut_outside_backslash(r"ab\\cd", 4) == 4
    assert cut_outside_backslash("abcdef", 4) == 4


def test_cut_outside_entity_moves_before_an_unfinished_entity_or_tag():
    assert cut_outside_entity("ab &amp; cd", 6) == 3
    assert cut_outside_entity("ab &amp; cd", 8) == 8
    assert cut_outside_entity("x <https://a.b|link> y", 10) == 2
    assert cut_outside_entity('ab <a href="x">l</a>', 9) == 3


# --------------------------------------------------------------------------
# Sending in parts
# --------------------------------------------------------------------------


def test_send_in_parts_stops_at_first_refusal_and_resumes_there():
    progress = PartProgress()
    answers = iter(
        [
            SendResult(ok=True),
            SendResult(ok=False, detail="HTTP 500"),
            SendResult(ok=True),
            SendResult(ok=True),
        ]
    )
    sent: list[str] = []

    def send_part(text: str) -> SendResult:
        sent.append(text)
        return next(answers)

    failed = send_in_parts("a1", ["p1", "p2", "p3"], progress, send_part)
    done = send_in_parts("a1", ["p1", "p2", "p3"], progress, send_part)

    assert failed.detail == "part 2/3: HTTP 500 (parts 1-1 sent, not repeated on retry)"
    assert done.ok
    assert done.detail == "sent in 3 parts (parts 1-1 sent before)"
    assert sent == ["p1", "p2", "p2", "p3"]
    assert progress.already_sent("a1", ["p1", "p2", "p3"]) == 0


def test_send_in_parts_permanent_refusal_starts_over_next_time():
    progress = PartProgress()
    progress.record("a3", ["p1", "p2"], 1)

    result = send_in_parts(
        "a3",
        ["p1", "p2"],
        progress,
        lambda text: SendResult(ok=False, detail="HTTP 400", is_permanent=True),
    )

    assert result.is_permanent
    assert result.detail == "part 2/2: HTTP 400"
    assert progress.already_sent("a3", ["p1", "p2"]) == 0


def test_send_in_parts_used_up_window_defers_the_next_part():
    progress = PartProgress()

    result = send_in_parts(
        "a2",
        ["p1", "p2"],
        progress,
        lambda text: SendResult(ok=True, pause_notifier_for=0.8),
    )

    assert result.is_rate_limited
    assert result.retry_after == 0.8
    assert result.detail.startswith(
        "part 2/2: rate window used up, next part waits 0.8 s"
    )
    assert progress.already_sent("a2", ["p1", "p2"]) == 1


def test_send_in_parts_several_parts_pause_the_notifier_per_part():
    result = send_in_parts(
        "a4",
        ["p1", "p2", "p3"],
        PartProgress(),
        lambda text: SendResult(ok=True),
        min_interval=1.5,
    )

    assert result.ok
    assert result.pause_notifier_for == 4.5


def test_part_progress_forgets_when_parts_change_or_capacity_is_full():
    progress = PartProgress(capacity=2)
    progress.record("a", ["x", "y"], 1)
    progress.record("b", ["x", "y"], 1)
    progress.record("c", ["x", "y"], 1)

    assert progress.already_sent("a", ["x", "y"]) == 0
    assert progress.already_sent("b", ["x", "y"]) == 1
    assert progress.already_sent("b", ["x", "z"]) == 0


# --------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------


def read(**raw: str) -> ChatSettings:
    return read_chat_settings(
        SECTION, raw, own_keys=("webhook_url",), escape=None, default_interval=2.0
    )


def test_read_chat_settings_empty_section_uses_defaults():
    chat = read()

    assert chat.split is True
    assert (chat.min_interval, chat.max_attempts) == (2.0, 5)
    assert (chat.connect_timeout, chat.read_timeout) == (5.0, 10.0)
    assert chat.alarm_filter.accepts(make_alarm(ticker="BTCUSDT"))


def test_read_chat_settings_reads_every_shared_key():
    chat = read(
        split="no",
        min_interval="0.25",
        max_attempts="9",
        connect_timeout="1.5",
        read_timeout="30",
        tickers="ETHUSDT",
    )

    assert chat.split is False
    assert (chat.min_interval, chat.max_attempts) == (0.25, 9)
    assert (chat.connect_timeout, chat.read_timeout) == (1.5, 30.0)
    assert not chat.alarm_filter.accepts(make_alarm(ticker="BTCUSDT"))


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("split", "maybe", "true or false"),
        ("min_interval", "-1", "a number of seconds from 0 to 600"),
        ("max_attempts", "0", "a whole number from 1 to 100"),
        ("read_timeout", "soon", "a number of seconds from 0.1 to 300"),
        ("template", "{{ ticker", "a valid Jinja2 template"),
    ],
    ids=["split", "interval", "attempts", "timeout", "template"],
)
def test_read_chat_settings_bad_value_names_the_key(key, value, expected):
    with pytest.raises(ConfigError) as caught:
        read(**{key: value})

    assert (caught.value.section, caught.value.key) == (SECTION, key)
    assert expected in caught.value.expected


def test_read_chat_settings_unknown_key_is_refused_and_masked_if_secret_looking():
    with pytest.raises(ConfigError) as typo:
        read(webhok_url="https://hooks.example/s3cr3t")
    with pytest.raises(ConfigError) as other:
        read(colour="blue")

    assert typo.value.key == "webhok_url"
    assert typo.value.value == "***"
    assert "webhook_url" in typo.value.expected
    assert other.value.value == "blue"


def test_match_webhook_url_registers_the_secret_before_refusing():
    path = re.compile(r"^/hooks/(?P<id>\d+)/(?P<secret>[a-z0-9]+)$")

    with pytest.raises(ConfigError) as caught:
        match_webhook_url(
            SECTION,
            "webhook_url",
            "ftp://hooks.example/hooks/42/m4tchsecret",
            path,
            expected="an http(s) hook URL",
        )

    assert "m4tchsecret" not in str(caught.value)
    assert mask("leaked m4tchsecret") == "leaked ***"


def test_match_webhook_url_returns_the_parts_and_the_match():
    path = re.compile(r"^/hooks/(?P<id>\d+)/(?P<secret>[a-z0-9]+)$")

    parts, match = match_webhook_url(
        SECTION,
        "webhook_url",
        "https://hooks.example/hooks/42/okay0secret",
        path,
        expected="a hook URL",
    )

    assert parts.netloc == "hooks.example"
    assert (match.group("id"), match.group("secret")) == ("42", "okay0secret")


@pytest.mark.parametrize(
    "url",
    ["", "https://hooks.example/elsewhere/42/abc"],
    ids=["empty", "other-path"],
)
def test_match_webhook_url_missing_or_other_shape_is_refused(url):
    path = re.compile(r"^/hooks/(?P<id>\d+)/(?P<secret>[a-z0-9]+)$")

    with pytest.raises(ConfigError) as caught:
        match_webhook_url(SECTION, "webhook_url", url, path, expected="a hook URL")

    assert caught.value.key == "webhook_url"
    assert "abc" not in str(caught.value)


# --------------------------------------------------------------------------
# The notifier and its plugin, against a real HTTP server
# --------------------------------------------------------------------------

SECRET = "chat-stub-s3cr3t-0001"


class StubNotifier(ChatNotifier):
    """Posts ``{"text": ...}`` and reads the answer with the core's helpers."""

    message_limit = 60

    def send_part(self, text: str) -> SendResult:
        answer = self.post_json({"text": text})
        if isinstance(answer, SendResult):
            return answer
        said = self.scrub(str(json_or_empty(answer).get("error", "")))
        return result_from_status(
            answer.status_code, f"HTTP {answer.status_code} {said}"
        )


class StubPlugin(ChatPlugin[ChatSettings]):
    """Reads ``[plugin:chatstub]`` with only the shared keys."""

    name = "chatstub"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def read_settings(self, raw):
        return read_chat_settings(
            SECTION, raw, own_keys=(), escape=None, default_interval=0.0
        )

    def make_notifier(self, settings):
        address = ServiceAddress(
            url=f"{self.url}/hook/{SECRET}", secret=SECRET, shown="127.0.0.1/hook/***"
        )
        return StubNotifier(self.name, settings, address)


def notifier_for(url: str, **raw: str) -> StubNotifier:
    config = GatewayConfig({SECTION: raw})
    plugin = StubPlugin(url)
    plugin.gateway_configure(config)
    [notifier] = plugin.gateway_register_notifiers(config)
    assert isinstance(notifier, StubNotifier)
    return notifier


def test_chat_notifier_splits_long_text_and_posts_parts_in_order(stub_server):
    notifier = notifier_for(stub_server.url, template="{{ raw }}")
    alarm = make_alarm(raw="\n".join(f"row {i:02d} " + "=" * 20 for i in range(6)))

    result = notifier.send(alarm)

    texts = [request.json()["text"] for request in stub_server.requests]
    assert result.ok
    assert result.detail == f"sent in {len(texts)} parts"
    assert texts[0].startswith("row 00") and texts[-1].endswith(f"/{len(texts)})")
    assert all(request.path == f"/hook/{SECRET}" for request in stub_server.requests)
    assert stub_server.requests[0].headers["user-agent"] == "alarmhugger-chatstub"


def test_chat_notifier_without_split_truncates_with_pointer(stub_server):
    notifier = notifier_for(stub_server.url, template="{{ raw }}", split="false")

    result = notifier.send(make_alarm(id="7f", raw="word " * 40))

    [request] = stub_server.requests
    assert result.ok
    assert request.json()["text"].endswith("\n… full text: alarm #7f")
    assert utf16_length(request.json()["text"]) <= 60


def test_chat_notifier_answer_quoting_the_secret_is_scrubbed(stub_server):
    stub_server.respond = lambda request, count: StubResponse(
        404, {"error": f"no hook {SECRET}"}
    )
    notifier = notifier_for(stub_server.url)

    result = notifier.send(make_alarm(ticker="BTCUSDT"))

    assert result.is_permanent
    assert result.detail == "HTTP 404 no hook ***"


def test_chat_notifier_unreachable_target_is_a_failure_without_the_secret():
    notifier = notifier_for("http://127.0.0.1:9", connect_timeout="0.5")

    result = notifier.send(make_alarm(ticker="BTCUSDT"))

    assert not result.ok and not result.is_permanent
    assert SECRET not in result.detail
    assert result.detail.endswith("at 127.0.0.1/hook/***")


def test_chat_notifier_template_failing_is_permanent(stub_server):
    notifier = notifier_for(stub_server.url, template="{{ fields.x.y() }}")

    result = notifier.send(make_alarm(ticker="BTCUSDT"))

    assert result.is_permanent
    assert result.detail.startswith("the template failed:")
    assert stub_server.requests == []


def test_chat_notifier_describe_and_repr_show_the_masked_address(stub_server):
    notifier = notifier_for(stub_server.url)

    assert notifier.describe() == "chatstub: 127.0.0.1/hook/***"
    assert SECRET not in repr(notifier)


def test_chat_plugin_hooks_are_found_on_the_base_class(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(
        overrides={"gateway": {"plugins": "chatstub"}, SECTION: {"split": "no"}},
        environ={},
    )

    host = PluginHost.from_config(
        config, extra={"chatstub": StubPlugin("http://127.0.0.1:9")}
    )
    [(plugin, notifiers)] = host.call_all("gateway_register_notifiers", config=config)

    assert plugin == "chatstub"
    assert [notifier.name for notifier in notifiers] == ["chatstub"]
    assert notifiers[0].chat.split is False
