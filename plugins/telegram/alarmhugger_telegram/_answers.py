"""What the Bot API's answers to ``sendMessage`` mean for a delivery."""

from __future__ import annotations

import re
from typing import Callable
from typing import Mapping

from gateway.kit import SendResult
from gateway.kit import first_line
from gateway.kit import result_from_status
from gateway.kit import retry_after_seconds

_RETRY_AFTER_TEXT = re.compile(r"retry after (\d+(?:\.\d+)?)", re.IGNORECASE)


def is_parse_error(status: int, body: Mapping[str, object]) -> bool:
    """Say whether Telegram refused the message's MarkdownV2 or HTML markup."""
    return status == 400 and "can't parse entities" in _description(body).lower()


def description(body: Mapping[str, object], scrub: Callable[[str], str]) -> str:
    """Return Telegram's ``description``, first line only, secrets masked."""
    return scrub(first_line(_description(body)))


def result_from_answer(
    status: int,
    body: Mapping[str, object],
    headers: Mapping[str, str],
    scrub: Callable[[str], str],
) -> SendResult:
    """Map one ``sendMessage`` answer to the delivery's :class:`SendResult`.

    - 2xx: sent (``"ok": false`` in a 200 counts as a failure).
    - 429: rate limited; ``parameters.retry_after`` (else the number in the
      description, else ``Retry-After``) is both the wait for this
      delivery and a pause for the whole chat, as the flood limit is per
      chat.
    - other 4xx (message too long, chat not found, bot blocked, bad
      token): permanent, resending the same message cannot help.
    - 5xx and anything else: a failure, retried with back-off.
    """
    said = description(body, scrub)
    detail = f"HTTP {status}: {said}" if said else f"HTTP {status}"

    if 200 <= status < 300:
        if body.get("ok", True) is False:
            return SendResult(ok=False, detail=f"{detail} with ok=false")
        return SendResult(ok=True, detail="sent")
    if status == 429:
        wait = _retry_after(body, headers)
        return result_from_status(status, detail, retry_after=wait, pause=wait)
    return result_from_status(status, detail + _hint(status, body))


def _description(body: Mapping[str, object]) -> str:
    value = body.get("description")
    return value if isinstance(value, str) else ""


def _parameters(body: Mapping[str, object]) -> Mapping[str, object]:
    value = body.get("parameters")
    return value if isinstance(value, dict) else {}


def _retry_after(
    body: Mapping[str, object], headers: Mapping[str, str]
) -> float | None:
    wait = retry_after_seconds(_parameters(body).get("retry_after"))
    if wait is None:
        match = _RETRY_AFTER_TEXT.search(_description(body))
        wait = float(match.group(1)) if match else None
    if wait is None:
        wait = retry_after_seconds(headers.get("Retry-After"))
    return wait


def _hint(status: int, body: Mapping[str, object]) -> str:
    migrated = _parameters(body).get("migrate_to_chat_id")
    if isinstance(migrated, int) and not isinstance(migrated, bool):
        return f" (the group is now a supergroup: set chat_id = {migrated})"
    if status in {401, 404}:
        return " (check bot_token)"
    return ""
