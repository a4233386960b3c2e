"""Where a sender may have put the webhook token, and what it says there.

TradingView's alert dialog has only a URL and a message, so the token
comes in the URL (``?token=...`` or ``/alarms/webhook/<route>/<token>``)
or in the message: a top-level JSON field, or a ``name=value`` pair of a
text message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable

from gateway.kit import InboundRequest

QUERY_NAME = "token"


@dataclass(frozen=True)
class Candidate:
    """A value a sender offered as the token, and where it was found.

    :param source: where, in words an operator reads in a log or a reason.
    :param value: the offered value, exactly as sent.
    """

    source: str
    value: str


def url_candidates(request: InboundRequest) -> list[Candidate]:
    """Return the tokens in the request's URL: query first, then the path."""
    found = []
    query_token = request.query.get(QUERY_NAME)
    if query_token:
        found.append(Candidate(f"?{QUERY_NAME}=", query_token))
    if request.path_token:
        found.append(Candidate("the URL path", request.path_token))
    return found


class BodyFields:
    """Finds token fields in a message body, by their (case-blind) names."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(dict.fromkeys(name.lower() for name in names))
        self._patterns = _pair_patterns(self.names) if self.names else None

    def candidates(self, text: str | None) -> list[Candidate]:
        """Return the token fields found in ``text`` (a body decoded as UTF-8)."""
        if text is None or self._patterns is None:
            return []
        lowered = text.lower()
        if not any(name in lowered for name in self.names):
            return []

        text_pair, json_pair = self._patterns
        stripped = text.lstrip("\ufeff \t\r\n")
        if not stripped.startswith("{"):
            return self._matches(text_pair, text, unescape=False)

        parsed = _json_object(stripped)
        if parsed is not None:
            return self._from_object(parsed)
        return self._matches(json_pair, text, unescape=True)

    def is_token_field(self, name: str) -> bool:
        """Tell whether a field called ``name`` carries the token."""
        return name.lower() in self.names

    def _from_object(self, parsed: dict[str, object]) -> list[Candidate]:
        found = []
        for key, value in parsed.items():
            if not self.is_token_field(key):
                continue
            if isinstance(value, str):
                found.append(Candidate(f"body field {key!r}", value))
            elif isinstance(value, int) and not isinstance(value, bool):
                found.append(Candidate(f"body field {key!r}", str(value)))
        return found

    @staticmethod
    def _matches(
        pattern: re.Pattern[str], text: str, unescape: bool
    ) -> list[Candidate]:
        found = []
        for match in pattern.finditer(text):
            value = match.group(2)
            if unescape:
                value = _json_string(value)
            elif len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            found.append(Candidate(f"body field {match.group(1)!r}", value))
        return found


def _pair_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    alternatives = "|".join(re.escape(name) for name in names)

    # name=value or "name: value" in text, the name starting a part.
    text_pair = re.compile(
        rf"(?:^|(?<=[\s;,|&]))({alternatives})\s*(?:=|:(?=\s))\s*"
        r"(\"[^\"\n]*\"|'[^'\n]*'|[^\s;,|&]+)",
        re.IGNORECASE | re.MULTILINE,
    )

    # "name": "value" in a JSON-looking body that is not valid JSON.
    json_pair = re.compile(
        rf"\"({alternatives})\"\s*:\s*\"((?:[^\"\\\n]|\\.)*)\"", re.IGNORECASE
    )
    return text_pair, json_pair


def _json_object(text: str) -> dict[str, object] | None:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _json_string(escaped: str) -> str:
    try:
        value = json.loads(f'"{escaped}"')
    except ValueError:
        return escaped
    return value if isinstance(value, str) else escaped
