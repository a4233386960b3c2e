"""The Telegram notifier: posts each alarm to one chat with ``sendMessage``."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlsplit

import requests
from loguru import logger

from gateway.kit import MASK
from gateway.kit import ChatNotifier
from gateway.kit import SendResult
from gateway.kit import ServiceAddress
from gateway.kit import json_or_empty

from alarmhugger_telegram._answers import description
from alarmhugger_telegram._answers import is_parse_error
from alarmhugger_telegram._answers import result_from_answer
from alarmhugger_telegram._markup import part_marker
from alarmhugger_telegram._markup import safe_cut
from alarmhugger_telegram._markup import to_plain
from alarmhugger_telegram._markup import truncation_note
from alarmhugger_telegram._settings import NAME

if TYPE_CHECKING:
    from alarmhugger_telegram._settings import Settings

# Telegram's limit for one message's text
# (https://core.telegram.org/bots/api#sendmessage).
MESSAGE_LIMIT = 4096

PLAIN_FALLBACK = "sent_plain_fallback"


class TelegramNotifier(ChatNotifier):
    """Sends each alarm to one Telegram chat through the Bot API.

    The bot token sits in every API URL (``/bot<token>/sendMessage``); it
    shows as ``bot***`` in everything this notifier logs or returns.
    """

    message_limit = MESSAGE_LIMIT

    def __init__(self, settings: Settings, *, name: str = NAME) -> None:
        base = urlsplit(settings.api_url)
        address = ServiceAddress(
            url=f"{settings.api_url}/bot{settings.bot_token}/sendMessage",
            secret=settings.bot_token,
            shown=f"{base.netloc}{base.path}/bot{MASK}/sendMessage",
        )
        super().__init__(name, settings.chat, address)
        self.settings = settings
        self._marker = part_marker(settings.parse_mode)
        self._safe_cut = safe_cut(settings.parse_mode)

    def describe(self) -> str:
        """Name the chat and the API address, with the bot token masked."""
        return f"{self.name}: chat {self.settings.chat_id} via {self.address.shown}"

    def part_marker(self, number: int, total: int) -> str:
        """Return `` (1/2)``, escaped for the parse mode."""
        return self._marker(number, total)

    def truncation_note(self, alarm_id: str) -> str:
        """Return ``… full text: alarm #<id>``, escaped for the parse mode."""
        return truncation_note(self.settings.parse_mode, alarm_id)

    def safe_cut(self, text: str, position: int) -> int:
        """Keep a cut out of a MarkdownV2 escape or an HTML entity or tag."""
        return self._safe_cut(text, position)

    def send_part(self, text: str) -> SendResult:
        """Post one message; on a markup parse error, resend it once as plain text."""
        mode = self.settings.parse_mode
        answer = self.post_json(self._payload(text, mode))
        if isinstance(answer, SendResult):
            return answer

        body = json_or_empty(answer)
        if mode == "none" or not is_parse_error(answer.status_code, body):
            return self._result(answer, body)

        # Case 27: markup Telegram cannot parse is resent once as plain text
        # rather than retried unchanged.
        said = description(body, self.scrub)
        logger.warning("telegram: {} refused, resending as plain text: {}", mode, said)
        plain = self.post_json(self._payload(to_plain(text, mode), "none"))
        if isinstance(plain, SendResult):
            return plain

        result = self._result(plain, json_or_empty(plain))
        if not result.ok:
            return result
        return SendResult(
            ok=True, detail=f"as plain text ({said})", state=PLAIN_FALLBACK
        )

    def _payload(self, text: str, mode: str) -> dict[str, Any]:
        chat_id = self.settings.chat_id
        payload: dict[str, Any] = {
            "chat_id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id,
            "text": text,
        }
        if mode != "none":
            payload["parse_mode"] = mode
        return payload

    def _result(self, answer: requests.Response, body: dict[str, object]) -> SendResult:
        return result_from_answer(answer.status_code, body, answer.headers, self.scrub)
