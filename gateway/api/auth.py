"""The read API's key check: ``X-API-Key`` or ``Authorization: Bearer``.

Keys come from ``[api] keys`` (or ``APIKEY``), comma-separated so a new key
can be added before the old one is removed. With no key set the read API
is open, which suits a gateway reachable only from this machine.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import request
from loguru import logger

from gateway.api import current_gateway
from gateway.api.errors import error_response


def configured_keys() -> list[bytes]:
    """The accepted API keys as SHA-256 digests (empty: the API is open)."""
    gateway = current_gateway()
    keys = gateway.config.get_list("api", "keys")
    return [hashlib.sha256(key.encode()).digest() for key in keys]


def presented_key() -> str | None:
    """The key the caller sent, from ``X-API-Key`` or a bearer token."""
    key = request.headers.get("X-API-Key")
    if key:
        return key.strip()
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def is_authorised() -> bool:
    """Whether the request may read alarms: no keys set, or a right key sent."""
    keys = configured_keys()
    if not keys:
        return True
    key = presented_key()
    if key is None:
        return False

    # Compare digests of equal length against every key, with no early exit.
    digest = hashlib.sha256(key.encode()).digest()
    matched = False
    for expected in keys:
        matched |= hmac.compare_digest(digest, expected)
    return matched


def require_api_key():  # type: ignore[no-untyped-def]
    """A ``before_request`` guard answering 401 without a right key."""
    if is_authorised():
        return None

    reason = "missing API key" if presented_key() is None else "wrong API key"
    current_gateway().ingest.count("rejected_api_401")
    logger.warning("read API refused: {} (client {})", reason, request.remote_addr)
    response = error_response(
        401,
        "unauthorized",
        f"{reason}: send it as X-API-Key or Authorization: Bearer <key>",
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="alarmhugger"'
    return response
