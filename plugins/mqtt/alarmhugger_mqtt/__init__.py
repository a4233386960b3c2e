"""The bundled MQTT notifier for AlarmHugger: one message per alarm on a topic.

The core finds :class:`MqttPlugin` through the ``alarmhugger.plugins``
entry point ``mqtt``. Settings, topics and how failures are retried are in
this plugin's README.
"""

from __future__ import annotations

from alarmhugger_mqtt._notifier import MqttNotifier
from alarmhugger_mqtt._plugin import MqttPlugin
from alarmhugger_mqtt._settings import MqttSettings
from alarmhugger_mqtt._topic import DEFAULT_TOPIC
from alarmhugger_mqtt._topic import TopicTemplate
from alarmhugger_mqtt._topic import clean_topic

__all__ = [
    "DEFAULT_TOPIC",
    "MqttNotifier",
    "MqttPlugin",
    "MqttSettings",
    "TopicTemplate",
    "clean_topic",
]
