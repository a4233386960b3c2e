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
import http
import re
import socket
from typing import Mapping

import requests

from gateway.kit import SendResult
from gateway.kit import mask
from gateway.kit import result_from_status
from gateway.kit import retry_after_seconds

# How much of an error answer's body goes into the delivery's detail.
SNIPPET_CHARACTERS = 160

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
    :param now: the current time, for reading a ``Retry-After`` date.
    """
    detail = describe_status(status)
    if 200 <= status < 300:
        return SendResult(ok=True, detail=detail)

    snippet = _snippet(body)
    if snippet:
        detail = f"{detail}: {snippet}"

    # result_from_status would retry these, but the same request cannot
    # succeed: redirects are not followed, and 1xx is no final answer.
    if 300 <= status < 400:
        return SendResult(
            False,
            f"{detail} (redirects are not followed: set url to the final address)",
            is_permanent=True,
        )
    if status < 200:
        return SendResult(False, detail, is_permanent=True)
    return result_from_status(status, detail, retry_after=_retry_after(headers, now))


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


def _retry_after(headers: Mapping[str, str], now: dt.datetime | None) -> float | None:
    value = headers.get("Retry-After") or headers.get("retry-after")
    # A negative number is no delay (RFC 9110): ignored, not read as "now".
    if value is not None and value.strip().startswith("-"):
        return None
    return retry_after_seconds(value, now=now)


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
