"""AlarmHugger's webhook token: only senders that know the secret get in.

Enable it with ``token`` in ``[gateway] plugins``; settings live in
``[plugin:token]`` (see the README beside this package).
"""

from __future__ import annotations

from alarmhugger_token._find import BodyFields
from alarmhugger_token._find import Candidate
from alarmhugger_token._plugin import DEFAULT_BODY_FIELDS
from alarmhugger_token._plugin import WebhookToken
from alarmhugger_token._redact import redact_alarm
from alarmhugger_token._secrets import MIN_SECRET_LENGTH
from alarmhugger_token._secrets import SecretBook

__all__ = [
    "DEFAULT_BODY_FIELDS",
    "MIN_SECRET_LENGTH",
    "BodyFields",
    "Candidate",
    "SecretBook",
    "WebhookToken",
    "redact_alarm",
]
