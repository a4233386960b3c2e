"""The webhook secrets of a gateway, and comparing a token against them.

Every comparison is done on SHA-256 digests with :func:`hmac.compare_digest`,
and always against every secret of the route, so neither the time taken
nor an early exit tells a guesser how close a token came.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Mapping

from gateway.kit import ConfigError
from gateway.kit import GatewayConfig

SECTION = "plugin:token"

# Long enough that guessing is hopeless and masking in logs is safe (the
# core does not mask values shorter than four characters).
MIN_SECRET_LENGTH = 8

KNOWN_KEYS = ("secret", "body_fields")

# Per-route keys: ``route.<name>`` in gateway.ini, ``route_<name>`` where
# a dot cannot be written (GATEWAY__PLUGIN_TOKEN__ROUTE_BINANCE).
_ROUTE_KEY = re.compile(r"^route[._](.+)$", re.IGNORECASE)
_ROUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


class SecretBook:
    """The secrets accepted on every route, and routes with their own.

    :param shared: secrets for routes that have none of their own.
    :param by_route: secrets of single routes, under the lower-cased route
        name; such a route accepts only these.
    """

    def __init__(
        self,
        shared: tuple[str, ...] = (),
        by_route: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.shared = shared
        self.by_route = dict(by_route or {})
        self._shared_digests = tuple(map(_digest, shared))
        self._route_digests = {
            route.lower(): tuple(map(_digest, values))
            for route, values in self.by_route.items()
        }

    @property
    def all_secrets(self) -> tuple[str, ...]:
        """Every secret, shared and per route, longest first."""
        values = set(self.shared)
        for secrets in self.by_route.values():
            values.update(secrets)
        return tuple(sorted(values, key=len, reverse=True))

    def has_secret_for(self, route: str) -> bool:
        """Tell whether any secret would admit a request on ``route``."""
        return bool(self._digests_for(route))

    def is_valid(self, route: str, token: str) -> bool:
        """Tell, in constant time, whether ``token`` is a secret of ``route``."""
        candidate = _digest(token)
        is_match = False
        for secret in self._digests_for(route):
            is_match |= hmac.compare_digest(candidate, secret)
        return is_match

    def _digests_for(self, route: str) -> tuple[bytes, ...]:
        own = self._route_digests.get(route.lower())
        return own if own is not None else self._shared_digests


def read_secret_book(config: GatewayConfig) -> SecretBook:
    """Read ``secret`` and the ``route.<name>`` keys of ``[plugin:token]``.

    :raises ConfigError: when no secret is set at all, a secret is too
        short, or a route name is not one the webhook URL can carry.
    """
    shared = _secrets_of(config, "secret")
    by_route: dict[str, tuple[str, ...]] = {}
    for key in config.plugin_settings("token"):
        match = _ROUTE_KEY.match(key)
        if match is None:
            _refuse_unknown(key)
            continue

        route = match.group(1)
        if not _ROUTE_NAME.match(route):
            raise ConfigError(
                SECTION,
                key,
                "***",
                "route.<name> with a route name of 1 to 64 letters, digits, "
                "'.', '_' or '-', as in /alarms/webhook/<name>",
            )
        secrets = _secrets_of(config, key)
        if secrets:
            by_route[route.lower()] = secrets

    if not shared and not by_route:
        raise ConfigError(
            SECTION,
            "secret",
            "",
            "a webhook secret (SECRETKEY, or several comma-separated for "
            "rotation), or per-route secrets as route.<name> = ...",
        )
    return SecretBook(shared, by_route)


def _refuse_unknown(key: str) -> None:
    # A misspelt key must not leave a route open without a word; its value
    # may be a secret, so it is not shown.
    if key not in KNOWN_KEYS:
        raise ConfigError(
            SECTION,
            key,
            "***",
            f"one of the keys {', '.join(KNOWN_KEYS)} or route.<name>",
        )


def _secrets_of(config: GatewayConfig, key: str) -> tuple[str, ...]:
    secrets = tuple(dict.fromkeys(config.get_list(SECTION, key)))
    for secret in secrets:
        if len(secret) < MIN_SECRET_LENGTH:
            # Never echo the value: it is a secret, and too short to be masked.
            raise ConfigError(
                SECTION,
                key,
                f"<{len(secret)} characters>",
                f"secrets of at least {MIN_SECRET_LENGTH} characters (short "
                "ones can be guessed and cannot be masked in logs)",
            )
    return secrets


def needs_url_encoding(secret: str) -> bool:
    """Tell whether ``secret`` must be percent-encoded to sit in a URL."""
    return _URL_SAFE.match(secret) is None
