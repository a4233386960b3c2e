"""Everything a plugin may import from the core, and nothing more.

Plugins, bundled or third-party, import only from here so the core can be
rearranged without breaking them::

    from gateway.kit import hookimpl, ParsedAlarm
"""

from __future__ import annotations

from gateway._client import ADDRESS_PRESETS
from gateway._client import TRADINGVIEW_SENDERS
from gateway._client import parse_address
from gateway._logging import MASK
from gateway._logging import mask
from gateway._logging import register_secret
from gateway._settings import CommaList
from gateway._types import DELIVERY_STATES
from gateway._types import Alarm
from gateway._types import AlarmPage
from gateway._types import AlarmQuery
from gateway._types import CheckResult
from gateway._types import Delivery
from gateway._types import DeliveryOutcome
from gateway._types import DeliveryQuery
from gateway._types import InboundRequest
from gateway._types import NotifierBacklog
from gateway._types import ParsedAlarm
from gateway._types import Rejection
from gateway._types import StoreResult
from gateway.api.auth import require_api_key
from gateway.api.webhook import receive_webhook
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
from gateway.config import parse_network
from gateway.config import register_secret_in_url
from gateway.errors import ConfigError
from gateway.errors import PluginError
from gateway.errors import StorageUnavailable
from gateway.hookspecs import HOOK_API_VERSION
from gateway.hookspecs import hookimpl
from gateway.notify import DEFAULT_TEMPLATE
from gateway.notify import AlarmFilter
from gateway.notify import MessageTemplate
from gateway.notify import Notifier
from gateway.notify import NotifierSettings
from gateway.notify import SendResult
from gateway.notify import alarm_to_dict
from gateway.notify import alarm_to_json
from gateway.notify import failure_from_exception
from gateway.notify import failure_from_template_error
from gateway.notify import first_line
from gateway.notify import json_or_empty
from gateway.notify import masked_url
from gateway.notify import read_notifier_settings
from gateway.notify import result_from_status
from gateway.notify import retry_after_seconds

__all__ = [
    "ADDRESS_PRESETS",
    "DEFAULT_TEMPLATE",
    "DELIVERY_STATES",
    "HOOK_API_VERSION",
    "MASK",
    "TRADINGVIEW_SENDERS",
    "Alarm",
    "AlarmFilter",
    "AlarmPage",
    "AlarmQuery",
    "ChatNotifier",
    "ChatPlugin",
    "ChatSettings",
    "CheckResult",
    "CommaList",
    "ConfigError",
    "Delivery",
    "DeliveryOutcome",
    "DeliveryQuery",
    "GatewayConfig",
    "InboundRequest",
    "MessageTemplate",
    "Notifier",
    "NotifierBacklog",
    "NotifierSettings",
    "ParsedAlarm",
    "PartProgress",
    "PluginError",
    "Rejection",
    "SendResult",
    "ServiceAddress",
    "StorageUnavailable",
    "StoreResult",
    "alarm_to_dict",
    "alarm_to_json",
    "cut_outside_backslash",
    "cut_outside_entity",
    "failure_from_exception",
    "failure_from_template_error",
    "first_line",
    "fit_message",
    "hookimpl",
    "json_or_empty",
    "mask",
    "masked_url",
    "match_webhook_url",
    "parse_address",
    "parse_network",
    "read_chat_settings",
    "read_notifier_settings",
    "receive_webhook",
    "register_secret",
    "register_secret_in_url",
    "require_api_key",
    "result_from_status",
    "retry_after_seconds",
    "send_in_parts",
    "split_message",
    "utf16_length",
]
