"""AlarmHugger's rate limit: per client address and per route, answered with 429.

Enable it with ``ratelimit`` in ``[gateway] plugins``; settings live in
``[plugin:ratelimit]`` (see the README beside this package).
"""

from __future__ import annotations

# The core's sender list, still published under this name.
from gateway.kit import TRADINGVIEW_SENDERS

from alarmhugger_ratelimit._buckets import TokenBuckets
from alarmhugger_ratelimit._clients import Exemptions
from alarmhugger_ratelimit._clients import client_key
from alarmhugger_ratelimit._plugin import DEFAULT_EXEMPT
from alarmhugger_ratelimit._plugin import DEFAULT_IPV6_PREFIX
from alarmhugger_ratelimit._plugin import DEFAULT_MAX_TRACKED
from alarmhugger_ratelimit._plugin import DEFAULT_PER_CLIENT
from alarmhugger_ratelimit._plugin import DEFAULT_PER_ROUTE
from alarmhugger_ratelimit._plugin import RateLimit
from alarmhugger_ratelimit._rates import Rate
from alarmhugger_ratelimit._rates import parse_rate

__all__ = [
    "DEFAULT_EXEMPT",
    "DEFAULT_IPV6_PREFIX",
    "DEFAULT_MAX_TRACKED",
    "DEFAULT_PER_CLIENT",
    "DEFAULT_PER_ROUTE",
    "TRADINGVIEW_SENDERS",
    "Exemptions",
    "Rate",
    "RateLimit",
    "TokenBuckets",
    "client_key",
    "parse_rate",
]
