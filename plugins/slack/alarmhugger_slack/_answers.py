"""What Slack's answers to an incoming-webhook post mean for a delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Callable

from gateway.kit import SendResult
from gateway.kit import first_line
from gateway.kit import result_from_status
from gateway.kit import retry_after_seconds

if TYPE_CHECKING:
    import requests

# What to do about Slack's permanent errors
# (https://api.slack.com/messaging/webhooks#handling_errors).
_HINTS = {
    "no_service": "the webhook was removed or revoked: create a new one",
    "invalid_token": "the webhook was removed or revoked: create a new one",
    "channel_not_found": "the channel was deleted",
    "channel_is_archived": "the channel is archived",
    "action_prohibited": "a workspace admin restricted posting there",
    "posting_to_general_channel_denied": "only admins may post in this channel",
}


def result_from_answer(
    answer: requests.Response, scrub: Callable[[str], str]
) -> SendResult:
    """Map Slack's answer to one webhook post to the delivery's :class:`SendResult`.

    Slack answers in plain text: ``ok``, or an error code such as
    ``invalid_payload`` or ``no_service``.

    - 2xx: sent.
    - 429: rate limited for ``Retry-After`` seconds; the whole notifier
      pauses that long, since the limit is per webhook and Slack may
      disable a webhook that keeps flooding.
    - 400 (``invalid_payload``, ``no_text``), 403, 404 (``no_service``),
      410 (``channel_is_archived``) and other 4xx: permanent.
    - 5xx (``rollup_error``) and the rest: a failure, retried.
    """
    status = answer.status_code
    if 200 <= status < 300:
        return result_from_status(status, "sent")

    said = scrub(first_line(answer.text))
    detail = f"HTTP {status}: {said}" if said else f"HTTP {status}"
    if said in _HINTS:
        detail += f" ({_HINTS[said]})"

    if status == 429:
        wait = retry_after_seconds(answer.headers.get("Retry-After"))
        return result_from_status(status, detail, retry_after=wait, pause=wait)
    return result_from_status(status, detail)
