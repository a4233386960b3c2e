"""Cleaning rendered topics into names a broker accepts for publishing."""

from __future__ import annotations

import pytest

from alarmhugger_mqtt import clean_topic


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        pytest.param("alarms/default/BTCUSDT", "alarms/default/BTCUSDT", id="clean"),
        pytest.param("alarms/+/#", "alarms/_/_", id="wildcards"),
        pytest.param("alarms//BTC/", "alarms/BTC", id="empty-levels"),
        pytest.param("/alarms/BTC", "alarms/BTC", id="leading-slash"),
        pytest.param(" alarms / BTC ", "alarms/BTC", id="spaces-around-levels"),
        pytest.param("$SYS/broker", "_SYS/broker", id="dollar-start"),
        pytest.param("alarms/\x00BTC", "alarms/_BTC", id="nul"),
        pytest.param("", "alarmhugger", id="empty"),
        pytest.param("///", "alarmhugger", id="only-slashes"),
        pytest.param("alarms/🚀", "alarms/🚀", id="emoji"),
    ],
)
def test_clean_topic_texts_become_valid_topics(text, topic):
    assert clean_topic(text) == topic


def test_clean_topic_overlong_is_cut_on_a_character():
    topic = clean_topic("a/" + "é" * 2000)

    assert len(topic.encode("utf-8")) <= 1024
    topic.encode("utf-8").decode("utf-8")
