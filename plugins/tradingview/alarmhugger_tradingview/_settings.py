"""The ``[plugin:tradingview]`` settings and their checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Mapping

from gateway.kit import ConfigError

from alarmhugger_tradingview._normalise import Aliases
from alarmhugger_tradingview._normalise import alias_fields

SECTION = "plugin:tradingview"

DEFAULT_MAX_DEPTH = 64

# Python's own JSON parser stops near 1000 levels, and the core calls us a
# few hundred frames deep at most; 256 leaves plenty of room for both.
MAX_DEPTH_CEILING = 256

_KEY_LIST_SEPARATORS = re.compile(r"[,\n]")


@dataclass(frozen=True)
class Settings:
    """The parser's settings after checking.

    :param max_depth: how deeply JSON may nest; deeper bodies are kept raw.
    :param aliases: the keys looked up for each normalised field.
    """

    max_depth: int = DEFAULT_MAX_DEPTH
    aliases: Aliases = field(default_factory=Aliases)


def known_settings() -> tuple[str, ...]:
    """Return every setting name this plugin reads."""
    return ("max_depth",) + tuple(f"{name}_keys" for name in alias_fields())


def read_settings(raw: Mapping[str, str]) -> Settings:
    """Check the raw section values and return :class:`Settings`.

    :raises ConfigError: for an unknown setting or a value out of range.
    """
    known = known_settings()
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                SECTION, key, value, f"one of the settings {', '.join(known)}"
            )

    extra = {
        name: _read_keys(raw.get(f"{name}_keys", ""))
        for name in alias_fields()
        if raw.get(f"{name}_keys", "").strip()
    }
    return Settings(
        max_depth=_read_max_depth(raw.get("max_depth", "")),
        aliases=Aliases().extended(extra),
    )


def _read_max_depth(raw: str) -> int:
    text = raw.strip()
    if not text:
        return DEFAULT_MAX_DEPTH

    expected = f"a whole number from 1 to {MAX_DEPTH_CEILING}"
    try:
        depth = int(text)
    except ValueError:
        raise ConfigError(SECTION, "max_depth", raw, expected) from None
    if not 1 <= depth <= MAX_DEPTH_CEILING:
        raise ConfigError(SECTION, "max_depth", raw, expected)
    return depth


def _read_keys(raw: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in _KEY_LIST_SEPARATORS.split(raw) if key.strip())
