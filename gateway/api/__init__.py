"""The HTTP API, one blueprint per area: webhook, alarms, server."""

from __future__ import annotations

from flask import current_app

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.app import Gateway


def current_gateway() -> "Gateway":
    """Return the :class:`~gateway.app.Gateway` of the app handling this request."""
    return current_app.extensions["gateway"]
