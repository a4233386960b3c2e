"""Which bucket a client address counts against, and who is exempt."""

from __future__ import annotations

import ipaddress
from typing import Iterable

from gateway.kit import parse_network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# TradingView's published webhook senders. Every alert of an account comes
# from these few addresses, so a per-client limit would throttle a busy
# account's bar-close burst; they are exempt by default.
TRADINGVIEW_SENDERS = (
    "52.89.214.238",
    "34.212.75.30",
    "54.218.53.128",
    "52.32.178.7",
)

PRESETS: dict[str, tuple[str, ...]] = {
    "tradingview": TRADINGVIEW_SENDERS,
    "loopback": ("127.0.0.0/8", "::1"),
}


# Words that write an empty list where a blank value means the default.
NOBODY = frozenset({"none", "nobody", "off"})


def parse_address(text: str) -> Address | None:
    """Parse a client address; ``::ffff:a.b.c.d`` becomes plain IPv4."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_key(client_ip: str, ipv6_prefix: int) -> str:
    """Return the bucket key of a client: its IPv4 address or IPv6 network.

    One IPv6 subscriber usually holds a whole /64, so counting each of its
    addresses apart would let it walk around the limit.
    """
    address = parse_address(client_ip)
    if address is None:
        return client_ip
    if address.version == 6 and ipv6_prefix < 128:
        return ipaddress.IPv6Network(
            (address, ipv6_prefix), strict=False
        ).with_prefixlen
    return str(address)


class Exemptions:
    """Addresses and ranges that no per-client limit applies to."""

    def __init__(self, section: str, key: str, entries: Iterable[str]) -> None:
        networks: list[Network] = []
        for entry in entries:
            if entry.strip().lower() in NOBODY:
                continue
            for expanded in PRESETS.get(entry.strip().lower(), (entry.strip(),)):
                networks.append(parse_network(section, key, expanded))
        self.networks = tuple(dict.fromkeys(networks))

    def __bool__(self) -> bool:
        return bool(self.networks)

    def covers(self, client_ip: str) -> bool:
        """Tell whether ``client_ip`` is exempt."""
        address = parse_address(client_ip)
        if address is None:
            return False
        return any(
            network.version == address.version and address in network
            for network in self.networks
        )

    def describe(self) -> str:
        """Return the entries as an operator would write them."""
        return ", ".join(
            str(network.network_address) if network.num_addresses == 1 else str(network)
            for network in self.networks
        )
