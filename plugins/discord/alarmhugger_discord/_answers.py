"""What Discord's answers to a webhook post mean for a delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Callable
from typing import Mapping

from gateway.kit import SendResult
from gateway.kit import first_line
from gateway.kit import json_or_empty
from gateway.kit import result_from_status
from gateway.kit import retry_after_seconds

if TYPE_CHECKING:
    import requests


def result_from_answer(
    answer: requests.Response, scrub: Callable[[str], str]
) -> SendResult:
    """Map Discord's answer to one webhook post to the delivery's :class:`SendResult`.

    - 2xx: sent. When ``X-RateLimit-Remaining`` is ``0``, the notifier is
      paused for ``X-RateLimit-Reset-After`` seconds, so the next message
      does not meet a 429.
    - 429: rate limited, waiting the body's fractional ``retry_after``
      (else ``Retry-After``). The whole notifier pauses that long: one
      notifier is one webhook, and a ``"global": true`` limit stops every
      request anyway.
    - other 4xx (unknown webhook, invalid form body): permanent.
    - 5xx and the rest: a failure, retried with back-off.

    :param scrub: masks the webhook token in text quoted from the answer.
    """
    status, headers, body = answer.status_code, answer.headers, json_or_empty(answer)
    reset = _bucket_reset(headers)
    if 200 <= status < 300:
        return result_from_status(status, "sent", pause=reset)

    detail = _detail(status, body, scrub)
    if status == 429:
        wait = _retry_after(body, headers)
        is_global = (
            body.get("global") is True or headers.get("X-RateLimit-Global") == "true"
        )
        if is_global:
            detail += " (global)"
        pause = max(wait or 0.0, reset or 0.0) or None
        return result_from_status(status, detail, retry_after=wait, pause=pause)
    return result_from_status(status, detail)


def _bucket_reset(headers: Mapping[str, str]) -> float | None:
    if (headers.get("X-RateLimit-Remaining") or "").strip() != "0":
        return None
    return retry_after_seconds(headers.get("X-RateLimit-Reset-After"))


def _retry_after(
    body: Mapping[str, object], headers: Mapping[str, str]
) -> float | None:
    in_body = retry_after_seconds(body.get("retry_after"))
    in_header = retry_after_seconds(headers.get("Retry-After"))
    if in_body is None:
        return in_header
    # Old API versions gave milliseconds; the header (whole seconds,
    # rounded up) tells which.
    if in_header is not None and in_body > in_header + 1:
        return in_header
    return in_body


def _detail(
    status: int, body: Mapping[str, object], scrub: Callable[[str], str]
) -> str:
    message = body.get("message")
    detail = f"HTTP {status}"
    if isinstance(message, str) and message:
        detail += f": {scrub(first_line(message))}"
    code = body.get("code")
    if isinstance(code, int) and code:
        detail += f" (code {code})"

    problem = _first_field_error(body.get("errors"))
    if problem:
        detail += f": {scrub(first_line(problem))}"
    return detail


def _first_field_error(errors: object, path: str = "") -> str | None:
    # Invalid Form Body answers nest errors by field:
    # {"content": {"_errors": [{"code": "...", "message": "..."}]}}
    if not isinstance(errors, dict):
        return None
    for key, value in errors.items():
        if key == "_errors" and isinstance(value, list) and value:
            first = value[0]
            message = first.get("message") if isinstance(first, dict) else None
            if isinstance(message, str):
                return f"{path or 'body'}: {message}"
        found = _first_field_error(value, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None
