"""The ``ratelimit`` screen: per client address and per route, answered with 429."""

from __future__ import annotations

import math
import time
from typing import Callable

from loguru import logger

from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import InboundRequest
from gateway.kit import Rejection
from gateway.kit import hookimpl

from alarmhugger_ratelimit._buckets import TokenBuckets
from alarmhugger_ratelimit._clients import Exemptions
from alarmhugger_ratelimit._clients import client_key
from alarmhugger_ratelimit._rates import Rate
from alarmhugger_ratelimit._rates import parse_rate

SECTION = "plugin:ratelimit"

# Defaults, explained in the README: TradingView's senders are exempt per
# client (every alert of an account comes from those few addresses, so a
# per-client limit would throttle a busy account's bar-close burst),
# anyone else gets 60 a minute; a route takes 6,000 a minute, room
# for 1,200 alerts each firing at TradingView's own cap (15 per 3 minutes,
# after which TradingView stops the alert).
DEFAULT_PER_CLIENT = "60/minute"
DEFAULT_PER_ROUTE = "6000/minute"
DEFAULT_EXEMPT = "tradingview"
DEFAULT_MAX_TRACKED = 10_000
DEFAULT_IPV6_PREFIX = 64

KNOWN_KEYS = (
    "per_client",
    "per_client_burst",
    "per_route",
    "per_route_burst",
    "exempt",
    "max_tracked",
    "ipv6_prefix",
)

log = logger.bind(plugin="ratelimit")


class RateLimit:
    """Answers 429 with ``Retry-After`` to clients or routes sending too fast.

    The per-client check runs where ``ratelimit`` is listed in ``[gateway]
    plugins`` (list it before ``token`` so token guessing is limited too);
    the per-route check runs after every other screen, so refused requests
    never use up a route's allowance.

    :param clock: monotonic seconds; tests pass a fake clock.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.clients: TokenBuckets | None = None
        self.routes: TokenBuckets | None = None
        self.exempt = Exemptions(SECTION, "exempt", ())
        self.ipv6_prefix = 64
        self._has_warned_about_proxy = False

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read the rates, exemptions and memory bound."""
        for key, value in config.plugin_settings("ratelimit").items():
            if key not in KNOWN_KEYS:
                raise ConfigError(
                    SECTION, key, value, f"one of the keys {', '.join(KNOWN_KEYS)}"
                )

        max_tracked = config.get_int(
            SECTION,
            "max_tracked",
            DEFAULT_MAX_TRACKED,
            minimum=100,
            maximum=10_000_000,
        )
        self.ipv6_prefix = config.get_int(
            SECTION, "ipv6_prefix", DEFAULT_IPV6_PREFIX, minimum=32, maximum=128
        )
        self.exempt = Exemptions(
            SECTION, "exempt", config.get_list(SECTION, "exempt", DEFAULT_EXEMPT)
        )

        client_rate = _read_rate(config, "per_client", DEFAULT_PER_CLIENT)
        route_rate = _read_rate(config, "per_route", DEFAULT_PER_ROUTE)
        self.clients = (
            TokenBuckets(client_rate, max_tracked, self.clock) if client_rate else None
        )
        self.routes = (
            TokenBuckets(route_rate, max_tracked, self.clock) if route_rate else None
        )
        self._log_settings(client_rate, route_rate)

    @hookimpl
    def gateway_screen_request(self, request: InboundRequest) -> Rejection | None:
        """Refuse a client that sends faster than ``per_client`` allows."""
        if self.clients is None or self.exempt.covers(request.client_ip):
            return None

        key = client_key(request.client_ip, self.ipv6_prefix)
        wait = self.clients.take(key)
        if not wait:
            return None

        self._warn_once_about_untrusted_proxy(request)
        return _too_many(
            f"too many requests from {key}: at most "
            f"{self.clients.rate.describe()} per client address",
            wait,
        )

    @hookimpl(specname="gateway_screen_request", trylast=True)
    def screen_route(self, request: InboundRequest) -> Rejection | None:
        """Refuse a request on a route that takes more than ``per_route`` allows."""
        if self.routes is None:
            return None

        wait = self.routes.take(request.route)
        if not wait:
            return None
        return _too_many(
            f"too many requests on route {request.route!r}: at most "
            f"{self.routes.rate.describe()} per route",
            wait,
        )

    def _warn_once_about_untrusted_proxy(self, request: InboundRequest) -> None:
        # The classic mistake behind a reverse proxy or PaaS router: the
        # proxy is not in trusted_proxies, so every sender shares its limit.
        claims = request.headers.get("x-forwarded-for") or request.headers.get(
            "forwarded"
        )
        if (
            self._has_warned_about_proxy
            or not claims
            or request.client_ip != request.peer_ip
        ):
            return
        self._has_warned_about_proxy = True
        log.warning(
            "peer {} was rate-limited while sending forwarding headers that are "
            "not believed; if it is your reverse proxy, list it in [gateway] "
            "trusted_proxies, or every sender behind it shares one limit",
            request.peer_ip,
        )

    def _log_settings(self, client_rate: Rate | None, route_rate: Rate | None) -> None:
        exempt = self.exempt.describe() or "nobody"
        log.info(
            "rate limits: per client {} (exempt: {}); per route {}",
            client_rate.describe() if client_rate else "off",
            exempt,
            route_rate.describe() if route_rate else "off",
        )


def _read_rate(config: GatewayConfig, key: str, default: str) -> Rate | None:
    burst = None
    if config.get(SECTION, f"{key}_burst") is not None:
        burst = config.get_int(
            SECTION, f"{key}_burst", 1, minimum=1, maximum=10_000_000
        )
    return parse_rate(SECTION, key, config.get(SECTION, key) or default, burst)


def _too_many(limit: str, wait: float) -> Rejection:
    seconds = max(1, math.ceil(wait))
    return Rejection(
        429,
        "rate_limited",
        f"{limit}; retry in {seconds} s",
        {"Retry-After": str(seconds)},
    )
