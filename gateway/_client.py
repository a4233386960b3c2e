"""Which address sent a request, believing forwarding headers only from trusted proxies."""

from __future__ import annotations

import ipaddress
from typing import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# TradingView's published webhook sender addresses (IPv4 only).
TRADINGVIEW_SENDERS = (
    "52.89.214.238",
    "34.212.75.30",
    "54.218.53.128",
    "52.32.178.7",
)

# Words operators may use in address lists for well-known groups.
ADDRESS_PRESETS: dict[str, tuple[str, ...]] = {
    "tradingview": TRADINGVIEW_SENDERS,
    "loopback": ("127.0.0.0/8", "::1"),
}


def parse_address(text: str) -> Address | None:
    """Parse an address as found in a header, or return ``None``.

    Accepts ``[v6]:port`` and ``v4:port`` forms; an IPv4 address written as
    ``::ffff:a.b.c.d`` becomes the plain IPv4 address.
    """
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]

    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None

    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, trusted: Iterable[Network]) -> bool:
    return any(
        address.version == network.version and address in network for network in trusted
    )


def _forwarded_for(header: str) -> list[str]:
    hops = []
    for element in header.split(","):
        for pair in element.split(";"):
            name, _, value = pair.strip().partition("=")
            if name.lower() == "for":
                hops.append(value)
    return hops


def resolve_client_address(
    peer: str,
    forwarded: str | None,
    x_forwarded_for: str | None,
    trusted: list[Network],
    header: str = "x-forwarded-for",
) -> str:
    """Return the client's address, walking back through trusted proxies only.

    Starting at the TCP peer, each hop named in the one forwarding header
    the proxies are configured to set (``header``: ``x-forwarded-for`` or
    ``forwarded``) is believed only while the address that told us about it
    is a trusted proxy. The other header is ignored: a proxy that appends to
    ``X-Forwarded-For`` passes a client's own ``Forwarded`` header through
    untouched, so believing it would let the client pick its address. A
    forged header from an untrusted peer changes nothing either.
    """
    current = parse_address(peer)
    if current is None:
        return peer
    if not trusted or not _is_trusted(current, trusted):
        return str(current)

    if header == "forwarded":
        hops = _forwarded_for(forwarded or "")
    else:
        hops = (x_forwarded_for or "").split(",") if x_forwarded_for else []

    for hop in reversed(hops):
        if not _is_trusted(current, trusted):
            break
        address = parse_address(hop)
        if address is None:
            break
        current = address
    return str(current)
