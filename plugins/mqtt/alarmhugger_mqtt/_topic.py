"""Topic templates, and cleaning a rendered topic into one a broker accepts.

A topic to publish to must not contain the wildcards ``+`` and ``#``,
should not have empty levels (``a//b``), must not start with ``$``
(reserved for the broker's own topics) and must not be empty. Values taken
from the alarm fill exactly one level: a ``/`` inside a ticker such as
``EUR/USD`` becomes ``_`` instead of adding a level.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gateway.kit import MessageTemplate

if TYPE_CHECKING:
    from gateway.kit import Alarm

DEFAULT_TOPIC = 'alarmhugger/{{ source }}/{{ ticker or "unknown" }}'
FALLBACK_TOPIC = "alarmhugger"

# The MQTT limit is 65535 bytes of UTF-8; stay well clear of it.
MAX_TOPIC_BYTES = 1024

_NOT_IN_A_LEVEL = re.compile(r"[/+#\x00]")
_NOT_IN_A_TOPIC = re.compile(r"[+#\x00]")


def clean_topic(text: str) -> str:
    """Return ``text`` as a valid topic name to publish to.

    Wildcards and NUL become ``_``, levels are trimmed of spaces and empty
    ones dropped, a leading ``$`` becomes ``_``; an empty result becomes
    ``alarmhugger``.
    """
    levels = [level.strip() for level in _NOT_IN_A_TOPIC.sub("_", text).split("/")]
    topic = "/".join(level for level in levels if level)
    if topic.startswith("$"):
        topic = "_" + topic[1:]

    encoded = topic.encode("utf-8")
    if len(encoded) > MAX_TOPIC_BYTES:
        topic = encoded[:MAX_TOPIC_BYTES].decode("utf-8", "ignore").rstrip("/")
    return topic or FALLBACK_TOPIC


class TopicTemplate:
    """A Jinja2 topic template whose alarm values each fill one level."""

    def __init__(self, source: str | None, *, section: str) -> None:
        self.source = source or DEFAULT_TOPIC
        self._template = MessageTemplate(
            self.source, escape=_one_level, section=section, key="topic"
        )

    def render(self, alarm: Alarm) -> str:
        """Render the topic for ``alarm``, cleaned with :func:`clean_topic`."""
        return clean_topic(self._template.render(alarm))


def _one_level(value: str) -> str:
    return _NOT_IN_A_LEVEL.sub("_", value)
