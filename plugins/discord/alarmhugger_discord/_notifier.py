"""The Discord notifier: posts each alarm to one channel webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from gateway.kit import ChatNotifier
from gateway.kit import SendResult
from gateway.kit import cut_outside_backslash

from alarmhugger_discord._answers import result_from_answer
from alarmhugger_discord._settings import NAME

if TYPE_CHECKING:
    from alarmhugger_discord._settings import Settings

# Discord's limit for a message's content
# (https://discord.com/developers/docs/resources/webhook#execute-webhook).
MESSAGE_LIMIT = 2000


class DiscordNotifier(ChatNotifier):
    """Sends each alarm to one Discord channel through its webhook.

    The webhook URL is the credential: it shows as
    ``discord.com/api/webhooks/111…/***`` in everything this notifier
    logs or returns.
    """

    message_limit = MESSAGE_LIMIT

    # Discord's escapes are a backslash before the character; a cut in a
    # long line must not part the two.
    safe_cut = staticmethod(cut_outside_backslash)

    def __init__(self, settings: Settings, *, name: str = NAME) -> None:
        super().__init__(name, settings.chat, settings.webhook)
        self.settings = settings

    def send_part(self, text: str) -> SendResult:
        """Post one message and wait for Discord to confirm it (``wait=true``)."""
        answer = self.post_json(self._payload(text), params={"wait": "true"})
        if isinstance(answer, SendResult):
            return answer
        return result_from_answer(answer, self.scrub)

    def _payload(self, text: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "content": text,
            # Alert text may hold "@everyone": nothing pings unless allowed.
            "allowed_mentions": {"parse": list(self.settings.mentions)},
        }
        if self.settings.username:
            payload["username"] = self.settings.username
        if self.settings.avatar_url:
            payload["avatar_url"] = self.settings.avatar_url
        return payload
