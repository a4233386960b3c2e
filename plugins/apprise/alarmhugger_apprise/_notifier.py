"""The notifier that hands each alarm to Apprise for every configured URL."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import apprise

from gateway.kit import Notifier
from gateway.kit import SendResult
from gateway.kit import failure_from_template_error
from gateway.kit import mask

from alarmhugger_apprise._settings import NAME

if TYPE_CHECKING:
    from gateway.kit import Alarm

    from alarmhugger_apprise._settings import AppriseSettings

# How much of Apprise's own explanation goes into a failure's detail.
MAX_REASON_CHARACTERS = 160

_FORMATS = {
    "text": apprise.NotifyFormat.TEXT,
    "markdown": apprise.NotifyFormat.MARKDOWN,
    "html": apprise.NotifyFormat.HTML,
}


class AppriseNotifier(Notifier):
    """Sends one notification per alarm to every Apprise URL of the section.

    Apprise reports each service's outcome; the alarm counts as delivered
    only when every service took it. A retry then goes to all of them
    again, so a service that already had it may get it twice.
    """

    name = NAME

    def __init__(self, settings: AppriseSettings) -> None:
        super().__init__(
            settings.alarm_filter,
            min_interval=settings.min_interval,
            max_attempts=settings.max_attempts,
        )
        self.settings = settings
        # Apprise objects keep per-service state; one send at a time.
        self._lock = threading.Lock()
        self._apprise = _load(settings)

    def send(self, alarm: Alarm) -> SendResult:
        """Render title and body, notify every URL, and report which ones failed."""
        try:
            title = self.settings.title.render(alarm)
            body = self.settings.body.render(alarm) or alarm.raw or "(empty alarm)"
        except Exception as error:  # noqa: BLE001
            return failure_from_template_error(error)

        with self._lock:
            outcome = self._apprise.notify(
                body=body,
                title=title,
                body_format=_FORMATS[self.settings.body_format],
            )
        return _result(outcome)

    def describe(self) -> str:
        """Return the URLs' schemes only: the rest of each URL is a credential."""
        return f"{self.name} {', '.join(self.settings.schemes)}"


def _load(settings: AppriseSettings) -> apprise.Apprise:
    loaded = apprise.Apprise()
    for url in settings.urls:
        service = apprise.Apprise.instantiate(url)
        if service is None:
            raise ValueError(f"Apprise cannot load a {url.split(':', 1)[0]} URL")

        # A URL's own cto= / rto= parameters win over the section's timeouts.
        if "cto=" not in url:
            service.socket_connect_timeout = settings.connect_timeout
        if "rto=" not in url:
            service.socket_read_timeout = settings.read_timeout
        loaded.add(service)
    return loaded


def _result(outcome: apprise.AppriseResult) -> SendResult:
    services = list(outcome)
    if outcome:
        count = len(services)
        return SendResult(True, f"sent to {count} service{'s' if count != 1 else ''}")

    failed = [service for service in services if not service]
    if not services:
        return SendResult(False, f"nothing was sent ({outcome.status.name.lower()})")

    reasons = "; ".join(f"{service.name}: {_reason(service)}" for service in failed)
    return SendResult(False, f"{len(failed)} of {len(services)} failed: {reasons}")


def _reason(service: apprise.NotifyResult) -> str:
    messages = [
        entry.message
        for attempt in service.attempts
        for entry in attempt.logs
        if entry.level in {"WARNING", "ERROR", "CRITICAL"}
    ]
    if not messages:
        return service.status.name.lower()

    text = mask(" ".join(messages[-1].split()))
    if len(text) > MAX_REASON_CHARACTERS:
        text = text[: MAX_REASON_CHARACTERS - 1] + "…"
    return text
