"""Which address the core believes sent a request."""

from __future__ import annotations

import ipaddress

import pytest

from gateway._client import resolve_client_address

PROXY = [ipaddress.ip_network("10.0.0.0/8")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "xff", "trusted", "expected"),
    [
        ("203.0.113.9", None, "52.89.214.238", [], "203.0.113.9"),
        ("203.0.113.9", None, "52.89.214.238", PROXY, "203.0.113.9"),
        ("10.0.0.2", None, "52.89.214.238", PROXY, "52.89.214.238"),
        ("10.0.0.2", None, "1.2.3.4, 52.89.214.238", PROXY, "52.89.214.238"),
        ("10.0.0.2", None, "1.2.3.4, 10.0.0.7", PROXY, "1.2.3.4"),
        ("10.0.0.2", None, "garbage", PROXY, "10.0.0.2"),
        ("10.0.0.2", 'for="[2001:db8::1]:443"', None, PROXY, "2001:db8::1"),
        ("::ffff:52.89.214.238", None, None, [], "52.89.214.238"),
    ],
    ids=[
        "no-proxies-header-ignored",
        "untrusted-peer-forged-header-ignored",
        "trusted-proxy-one-hop",
        "trusted-proxy-takes-rightmost-untrusted",
        "two-trusted-hops",
        "invalid-hop-stops-walk",
        "forwarded-header-ipv6",
        "ipv4-mapped-peer",
    ],
)
def test_resolve_client_address_table(peer, forwarded, xff, trusted, expected):
    header = "forwarded" if forwarded else "x-forwarded-for"
    assert resolve_client_address(peer, forwarded, xff, trusted, header) == expected


def test_resolve_client_address_ignores_forwarded_when_proxy_sets_xff():
    """Case 09-xff-spoofing-allowlist: a client's own Forwarded header behind nginx."""
    found = resolve_client_address(
        "10.0.0.2", "for=52.89.214.238", "1.2.3.4", PROXY, "x-forwarded-for"
    )

    assert found == "1.2.3.4"
