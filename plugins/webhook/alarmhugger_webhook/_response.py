"""What an HTTP answer or a network error means for the delivery.

- 2xx: delivered.
- 429: rate limited; ``Retry-After`` (seconds or an HTTP date) is passed
  on and the attempt does not count against the retry budget.
- 503 with ``Retry-After``: a plain failure, retried no sooner than asked.
- 408, 425, other 5xx, connection errors and timeouts: plain failures.
- 3xx: permanent (redirects are not followed: a signed POST must not be
  replayed elsewhere, and requests would turn it into a GET).
- any other 4xx: permanent; the same request cannot succeed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http
import math
import re
import socket
from typing import Mapping

import requests

from gateway.kit import SendResult
from gateway.kit import mask

# How much of an error answer's body goes into the delivery's detail.
SNIPPET_CHARACTERS = 160

_TRANSIENT_4XX = frozenset({408, 425, 429})
_WHITESPACE = re.compile(r"\s+")


def result_from_response(
    status: int,
    headers: Mapping[str, str],
    body: str = "",
    *,
    now: dt.datetime | None = None,
) -> SendResult:
    """Map an HTTP status, its headers and body to a :class:`SendResult`.

    :param headers: the answer's headers (looked up case-insensitively
        when a ``requests`` structure is given; otherwise use the exact
        name ``Retry-After`` or ``retry-after``).
    :param body: the start of the answer's body, quoted (masked and
        shortened) in the detail of failures.
    """
    detail = describe_status(status)
    if 200 <= status < 300:
        return SendResult(ok=True, detail=detail)

    snippet = _snippet(body)
    if snippet:
        detail = f"{detail}: {snippet}"
    retry_after = parse_retry_after(
        headers.get("Retry-After") or headers.get("retry-after"), now=now
    )

    if status == 429:
        return SendResult(False, detail, retry_after=retry_after, is_rate_limited=True)
    if status >= 500 or status in _TRANSIENT_4XX:
        return SendResult(False, detail, retry_after=retry_after)
    if 300 <= status < 400:
        return SendResult(
            False,
            f"{detail} (redirects are not followed: set url to the final address)",
            is_permanent=True,
        )
    return SendResult(False, detail, is_permanent=True)


def result_from_error(
    error: requests.RequestException, connect_timeout: float, read_timeout: float
) -> SendResult:
    """Describe a failed request without its URL (which may be a credential)."""
    if isinstance(error, requests.ConnectTimeout):
        detail = f"no connection within {connect_timeout:g} s"
    elif isinstance(error, requests.ReadTimeout):
        detail = f"no answer within {read_timeout:g} s"
    elif isinstance(error, requests.exceptions.SSLError):
        detail = "TLS handshake failed (certificate or protocol)"
    elif isinstance(error, requests.ConnectionError):
        detail = f"connection failed: {_cause(error)}"
    elif isinstance(error, requests.exceptions.InvalidHeader):
        return SendResult(False, "a header value is not valid", is_permanent=True)
    else:
        detail = f"request failed: {type(error).__name__}"
    return SendResult(ok=False, detail=detail)


def describe_status(status: int) -> str:
    """Return ``HTTP 503 Service Unavailable`` for 503, ``HTTP 599`` for unknowns."""
    try:
        return f"HTTP {status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def parse_retry_after(
    value: str | None, *, now: dt.datetime | None = None
) -> float | None:
    """Read ``Retry-After``: delay seconds or an HTTP date; ``None`` if unusable.

    A date in the past gives ``0.0``.
    """
    if value is None or not value.strip():
        return None

    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        return seconds if seconds >= 0 and math.isfinite(seconds) else None

    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    current = now or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - current).total_seconds())


def _snippet(body: str) -> str:
    text = _WHITESPACE.sub(" ", body).strip()
    if len(text) > SNIPPET_CHARACTERS:
        text = text[: SNIPPET_CHARACTERS - 1] + "…"
    return mask(text)


def _cause(error: BaseException) -> str:
    # requests' messages quote the URL; name the underlying OS error instead.
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, socket.gaierror):
            return "host name could not be resolved"
        if isinstance(current, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(current, OSError) and current.strerror:
            return current.strerror.lower()
        current = _next_cause(current)
    return type(error).__name__


def _next_cause(error: BaseException) -> BaseException | None:
    if error.__cause__ is not None:
        return error.__cause__
    if error.__context__ is not None:
        return error.__context__
    # urllib3 keeps the original error in MaxRetryError.reason.
    reason = getattr(error, "reason", None)
    if isinstance(reason, BaseException):
        return reason
    for argument in getattr(error, "args", ()):
        if isinstance(argument, BaseException):
            return argument
    return None
