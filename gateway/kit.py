"""Everything a plugin may import from the core, and nothing more.

Plugins, bundled or third-party, import only from here so the core can be
rearranged without breaking them::

    from gateway.kit import hookimpl, ParsedAlarm
"""

from __future__ import annotations

from gateway._logging import mask
from gateway._logging import register_secret
from gateway._types import Alarm
from gateway._types import AlarmPage
from gateway._types import AlarmQuery
from gateway._types import CheckResult
from gateway._types import InboundRequest
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

__all__ = [
    "HOOK_API_VERSION",
    "Alarm",
    "AlarmPage",
    "AlarmQuery",
    "CheckResult",
    "ConfigError",
    "GatewayConfig",
    "InboundRequest",
    "ParsedAlarm",
    "PluginError",
    "Rejection",
    "StorageUnavailable",
    "StoreResult",
    "hookimpl",
    "mask",
    "parse_network",
    "register_secret",
    "register_secret_in_url",
]
