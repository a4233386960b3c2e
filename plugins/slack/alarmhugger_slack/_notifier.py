"""The Slack notifier: posts each alarm to one incoming webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from gateway.kit import ChatNotifier
from gateway.kit import SendResult
from gateway.kit import cut_outside_entity

from alarmhugger_slack._answers import result_from_answer
from alarmhugger_slack._settings import NAME

if TYPE_CHECKING:
    from alarmhugger_slack._settings import Settings

# Slack cuts a message's text at 40 000 characters but shows long ones
# badly and advises staying under 4 000; parts stay within that.
MESSAGE_LIMIT = 4000


class SlackNotifier(ChatNotifier):
    """Sends each alarm to one Slack channel through its incoming webhook.

    The webhook URL is the credential: it shows as
    ``hooks.slack.com/services/T…/B…/***`` in everything this notifier
    logs or returns.
    """

    message_limit = MESSAGE_LIMIT

    # A cut in a long line keeps "&amp;" entities and "<url|text>" whole.
    safe_cut = staticmethod(cut_outside_entity)

    def __init__(self, settings: Settings, *, name: str = NAME) -> None:
        super().__init__(name, settings.chat, settings.webhook)
        self.settings = settings

    def send_part(self, text: str) -> SendResult:
        """Post one message."""
        payload: dict[str, Any] = {"text": text}
        if not self.settings.mrkdwn:
            payload["mrkdwn"] = False

        answer = self.post_json(payload)
        if isinstance(answer, SendResult):
            return answer
        return result_from_answer(answer, self.scrub)
