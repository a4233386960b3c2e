"""Signing a request body with HMAC-SHA256, and checking such a signature.

The signed message is ``<timestamp>.<body>``: the Unix time in whole
seconds as ASCII digits, a dot, then the body bytes exactly as sent.
Binding the time into the signature lets a receiver refuse old requests
replayed by someone who recorded one.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-AlarmHugger-Signature"
TIMESTAMP_HEADER = "X-AlarmHugger-Timestamp"

_PREFIX = "sha256="


def sign_body(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header value for ``body`` sent at ``timestamp``.

    :returns: ``sha256=`` followed by the lower-case hex digest.
    """
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """Tell whether a received request was signed with ``secret`` recently.

    :param timestamp: the ``X-AlarmHugger-Timestamp`` header as received.
    :param body: the raw body bytes, before any JSON parsing.
    :param signature: the ``X-AlarmHugger-Signature`` header as received.
    :param tolerance: how many seconds the timestamp may differ from now.
    """
    if not timestamp.isdigit():
        return False

    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False

    expected = sign_body(secret, int(timestamp), body)
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().encode())
