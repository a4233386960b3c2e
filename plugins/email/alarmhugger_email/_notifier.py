"""The notifier that mails each alarm to a fixed list of recipients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.kit import Notifier
from gateway.kit import SendResult
from gateway.kit import failure_from_template_error

from alarmhugger_email._message import build_message
from alarmhugger_email._settings import NAME
from alarmhugger_email._smtp import deliver

if TYPE_CHECKING:
    from gateway.kit import Alarm

    from alarmhugger_email._settings import EmailSettings


class EmailNotifier(Notifier):
    """Sends one e-mail per alarm, opening a fresh SMTP session each time.

    Alarms are rare enough that a kept-open session would mostly sit idle
    until the server drops it; a new session per message is simpler and
    lets sends from several dispatcher threads run side by side.
    """

    name = NAME

    def __init__(self, settings: EmailSettings) -> None:
        super().__init__(
            settings.alarm_filter,
            min_interval=settings.min_interval,
            max_attempts=settings.max_attempts,
        )
        self.settings = settings

    def send(self, alarm: Alarm) -> SendResult:
        """Build the message and hand it to the SMTP server."""
        try:
            message = build_message(self.settings, alarm)
        except Exception as error:  # noqa: BLE001
            return failure_from_template_error(error)
        return deliver(self.settings, message)

    def describe(self) -> str:
        """Return the server, the security mode and the recipients."""
        settings = self.settings
        recipients = ", ".join(item.addr_spec for item in settings.recipients)
        return (
            f"{self.name} smtp://{settings.host}:{settings.port} "
            f"({settings.security}) to {recipients}"
        )
