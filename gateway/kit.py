"""Everything a plugin may import from the core, and nothing more.

Plugins, bundled or third-party, import only from here so the core can be
rearranged without breaking them::

    from gateway.kit import hookimpl, ParsedAlarm
"""

from __future__ import annotations

from gateway._client import ADDRESS_PRESETS
from gateway._client import TRADINGVIEW_SENDERS
from gateway._client import parse_address
from gateway._logging import mask
from gateway._logging import register_secret
from gateway._types import Alarm
from gateway._types import AlarmPage
from gateway._types import AlarmQuery
from gateway._types import DELIVERY_STATES
from gateway._types import CheckResult
from gateway._types import Delivery
from gateway._types import DeliveryOutcome
from gateway._types import DeliveryQuery
from gateway._types import InboundRequest
from gateway._types import NotifierBacklog
from gateway._types import ParsedAlarm
from gateway._types import Rejection
from gateway._types import StoreResult
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
from gateway.notify import SendResult
from gateway.notify import alarm_to_dict
from gateway.notify import alarm_to_json
from gateway.notify import split_message

__all__ = [
    "ADDRESS_PRESETS",
    "DEFAULT_TEMPLATE",
    "DELIVERY_STATES",
    "HOOK_API_VERSION",
    "Alarm",
    "AlarmFilter",
    "AlarmPage",
    "AlarmQuery",
    "CheckResult",
    "ConfigError",
    "Delivery",
    "DeliveryOutcome",
    "DeliveryQuery",
    "GatewayConfig",
    "InboundRequest",
    "MessageTemplate",
    "Notifier",
    "NotifierBacklog",
    "ParsedAlarm",
    "PluginError",
    "Rejection",
    "SendResult",
    "StorageUnavailable",
    "StoreResult",
    "TRADINGVIEW_SENDERS",
    "alarm_to_dict",
    "alarm_to_json",
    "hookimpl",
    "mask",
    "parse_address",
    "parse_network",
    "register_secret",
    "register_secret_in_url",
    "split_message",
]
