"""The notifier that publishes each alarm to an MQTT topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.kit import Notifier
from gateway.kit import SendResult
from gateway.kit import failure_from_template_error
from gateway.kit import alarm_to_json

from alarmhugger_mqtt._connection import BrokerConnection
from alarmhugger_mqtt._settings import NAME

if TYPE_CHECKING:
    from gateway.kit import Alarm

    from alarmhugger_mqtt._settings import MqttSettings


class MqttNotifier(Notifier):
    """Publishes one message per alarm over one kept-open broker connection.

    The connection is opened by the first send (or :meth:`connect`), and
    reopened by the next send after it is lost.
    """

    name = NAME

    def __init__(self, settings: MqttSettings) -> None:
        super().__init__(
            settings.alarm_filter,
            min_interval=settings.min_interval,
            max_attempts=settings.max_attempts,
        )
        self.settings = settings
        self.connection = BrokerConnection(settings, self.describe())

    def send(self, alarm: Alarm) -> SendResult:
        """Render topic and payload, publish, and wait for the broker to have it."""
        try:
            topic = self.settings.topic.render(alarm)
            payload = self._payload(alarm)
        except Exception as error:  # noqa: BLE001
            return failure_from_template_error(error)
        return self.connection.publish(topic, payload)

    def close(self) -> None:
        """Disconnect from the broker; safe to call more than once."""
        self.connection.close()

    def describe(self) -> str:
        """Return the broker's address and the topic template."""
        scheme = "mqtts" if self.settings.tls else "mqtt"
        return (
            f"{self.name} {scheme}://{self.settings.host}:{self.settings.port} "
            f"topic {self.settings.topic.source}"
        )

    def _payload(self, alarm: Alarm) -> bytes:
        if self.settings.payload == "template":
            return self.settings.template.render(alarm).encode("utf-8")
        return alarm_to_json(alarm).encode("utf-8")
