"""Which bucket a client address counts against, and who is exempt."""

from __future__ import annotations

import ipaddress
from typing import Iterable

from gateway.kit import ADDRESS_PRESETS
from gateway.kit import parse_address
from gateway.kit import parse_network

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Words that write an empty list where a blank value means the default.
NOBODY = frozenset({"none", "nobody", "off"})


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
            word = entry.strip().lower()
            if word in NOBODY:
                continue
            for expanded in ADDRESS_PRESETS.get(word, (entry.strip(),)):
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
