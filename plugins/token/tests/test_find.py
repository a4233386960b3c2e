"""Finding the token in a webhook's URL and message."""

from __future__ import annotations

import pytest

from gateway.testing import make_request

from alarmhugger_token import DEFAULT_BODY_FIELDS
from alarmhugger_token import BodyFields
from alarmhugger_token import Candidate
from alarmhugger_token._find import url_candidates

FIELDS = BodyFields(name.strip() for name in DEFAULT_BODY_FIELDS.split(","))


def test_url_candidates_query_before_path():
    request = make_request("x", query={"token": "q-token-1"}, path_token="p-token-1")

    assert url_candidates(request) == [
        Candidate("?token=", "q-token-1"),
        Candidate("the URL path", "p-token-1"),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"passphrase":"tv-hook-7f3a","ticker":"BTCUSDT"}', "tv-hook-7f3a"),
        ('{"ticker":"BTCUSDT","token":"tv-hook-7f3a"}', "tv-hook-7f3a"),
        ('\ufeff {"Key": "tv-hook-7f3a"}\n', "tv-hook-7f3a"),
        ('{"secret":12345678}', "12345678"),
        ('{"passphrase":"tv-hook-7f3a" "ticker":"BTCUSDT"}', "tv-hook-7f3a"),
        ('{"passphrase":"tv\\"hook","close":NaN', 'tv"hook'),
        ("passphrase=tv-hook-7f3a ticker=BTCUSDT", "tv-hook-7f3a"),
        ("ticker=BTCUSDT; action=buy; token=tv-hook-7f3a", "tv-hook-7f3a"),
        ("NASDAQ:AAPL, price = 189.37, key = tv-hook-7f3a", "tv-hook-7f3a"),
        ("long BTC\nPassphrase: tv-hook-7f3a\n", "tv-hook-7f3a"),
        ("secret='tv hook 7f3a' action=buy", "tv hook 7f3a"),
        ('token="tv-hook-7f3a"|ticker=BTC', "tv-hook-7f3a"),
    ],
    ids=[
        "json-passphrase",
        "json-token-last",
        "json-bom-whitespace-case",
        "json-number",
        "json-missing-comma",
        "json-invalid-escaped-quote",
        "kv-spaces",
        "kv-semicolons",
        "kv-tradingview-template",
        "kv-colon-multiline",
        "kv-single-quoted",
        "kv-double-quoted-pipe",
    ],
)
def test_body_fields_find_token(body, expected):
    [candidate] = FIELDS.candidates(body)

    assert candidate.value == expected


@pytest.mark.parametrize(
    "body",
    [
        '{"ticker":"BTCUSDT","auth":{"passphrase":"tv-hook-7f3a"}}',
        '[{"passphrase":"tv-hook-7f3a"}]',
        "monkey business at BTCUSDT",
        "mykey=tv-hook-7f3a",
        '{"secret":true}',
    ],
    ids=[
        "nested-only",
        "json-array",
        "word-containing-name",
        "longer-name",
        "json-bool",
    ],
)
def test_body_fields_other_shapes_offer_nothing(body):
    assert FIELDS.candidates(body) == []


def test_body_fields_deeply_nested_json_is_survived():
    body = '{"passphrase":"tv-hook-7f3a","a":' + "[" * 100_000 + "]" * 100_000 + "}"

    [candidate] = FIELDS.candidates(body)

    assert candidate.value == "tv-hook-7f3a"


def test_body_fields_configured_names_replace_defaults():
    fields = BodyFields(["auth"])

    assert fields.candidates('{"passphrase":"x-1234567","auth":"y-1234567"}') == [
        Candidate("body field 'auth'", "y-1234567")
    ]
    assert fields.is_token_field("AUTH")
    assert not fields.is_token_field("passphrase")


def test_body_fields_none_configured_offer_nothing():
    assert BodyFields([]).candidates('{"passphrase":"tv-hook-7f3a"}') == []


def test_body_fields_non_utf8_body_offers_nothing():
    assert FIELDS.candidates(None) == []
