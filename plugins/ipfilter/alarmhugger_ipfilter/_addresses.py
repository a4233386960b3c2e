"""Lists of addresses and CIDR ranges, read from settings and matched fast."""

from __future__ import annotations

import ipaddress
from typing import Iterable

from loguru import logger

from gateway.kit import ADDRESS_PRESETS
from gateway.kit import ConfigError
from gateway.kit import parse_network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_MAPPED_IPV4 = ipaddress.IPv6Network("::ffff:0:0/96")


def _unmapped(network: Network) -> Network:
    # An entry written as ::ffff:10.8.0.0/112 means the IPv4 range 10.8.0.0/16.
    if isinstance(network, ipaddress.IPv6Network) and network.subnet_of(_MAPPED_IPV4):
        first = int(network.network_address) & 0xFFFFFFFF
        return ipaddress.IPv4Network((first, network.prefixlen - 96))
    return network


class AddressList:
    """Addresses and ranges; single addresses are looked up in a set."""

    def __init__(self, entries: Iterable[Network] = ()) -> None:
        self.entries: tuple[Network, ...] = tuple(dict.fromkeys(entries))
        self._hosts = frozenset(
            network.network_address
            for network in self.entries
            if network.num_addresses == 1
        )
        self._ranges = tuple(
            network for network in self.entries if network.num_addresses > 1
        )

    @classmethod
    def parse(
        cls,
        section: str,
        key: str,
        values: Iterable[str],
        *,
        source: str | None = None,
    ) -> AddressList:
        """Read entries (addresses, CIDR ranges, preset words) of one setting.

        :param source: the environment variable this setting comes from,
            named in the error so the operator knows where to fix it.
        :raises ConfigError: naming the key, the entry and the expected form.
        """
        networks: list[Network] = []
        for value in values:
            entry = value.strip()
            if not entry:
                continue
            for expanded in ADDRESS_PRESETS.get(entry.lower(), (entry,)):
                networks.append(_parse_entry(section, key, expanded, source))
        return cls(networks)

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __add__(self, other: AddressList) -> AddressList:
        return AddressList(self.entries + other.entries)

    def match(self, address: Address) -> Network | None:
        """Return the entry ``address`` falls in, or ``None``."""
        if address in self._hosts:
            return ipaddress.ip_network(address)
        for network in self._ranges:
            if network.version == address.version and address in network:
                return network
        return None

    def describe(self) -> str:
        """Return the entries as an operator would write them."""
        return ", ".join(_written(network) for network in self.entries)


def _parse_entry(section: str, key: str, entry: str, source: str | None) -> Network:
    try:
        network = parse_network(section, key, entry)
    except ConfigError as error:
        if source is None:
            raise
        expected = (
            f"{error.expected}, in {source} or [{section}] {key} (comma-separated)"
        )
        raise ConfigError(section, key, entry, expected) from error

    if network.num_addresses > 1 and network.network_address != _first_of(entry):
        logger.bind(plugin="ipfilter").warning(
            "[{}] {} entry {} has host bits set; taken as {}",
            section,
            key,
            entry,
            network,
        )
    return _unmapped(network)


def _first_of(entry: str) -> Address | None:
    try:
        return ipaddress.ip_address(entry.split("/", 1)[0].strip())
    except ValueError:
        return None


def _written(network: Network) -> str:
    if network.num_addresses == 1:
        return str(network.network_address)
    return network.with_prefixlen
