"""Plugins the core always registers, written like any outside plugin."""

from __future__ import annotations

from gateway.default_plugins import raw

DEFAULT_PLUGINS: dict[str, object] = {"raw": raw}

__all__ = ["DEFAULT_PLUGINS"]
