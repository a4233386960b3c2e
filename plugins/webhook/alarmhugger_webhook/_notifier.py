"""The notifier that forwards each alarm to one HTTP endpoint."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import requests
from loguru import logger
from requests.adapters import HTTPAdapter

from gateway.kit import Notifier
from gateway.kit import SendResult
from gateway.kit import failure_from_template_error
from gateway.kit import alarm_to_json

from alarmhugger_webhook._response import result_from_error
from alarmhugger_webhook._response import result_from_response
from alarmhugger_webhook._settings import NAME
from alarmhugger_webhook._signature import SIGNATURE_HEADER
from alarmhugger_webhook._signature import TIMESTAMP_HEADER
from alarmhugger_webhook._signature import sign_body
from alarmhugger_webhook._url import redact_url

if TYPE_CHECKING:
    from gateway.kit import Alarm

    from alarmhugger_webhook._settings import WebhookSettings

ALARM_ID_HEADER = "X-AlarmHugger-Alarm-Id"
USER_AGENT = "AlarmHugger-webhook/0.1"

# Bytes of an answer's body read for the failure detail; the rest is dropped.
MAX_ANSWER_BYTES = 4096

log = logger.bind(plugin=NAME)


class WebhookNotifier(Notifier):
    """Sends each alarm as one HTTP request: the alarm's JSON or a template.

    One :class:`requests.Session` is kept for connection reuse; sends from
    several dispatcher threads share it safely.
    """

    name = NAME

    def __init__(self, settings: WebhookSettings) -> None:
        super().__init__(
            settings.alarm_filter,
            min_interval=settings.min_interval,
            max_attempts=settings.max_attempts,
        )
        self.settings = settings
        self._target = redact_url(settings.url)
        self._session = requests.Session()
        # No hidden retries: the dispatcher decides when to try again.
        self._session.mount("http://", HTTPAdapter(max_retries=0))
        self._session.mount("https://", HTTPAdapter(max_retries=0))

    def send(self, alarm: Alarm) -> SendResult:
        """POST (or PUT) the alarm and map the answer to a :class:`SendResult`."""
        try:
            body, content_type = self._render(alarm)
        except Exception as error:  # noqa: BLE001
            return failure_from_template_error(error)

        headers = self._headers_for(alarm, body, content_type)
        started = time.monotonic()
        try:
            response = self._session.request(
                self.settings.method,
                self.settings.url,
                data=body,
                headers=headers,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as error:
            return result_from_error(
                error, self.settings.connect_timeout, self.settings.read_timeout
            )

        with response:
            answer = _read_start(response)
        log.debug(
            "webhook answered",
            status=response.status_code,
            seconds=round(time.monotonic() - started, 3),
            target=self._target,
        )
        return result_from_response(response.status_code, response.headers, answer)

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def describe(self) -> str:
        """Return the method and the URL with its credentials masked."""
        return f"{self.name} {self.settings.method} {self._target}"

    def _render(self, alarm: Alarm) -> tuple[bytes, str]:
        if self.settings.payload == "template":
            text = self.settings.template.render(alarm)
            return text.encode("utf-8"), "text/plain; charset=utf-8"
        return alarm_to_json(alarm).encode("utf-8"), "application/json"

    def _headers_for(
        self, alarm: Alarm, body: bytes, content_type: str
    ) -> dict[str, str]:
        headers = {
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
            ALARM_ID_HEADER: alarm.id,
        }
        # Configured headers win, so Content-Type can be overridden.
        headers.update(self.settings.headers)

        if self.settings.hmac_secret:
            timestamp = int(time.time())
            headers[TIMESTAMP_HEADER] = str(timestamp)
            headers[SIGNATURE_HEADER] = sign_body(
                self.settings.hmac_secret, timestamp, body
            )
        return headers


def _read_start(response: requests.Response) -> str:
    try:
        start = response.raw.read(MAX_ANSWER_BYTES, decode_content=True) or b""
    except (OSError, requests.RequestException, ValueError):
        return ""
    return start.decode("utf-8", errors="replace")
