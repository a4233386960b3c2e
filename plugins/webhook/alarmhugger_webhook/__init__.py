"""The bundled generic HTTP webhook notifier for AlarmHugger.

The core finds :class:`WebhookPlugin` through the ``alarmhugger.plugins``
entry point ``webhook``. Settings, the signature scheme and how failures
are retried are in this plugin's README.
"""

from __future__ import annotations

from alarmhugger_webhook._notifier import WebhookNotifier
from alarmhugger_webhook._plugin import WebhookPlugin
from alarmhugger_webhook._settings import WebhookSettings
from alarmhugger_webhook._signature import SIGNATURE_HEADER
from alarmhugger_webhook._signature import TIMESTAMP_HEADER
from alarmhugger_webhook._signature import sign_body
from alarmhugger_webhook._signature import verify_signature

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookNotifier",
    "WebhookPlugin",
    "WebhookSettings",
    "sign_body",
    "verify_signature",
]
