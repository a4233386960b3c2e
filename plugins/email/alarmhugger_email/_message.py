"""Building the e-mail for one alarm: UTF-8 text and an encoded subject.

Emoji are common in alert texts (case 23). The body is declared
``text/plain; charset="utf-8"`` and sent quoted-printable, so it passes
relays that only speak 7-bit; a subject with non-ASCII characters is
written as RFC 2047 encoded words by the ``email`` package.
"""

from __future__ import annotations

import email.utils
import re
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.kit import Alarm

    from alarmhugger_email._settings import EmailSettings

ALARM_ID_HEADER = "X-AlarmHugger-Alarm-Id"
FALLBACK_SUBJECT = "AlarmHugger alarm"

# Long subjects are cut: mail clients show little more, and a folded header
# of thousands of characters is refused by some servers.
MAX_SUBJECT_CHARACTERS = 200

_WHITESPACE = re.compile(r"\s+")


def build_message(settings: EmailSettings, alarm: Alarm) -> EmailMessage:
    """Return the message for ``alarm``, addressed as ``settings`` say.

    :raises Exception: whatever the subject or body template raises.
    """
    message = EmailMessage()
    message["Subject"] = render_subject(settings, alarm)
    message["From"] = settings.sender
    message["To"] = settings.recipients
    message["Date"] = email.utils.formatdate(usegmt=True)
    # The sender's domain, so no DNS lookup of our own name happens here.
    message["Message-ID"] = email.utils.make_msgid(
        idstring=alarm.id[:32], domain=settings.sender.domain or "alarmhugger.local"
    )
    message[ALARM_ID_HEADER] = alarm.id
    message.set_content(
        settings.body.render(alarm) + "\n", charset="utf-8", cte="quoted-printable"
    )
    return message


def render_subject(settings: EmailSettings, alarm: Alarm) -> str:
    """Render the subject on one line, shortened; a fixed text when empty."""
    subject = _WHITESPACE.sub(" ", settings.subject.render(alarm)).strip()
    if len(subject) > MAX_SUBJECT_CHARACTERS:
        subject = subject[: MAX_SUBJECT_CHARACTERS - 1] + "…"
    return subject or FALLBACK_SUBJECT
