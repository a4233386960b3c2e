"""Reading the webhook secrets and comparing tokens against them."""

from __future__ import annotations

import pytest

from gateway.kit import ConfigError
from gateway.kit import GatewayConfig

from alarmhugger_token import SecretBook
from alarmhugger_token import _secrets
from alarmhugger_token._secrets import read_secret_book


def book_from(**settings: str) -> SecretBook:
    return read_secret_book(GatewayConfig({"plugin:token": settings}))


def test_secret_book_comma_separated_secrets_all_accepted():
    book = book_from(secret=" tv-hook-7f3a , tv-hook-next-9c1d ")

    assert book.is_valid("default", "tv-hook-7f3a")
    assert book.is_valid("default", "tv-hook-next-9c1d")
    assert not book.is_valid("default", "tv-hook-7f3")
    assert not book.is_valid("default", "")


def test_secret_book_route_with_own_secret_refuses_shared_one():
    book = book_from(secret="tv-hook-7f3a", **{"route.binance": "binance-5ecret"})

    assert book.is_valid("binance", "binance-5ecret")
    assert not book.is_valid("binance", "tv-hook-7f3a")
    assert book.is_valid("bybit", "tv-hook-7f3a")
    assert not book.is_valid("bybit", "binance-5ecret")


@pytest.mark.parametrize("key", ["route.Binance", "route_binance", "ROUTE.BINANCE"])
def test_secret_book_route_key_forms_match_route_case_blind(key):
    book = book_from(**{key: "binance-5ecret"})

    assert book.is_valid("binance", "binance-5ecret")
    assert book.is_valid("Binance", "binance-5ecret")


def test_secret_book_only_route_secrets_leave_other_routes_closed():
    book = book_from(**{"route.binance": "binance-5ecret"})

    assert book.has_secret_for("binance")
    assert not book.has_secret_for("default")


def test_secret_book_comparison_uses_compare_digest_on_every_secret(monkeypatch):
    compared = []

    def recording(a, b):
        compared.append((type(a), type(b)))
        return a == b

    monkeypatch.setattr(_secrets.hmac, "compare_digest", recording)
    book = book_from(secret="tv-hook-7f3a, tv-hook-next-9c1d, tv-hook-old-0000")

    assert book.is_valid("default", "tv-hook-7f3a")
    assert compared == [(bytes, bytes)] * 3


def test_read_secret_book_without_any_secret_stops_start():
    with pytest.raises(ConfigError) as caught:
        book_from()

    assert caught.value.key == "secret"
    assert "SECRETKEY" in caught.value.expected


def test_read_secret_book_short_secret_stops_start_without_echoing_it():
    with pytest.raises(ConfigError) as caught:
        book_from(secret="tv-hook-7f3a, abc12")

    assert "abc12" not in str(caught.value)
    assert "<5 characters>" in str(caught.value)
    assert "at least 8 characters" in str(caught.value)


def test_read_secret_book_bad_route_name_stops_start_without_echoing_secret():
    with pytest.raises(ConfigError) as caught:
        book_from(**{"route.bin/ance": "binance-5ecret"})

    assert caught.value.key == "route.bin/ance"
    assert "binance-5ecret" not in str(caught.value)


def test_secret_book_all_secrets_lists_each_once_longest_first():
    book = book_from(
        secret="tv-hook-7f3a", **{"route.a": "tv-hook-7f3a, longer-secret-1"}
    )

    assert book.all_secrets == ("longer-secret-1", "tv-hook-7f3a")


def test_read_secret_book_unknown_key_stops_start_without_echoing_value():
    with pytest.raises(ConfigError) as caught:
        book_from(secret="tv-hook-7f3a", secrte="tv-hook-typo-1")

    assert caught.value.key == "secrte"
    assert "tv-hook-typo-1" not in str(caught.value)
    assert "route.<name>" in caught.value.expected
