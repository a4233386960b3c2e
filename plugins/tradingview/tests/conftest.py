"""Fixtures for the TradingView parser's tests.

``parse`` runs a body through a freshly built plugin the way the core
would, and ``make_parser`` builds one with settings. What the plugin logs
is in the core's ``log_records``.
"""

from __future__ import annotations

import pytest

from alarmhugger_tradingview import TradingViewParser
from gateway.kit import GatewayConfig
from gateway.testing import make_request


@pytest.fixture
def make_parser():
    """Build a parser configured with the given ``[plugin:tradingview]`` keys."""

    def build(**settings: str) -> TradingViewParser:
        parser = TradingViewParser()
        parser.gateway_configure(
            config=GatewayConfig({"plugin:tradingview": dict(settings)})
        )
        return parser

    return build


@pytest.fixture
def parser(make_parser):
    """A parser with the default settings, configured as the core does."""
    return make_parser()


@pytest.fixture
def parse(parser):
    """Parse a body (``str`` or ``bytes``) sent with a given Content-Type."""

    def run(body, content_type="text/plain; charset=utf-8"):
        request = make_request(body, content_type)
        return parser.gateway_parse_alarm(request=request)

    return run
